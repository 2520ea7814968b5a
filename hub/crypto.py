"""Encryption of owner personal data at rest, and masking for display.

The data key setting (HUB_DATA_KEY, or var/data_key.txt) holds one or more Fernet keys,
newest first, separated by commas or new lines. New values are encrypted with the first;
any of them decrypts, which is what lets `hub keys rotate` run while the hub keeps serving.
"""

from __future__ import annotations

import re
import secrets
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from hub.errors import ConfigError
from hub.settings import get_settings

UNREADABLE = "[unreadable]"  # what an encrypted column reads as when no key opens it


def new_secret(name: str) -> str:
    """A fresh key of the kind `name` needs."""
    if name == "data_key":
        return Fernet.generate_key().decode()
    return secrets.token_urlsafe(48)


def parse_keys(value: str) -> tuple[str, ...]:
    """`new,old` or one key a line -> the keys, newest first."""
    return tuple(key for key in re.split(r"[,\s]+", value) if key)


def data_keys() -> tuple[str, ...]:
    """The configured data keys, newest first (the key file is re-read when it changes).

    Never made here: only the start-up check makes one, after finding no encrypted data.
    """
    settings = get_settings()
    keys = parse_keys(settings.secret("data_key", create=False))
    if not keys:
        raise ConfigError(
            f"no data key: HUB_DATA_KEY is not set and {settings.secret_path('data_key')} "
            "is missing or empty"
        )
    return keys


@lru_cache(maxsize=8)
def _fernet(key: str) -> Fernet:
    try:
        return Fernet(key.encode())
    except ValueError as exc:
        raise ConfigError(
            "the data key (HUB_DATA_KEY or var/data_key.txt) is not a valid Fernet key"
        ) from exc


@lru_cache(maxsize=8)
def _multi(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([_fernet(key) for key in keys])


def cipher() -> MultiFernet:
    """The cipher for owner data under the keys configured right now."""
    return _multi(data_keys())


def encrypt(plain: str) -> str:
    return cipher().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return cipher().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ConfigError("owner data cannot be decrypted with the configured data key") from exc


def readable(token: str, key: str) -> bool:
    """Whether `key` alone opens `token`."""
    try:
        _fernet(key).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def reencrypt(token: str) -> str:
    """The same value encrypted under the newest key; ConfigError if no key opens it."""
    try:
        return cipher().rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise ConfigError("owner data cannot be decrypted with the configured data key") from exc


def mask(value: str, keep_start: int = 3, keep_end: int = 4) -> str:
    """Show only the ends: 13812345678 -> 138****5678."""
    if value == UNREADABLE:
        return value
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]
