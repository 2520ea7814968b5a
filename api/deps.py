"""Request dependencies: the hub context, a database session, the caller and role checks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from hub import security
from hub.context import HubContext
from hub.domain import Role
from hub.errors import PermissionDenied
from hub.services import auth_sessions
from hub.storage.models import User

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token")


def get_context(request: Request) -> HubContext:
    context: HubContext = request.app.state.hub
    return context


ContextDep = Annotated[HubContext, Depends(get_context)]


def get_session(context: ContextDep) -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back on error."""
    with context.db.session() as session:
        yield session


# scope="function": commit before the response is sent, so a client's next request sees
# its own write (FastAPI's default would commit only after the response went out).
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def token_claims(context: HubContext, token: str) -> security.TokenClaims:
    """The claims of a well-signed, unexpired access token; Unauthenticated otherwise."""
    return security.read_token(
        token, key=context.settings.secret("secret_key"), now=context.clock.now()
    )


def user_from_token(session: Session, context: HubContext, token: str) -> User:
    """The active account behind an access token whose session is still open (not logged out,
    revoked or expired); Unauthenticated otherwise. REST and the live feed both ask this."""
    claims = token_claims(context, token)
    return auth_sessions.check_active(session, claims, now=context.clock.now())


TokenDep = Annotated[str, Depends(oauth2_scheme)]


def get_current_user(session: SessionDep, context: ContextDep, token: TokenDep) -> User:
    return user_from_token(session, context, token)


CurrentUser = Annotated[User, Depends(get_current_user)]


def require_role(*roles: Role) -> Callable[[User], User]:
    """A dependency admitting only `roles`; an account that must change its password first
    gets nothing else done."""
    allowed = frozenset(roles)

    def check(user: CurrentUser) -> User:
        if user.must_change_password:
            raise PermissionDenied("change your initial password first")
        if user.role not in allowed:
            raise PermissionDenied(f"role {user.role.value} may not do this")
        return user

    return check
