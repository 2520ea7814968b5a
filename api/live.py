"""The live feed: a WebSocket that pushes committed domain events to whoever may read them.

The token never travels in the URL (where proxies and browser history keep it): the socket is
accepted, and its first message must be `{"type": "auth", "token": "..."}` within
`AUTH_TIMEOUT_S`. The hub then closes with 4401 (no, bad or late token) or 4403 (the role has
nothing to read, or the initial password is still to be changed), so a page can tell "log in
again" from "not for you". Every `REVALIDATE_S` the token, its login session and the account
are checked again, so a deactivated account, a logged-out or revoked session or an expired
token loses its open socket within seconds.

A subscriber first gets a snapshot (the open alerts, if its role may read them), then each
event its account could read over REST (`hub/live_visibility.py`), as `{"kind", "data"}`, and a
fresh snapshot whenever the PostgreSQL relay had to reconnect (events committed meanwhile were
not seen).
"""

from __future__ import annotations

import json
from typing import Any

import anyio
from fastapi import APIRouter, WebSocket
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocketDisconnect, WebSocketDisconnected

from api.deps import user_from_token
from hub.context import HubContext
from hub.errors import Unauthenticated
from hub.event_relay import RESYNC
from hub.events import DomainEvent, Subscription, bus
from hub.live_visibility import LIVE_ROLES, may_see, may_see_alerts
from hub.services.alert_query import list_alerts
from hub.services.alert_views import alert_view
from hub.storage.models import User

router = APIRouter()

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
AUTH_TIMEOUT_S = 5.0  # how long an accepted socket may take to send its auth message
REVALIDATE_S = 2.0  # how often an open socket's token and account are checked again


class Refused(Exception):
    """Why a socket may not (or may no longer) watch the feed: its close code and reason."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@router.websocket("/live")
async def live(websocket: WebSocket) -> None:
    context: HubContext = websocket.app.state.hub
    await websocket.accept()
    try:
        token = await _auth_token(websocket)
        await run_in_threadpool(_admit, context, token)
    except WebSocketDisconnect:
        return
    except Refused as refused:
        await websocket.close(code=refused.code, reason=refused.reason)
        return
    subscription = bus.subscribe()  # before the snapshot, so nothing falls in between
    try:
        await _send_snapshot(websocket, context, token)
        refusal = await _serve(websocket, subscription, context, token)
    finally:
        subscription.close()
    if refusal is not None:
        await websocket.close(code=refusal.code, reason=refusal.reason)


async def _auth_token(websocket: WebSocket) -> str:
    """The token of the first message, `{"type": "auth", "token": ...}`; Refused otherwise."""
    message: dict[str, Any] | None = None
    with anyio.move_on_after(AUTH_TIMEOUT_S):
        message = dict(await websocket.receive())
    if message is None:
        raise Refused(CLOSE_UNAUTHENTICATED, "send the auth message first")
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    try:
        body = json.loads(message.get("text") or "")
    except ValueError:
        body = None
    token = body.get("token") if isinstance(body, dict) and body.get("type") == "auth" else None
    if not isinstance(token, str) or not token:
        raise Refused(CLOSE_UNAUTHENTICATED, 'first message must be {"type": "auth", "token"}')
    return token


def _admit(context: HubContext, token: str) -> None:
    """Refused unless the account behind `token` may watch the feed now."""
    with context.db.session() as session:
        _watcher(session, context, token)


def _watcher(session: Session, context: HubContext, token: str) -> User:
    """The account behind `token` if it may watch now, with the checks `require_role` makes."""
    try:
        user = user_from_token(session, context, token)
    except Unauthenticated as exc:
        raise Refused(CLOSE_UNAUTHENTICATED, "invalid or expired token") from exc
    if user.must_change_password:
        raise Refused(CLOSE_FORBIDDEN, "change your initial password first")
    if user.role not in LIVE_ROLES:
        raise Refused(CLOSE_FORBIDDEN, f"role {user.role.value} may not watch the live feed")
    return user


def _current_watcher(session: Session, context: HubContext, token: str) -> User | None:
    """The account if it may still watch; None sends it nothing until the next revalidation
    closes the socket."""
    try:
        return _watcher(session, context, token)
    except Refused:
        return None


async def _send_snapshot(websocket: WebSocket, context: HubContext, token: str) -> None:
    snapshot = await run_in_threadpool(_active_alerts, context, token)
    await _send(websocket, {"kind": "snapshot", "data": {"alerts": snapshot}})


def _active_alerts(context: HubContext, token: str) -> list[dict[str, Any]]:
    """The open alerts (as `GET /alerts` lists them), or none for a role that may not."""
    with context.db.session() as session:
        user = _current_watcher(session, context, token)
        if user is None or not may_see_alerts(user):
            return []
        return [alert_view(alert) for alert in list_alerts(session)]


def _visible(context: HubContext, token: str, item: DomainEvent) -> bool:
    """Whether the account behind `token` could read this event's object over REST right now."""
    with context.db.session() as session:
        user = _current_watcher(session, context, token)
        return user is not None and may_see(session, user, item.kind, item.data)


async def _serve(
    websocket: WebSocket,
    subscription: Subscription,
    context: HubContext,
    token: str,
) -> Refused | None:
    """Forward visible events until the client goes away or its token or account is refused.

    One task group, so a cancellation from outside (server shutdown) reaches every part; a
    refusal is returned rather than closed here, so no event is sent after the close.
    """
    refusal: Refused | None = None
    async with anyio.create_task_group() as group:

        async def forward() -> None:
            try:
                while True:
                    item = await subscription.queue.get()
                    if item.kind == RESYNC:
                        await _send_snapshot(websocket, context, token)
                    elif await run_in_threadpool(_visible, context, token, item):
                        await _send(websocket, {"kind": item.kind, "data": item.data})
            except (WebSocketDisconnect, WebSocketDisconnected):
                group.cancel_scope.cancel()

        async def watch() -> None:
            # Clients send nothing more we act on; reading is how a closed socket is noticed.
            while (await websocket.receive())["type"] != "websocket.disconnect":
                pass
            group.cancel_scope.cancel()

        async def revalidate() -> None:
            nonlocal refusal
            while True:
                await anyio.sleep(REVALIDATE_S)
                try:
                    await run_in_threadpool(_admit, context, token)
                except Refused as refused:
                    refusal = refused
                    group.cancel_scope.cancel()
                    return

        group.start_soon(forward)
        group.start_soon(watch)
        group.start_soon(revalidate)
    return refusal


async def _send(websocket: WebSocket, message: dict[str, Any]) -> None:
    await websocket.send_text(json.dumps(message, ensure_ascii=False, default=str))
