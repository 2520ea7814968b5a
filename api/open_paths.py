"""Which API paths answer without a hub token, in one place.

The body guard refuses an anonymous request to any other path under the prefix before reading
its body; the route matrix test checks these against the matrix's `Open` rows.
"""

from __future__ import annotations

API_PREFIX = "/api/v1"

OPEN_PATHS = frozenset(
    {
        f"{API_PREFIX}/openapi.json",
        f"{API_PREFIX}/docs",
        f"{API_PREFIX}/docs/oauth2-redirect",
        f"{API_PREFIX}/auth/token",
        f"{API_PREFIX}/auth/refresh",
        f"{API_PREFIX}/auth/password-reset/request",
        f"{API_PREFIX}/auth/password-reset/confirm",
        f"{API_PREFIX}/auth/registration",
        f"{API_PREFIX}/auth/registration/homes",
        f"{API_PREFIX}/auth/registration/verify",
    }
)
# providers' signed notifications and the sandbox's pay page: no hub login behind them; a
# survey's SMS link, whose token is the credential
OPEN_PREFIXES = (
    f"{API_PREFIX}/payments/notify/",
    f"{API_PREFIX}/payments/sandbox/",
    f"{API_PREFIX}/surveys/by-token/",
)


def needs_token(path: str) -> bool:
    """Whether a request to `path` must carry a bearer token (pages and /metrics do not)."""
    path = path.rstrip("/")
    if path != API_PREFIX and not path.startswith(f"{API_PREFIX}/"):
        return False
    return path not in OPEN_PATHS and not path.startswith(OPEN_PREFIXES)
