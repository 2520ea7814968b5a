"""The web pages: control room (/), owner (/owner), guard (/guard), with their static files."""
