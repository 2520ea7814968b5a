"""`GET /metrics`: the worker's counters in Prometheus text format, for a scraper.

Who may read it: a scraper holding `HUB_METRICS_TOKEN` (a long random string, sent as
`Authorization: Bearer ...`, so Prometheus needs no hub account), or an admin's login token.
Nothing for anyone else: the counters reveal the estate's traffic.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import PlainTextResponse

from api.deps import ContextDep, SessionDep, oauth2_scheme, user_from_token
from hub.domain import Role
from hub.errors import PermissionDenied
from hub.metrics import registry

router = APIRouter(tags=["system"])
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def require_scraper(
    context: ContextDep, session: SessionDep, token: Annotated[str, Depends(oauth2_scheme)]
) -> None:
    """The metrics token, or an admin who has set their own password."""
    expected = context.settings.metrics_token
    if expected and hmac.compare_digest(token.encode(), expected.encode()):
        return
    user = user_from_token(session, context, token)
    if user.must_change_password or user.role is not Role.ADMIN:
        raise PermissionDenied("metrics are for an admin or the HUB_METRICS_TOKEN scraper")


@router.get("/metrics", response_class=PlainTextResponse, dependencies=[Depends(require_scraper)])
def metrics() -> PlainTextResponse:
    return PlainTextResponse(registry.render(), media_type=CONTENT_TYPE)
