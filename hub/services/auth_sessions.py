"""Login sessions: short access tokens name a session; a rotating refresh token renews them.

Each refresh exchanges the presented token for a new one. Presenting an already-exchanged token
means it was copied, so the whole session is revoked (both holders must log in again). Logout,
a password change, an admin's reset and a deactivation revoke sessions; their access tokens are
refused from the next request on, and the live feed drops them at its next check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub import security
from hub.errors import Unauthenticated
from hub.settings import Settings
from hub.storage.models import AuthSession, RefreshToken, User


@dataclass(frozen=True)
class Issued:
    """What a login or refresh hands out."""

    user: User
    access_token: str
    refresh_token: str
    expires_in: int  # seconds the access token lives


def start(session: Session, user: User, *, now: datetime, settings: Settings) -> Issued:
    """A new session for `user` with its first token pair."""
    auth = AuthSession(
        user_id=user.id, created_at=now, expires_at=now + timedelta(hours=settings.session_hours)
    )
    session.add(auth)
    session.flush()
    return _issue(session, auth, user, now=now, settings=settings)


def refresh(session: Session, token: str, *, now: datetime, settings: Settings) -> Issued:
    """A new token pair for a live session's current refresh token; reuse revokes the session.

    The caller must commit even when this raises, so a reuse's revocation stands.
    """
    # Locked (on PostgreSQL): of two refreshes racing with one token, the second sees it spent.
    row = session.scalar(
        select(RefreshToken)
        .where(RefreshToken.token_digest == security.token_digest(token))
        .with_for_update()
    )
    if row is None:
        raise Unauthenticated("invalid refresh token")
    auth = session.get(AuthSession, row.session_id)
    if auth is None:
        raise Unauthenticated("invalid refresh token")
    if row.used_at is not None:
        revoke(session, auth, now=now, reason="refresh_reuse")
        raise Unauthenticated("refresh token already used: the session is revoked, log in again")
    user = session.get(User, auth.user_id)
    if user is None or not _live(auth, user, now):
        raise Unauthenticated("session ended: log in again")
    row.used_at = now
    return _issue(session, auth, user, now=now, settings=settings)


def check_active(session: Session, claims: security.TokenClaims, *, now: datetime) -> User:
    """The active account an access token's session belongs to; Unauthenticated otherwise."""
    auth = session.get(AuthSession, claims.session_id)
    user = session.get(User, claims.user_id)
    if auth is None or user is None or auth.user_id != user.id or not _live(auth, user, now):
        raise Unauthenticated("invalid or expired token")
    return user


def revoke(session: Session, auth: AuthSession, *, now: datetime, reason: str) -> None:
    """End one session (no-op if already ended)."""
    if auth.revoked_at is None:
        auth.revoked_at = now
        auth.revoked_reason = reason
        session.flush()


def revoke_session(
    session: Session, session_id: int, *, user_id: int, now: datetime, reason: str
) -> None:
    """End one of `user_id`'s sessions by id (logout)."""
    auth = session.get(AuthSession, session_id)
    if auth is not None and auth.user_id == user_id:
        revoke(session, auth, now=now, reason=reason)


def revoke_all_sessions(
    session: Session,
    user_id: int,
    *,
    now: datetime,
    reason: str,
    keep: int | None = None,
) -> None:
    """End every open session of an account, except `keep` (the caller's own, if given)."""
    query = (
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
    )
    if keep is not None:
        query = query.where(AuthSession.id != keep)
    session.execute(query.execution_options(synchronize_session="fetch"))


def _live(auth: AuthSession, user: User, now: datetime) -> bool:
    return auth.revoked_at is None and auth.expires_at > now and user.active


def _issue(
    session: Session, auth: AuthSession, user: User, *, now: datetime, settings: Settings
) -> Issued:
    refresh_token = security.new_refresh_token()
    session.add(
        RefreshToken(
            session_id=auth.id, token_digest=security.token_digest(refresh_token), issued_at=now
        )
    )
    lifetime = timedelta(minutes=settings.access_token_minutes)
    access = security.issue_token(
        user_id=user.id,
        session_id=auth.id,
        role=user.role.value,
        key=settings.secret("secret_key"),
        now=now,
        lifetime=lifetime,
    )
    session.flush()
    return Issued(
        user=user,
        access_token=access,
        refresh_token=refresh_token,
        expires_in=int(lifetime.total_seconds()),
    )
