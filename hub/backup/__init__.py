"""Backups: the database, the uploaded photos and the key files in one archive, and back."""
