"""Passwords (argon2 behind a concurrency gate, the seed's strength policy plus zxcvbn) and
bearer tokens (short JWT access tokens, opaque refresh tokens)."""

from __future__ import annotations

import hashlib
import re
import secrets
import string
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from zxcvbn import zxcvbn

from hub.errors import InvalidInput, Unauthenticated
from hub.settings import get_settings
from hub.work_gate import WorkGate

_SYMBOLS = "!@#$%&*-_=+?"
_ALGORITHM = "HS256"
MAX_PASSWORD_LENGTH = 128  # checked before hashing: argon2 reads every character
MIN_GUESS_SCORE = 3  # zxcvbn 0..4; 3 is "safely unguessable" for online attacks


def _is_symbol(char: str) -> bool:
    return char.isprintable() and not char.isalnum() and not char.isspace()


def check_password_policy(password: str, *, user_inputs: Sequence[str] = ()) -> None:
    """At least 8 characters with upper, lower, digit and symbol (物业云平台制度 二(一)1), at
    most `MAX_PASSWORD_LENGTH`, and not guessable (zxcvbn, knowing the account's own names)."""
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            f"password must be at most {MAX_PASSWORD_LENGTH} characters", code="password_too_long"
        )
    missing = [
        label
        for label, present in (
            ("an upper-case letter", re.search(r"[A-Z]", password)),
            ("a lower-case letter", re.search(r"[a-z]", password)),
            ("a digit", re.search(r"\d", password)),
            ("a symbol (not a space)", any(_is_symbol(char) for char in password)),
        )
        if not present
    ]
    if len(password) < 8:
        missing.insert(0, "at least 8 characters")
    if missing:
        raise InvalidInput("password needs " + ", ".join(missing), code="password_policy")
    verdict = zxcvbn(password, user_inputs=[value for value in user_inputs if value])
    if verdict["score"] < MIN_GUESS_SCORE:
        hint = verdict["feedback"].get("warning") or "it follows a common pattern"
        raise InvalidInput(
            f"password is too easy to guess ({hint.rstrip('.')}); try a longer,"
            " less predictable one",
            code="password_guessable",
        )


def generate_password(length: int = 14) -> str:
    """A random password that satisfies the policy (for initial and demo accounts)."""
    pools = (string.ascii_uppercase, string.ascii_lowercase, string.digits, _SYMBOLS)
    alphabet = "".join(pools)
    chars = [secrets.choice(pool) for pool in pools]
    chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


@lru_cache
def _hasher(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)


@lru_cache
def _dummy_hash(time_cost: int, memory_kib: int) -> str:
    """A hash of nothing anyone knows, with the live parameters, so checking a password of an
    unknown or inactive account costs the same as checking a real one."""
    return _hasher(time_cost, memory_kib).hash(secrets.token_urlsafe(16))


@lru_cache
def _gate(concurrency: int, queue: int) -> WorkGate:
    return WorkGate(
        concurrency=concurrency,
        queue=queue,
        busy="the hub is busy checking passwords, try again shortly",
    )


def _current() -> tuple[PasswordHasher, WorkGate, tuple[int, int]]:
    settings = get_settings()
    params = (settings.argon2_time_cost, settings.argon2_memory_kib)
    return _hasher(*params), _gate(settings.hash_concurrency, settings.hash_queue), params


def hash_password(password: str) -> str:
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            f"password must be at most {MAX_PASSWORD_LENGTH} characters", code="password_too_long"
        )
    hasher, gate, _ = _current()
    with gate.slot():
        return hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; None (no such account) checks a dummy hash, so both answers
    take one hash. Over-long input is refused before hashing."""
    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    hasher, gate, params = _current()
    with gate.slot():
        target = password_hash if password_hash is not None else _dummy_hash(*params)
        try:
            return hasher.verify(target, password) and password_hash is not None
        except (VerifyMismatchError, InvalidHashError):
            return False


@dataclass(frozen=True)
class TokenClaims:
    """Who an access token speaks for, and within which login session."""

    user_id: int
    session_id: int


def issue_token(
    *, user_id: int, session_id: int, role: str, key: str, now: datetime, lifetime: timedelta
) -> str:
    claims = {
        "sub": str(user_id),
        "sid": session_id,
        "role": role,
        "iat": now,
        "exp": now + lifetime,
    }
    return jwt.encode(claims, key, algorithm=_ALGORITHM)


def read_token(token: str, *, key: str, now: datetime) -> TokenClaims:
    """The claims of a valid token, unexpired by the hub's clock; else `Unauthenticated`."""
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[_ALGORITHM],
            options={"require": ["exp", "sub", "sid"], "verify_exp": False, "verify_iat": False},
        )
        if int(claims["exp"]) <= now.timestamp():
            raise Unauthenticated("invalid or expired token")
        return TokenClaims(user_id=int(claims["sub"]), session_id=int(claims["sid"]))
    except (jwt.PyJWTError, KeyError, TypeError, ValueError) as exc:
        raise Unauthenticated("invalid or expired token") from exc


def new_refresh_token() -> str:
    """An opaque refresh token; only its digest (`token_digest`) is stored."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """SHA-256 of a high-entropy token: enough to look it up, useless if the table leaks."""
    return hashlib.sha256(token.encode()).hexdigest()
