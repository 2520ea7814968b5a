"""Encryption of owner personal data at rest, and masking for display."""

from __future__ import annotations

import secrets
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken

from hub.errors import ConfigError
from hub.settings import get_settings


def new_secret(name: str) -> str:
    """A fresh key of the kind `name` needs."""
    if name == "data_key":
        return Fernet.generate_key().decode()
    return secrets.token_urlsafe(48)


@lru_cache
def _fernet(key: str) -> Fernet:
    try:
        return Fernet(key.encode())
    except ValueError as exc:
        raise ConfigError("HUB_DATA_KEY is not a valid Fernet key") from exc


def cipher() -> Fernet:
    """The Fernet cipher for owner data, keyed by HUB_DATA_KEY (or var/data_key.txt)."""
    return _fernet(get_settings().secret("data_key"))


def encrypt(plain: str) -> str:
    return cipher().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return cipher().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ConfigError("owner data cannot be decrypted with the configured data key") from exc


def mask(value: str, keep_start: int = 3, keep_end: int = 4) -> str:
    """Show only the ends: 13812345678 -> 138****5678."""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]
