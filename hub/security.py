"""Passwords (argon2, the seed's strength policy) and bearer tokens (JWT)."""

from __future__ import annotations

import re
import secrets
import string
from datetime import datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError

from hub.errors import InvalidInput, PermissionDenied
from hub.settings import get_settings

_SYMBOLS = "!@#$%&*-_=+?"
_ALGORITHM = "HS256"


def check_password_policy(password: str) -> None:
    """At least 8 characters with upper, lower, digit and symbol (物业云平台制度 二(一)1)."""
    missing = [
        label
        for label, pattern in (
            ("an upper-case letter", r"[A-Z]"),
            ("a lower-case letter", r"[a-z]"),
            ("a digit", r"\d"),
            ("a symbol", r"[^A-Za-z0-9]"),
        )
        if not re.search(pattern, password)
    ]
    if len(password) < 8:
        missing.insert(0, "at least 8 characters")
    if missing:
        raise InvalidInput("password needs " + ", ".join(missing))


def generate_password(length: int = 14) -> str:
    """A random password that satisfies the policy (for initial and demo accounts)."""
    pools = (string.ascii_uppercase, string.ascii_lowercase, string.digits, _SYMBOLS)
    alphabet = "".join(pools)
    chars = [secrets.choice(pool) for pool in pools]
    chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def _hasher() -> PasswordHasher:
    settings = get_settings()
    return PasswordHasher(
        time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False


def issue_token(*, user_id: int, role: str, key: str, now: datetime, lifetime: timedelta) -> str:
    claims = {"sub": str(user_id), "role": role, "iat": now, "exp": now + lifetime}
    return jwt.encode(claims, key, algorithm=_ALGORITHM)


def read_token(token: str, *, key: str, now: datetime) -> int:
    """The user id a valid token names, unexpired by the hub's clock; else `PermissionDenied`."""
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[_ALGORITHM],
            options={"require": ["exp", "sub"], "verify_exp": False, "verify_iat": False},
        )
        if int(claims["exp"]) <= now.timestamp():
            raise PermissionDenied("invalid or expired token")
        return int(claims["sub"])
    except (jwt.PyJWTError, KeyError, ValueError) as exc:
        raise PermissionDenied("invalid or expired token") from exc
