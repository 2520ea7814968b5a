"""The live feed: a WebSocket that pushes committed domain events to control-room consoles.

A browser cannot set headers on a WebSocket, so the token comes as `?token=`. The socket is
accepted first and then closed with 4401 (no or bad token) or 4403 (role not allowed), so the
page can tell "log in again" from "not for you". A console first gets a snapshot of the active
alerts, then every event as `{"kind": ..., "data": ...}`, and a fresh snapshot whenever the
PostgreSQL relay had to reconnect (events committed meanwhile were not seen).
"""

from __future__ import annotations

import json
from typing import Any

import anyio
from fastapi import APIRouter, WebSocket
from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocketDisconnect, WebSocketDisconnected

from api.deps import user_from_token
from hub.context import HubContext
from hub.domain import Role
from hub.errors import PermissionDenied
from hub.event_relay import RESYNC
from hub.events import Subscription, bus
from hub.services import alerts

router = APIRouter()

LIVE_ROLES = frozenset({Role.OPERATOR, Role.ADMIN, Role.GUARD})
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403


@router.websocket("/live")
async def live(websocket: WebSocket, token: str = "") -> None:
    context: HubContext = websocket.app.state.hub
    await websocket.accept()
    refusal = await run_in_threadpool(_refusal, context, token)
    if refusal is not None:
        await websocket.close(code=refusal[0], reason=refusal[1])
        return
    subscription = bus.subscribe()  # before the snapshot, so nothing falls in between
    try:
        await _send_snapshot(websocket, context)
        await _serve(websocket, subscription, context)
    finally:
        subscription.close()


def _refusal(context: HubContext, token: str) -> tuple[int, str] | None:
    """Why this token may not watch the feed, as (close code, reason); None if it may."""
    if not token:
        return CLOSE_UNAUTHENTICATED, "token required"
    with context.db.session() as session:
        try:
            user = user_from_token(session, context, token)
        except PermissionDenied:
            return CLOSE_UNAUTHENTICATED, "invalid or expired token"
        if user.must_change_password:
            return CLOSE_FORBIDDEN, "change your initial password first"
        if user.role not in LIVE_ROLES:
            return CLOSE_FORBIDDEN, f"role {user.role.value} may not watch the live feed"
    return None


async def _send_snapshot(websocket: WebSocket, context: HubContext) -> None:
    snapshot = await run_in_threadpool(_active_alerts, context)
    await _send(websocket, {"kind": "snapshot", "data": {"alerts": snapshot}})


def _active_alerts(context: HubContext) -> list[dict[str, Any]]:
    with context.db.session() as session:
        return [alerts.alert_view(alert) for alert in alerts.list_alerts(session)]


async def _serve(websocket: WebSocket, subscription: Subscription, context: HubContext) -> None:
    """Forward events until the console goes away or sending to it fails.

    One task group, so a cancellation from outside (server shutdown) reaches both halves.
    """
    async with anyio.create_task_group() as group:

        async def forward() -> None:
            try:
                while True:
                    item = await subscription.queue.get()
                    if item.kind == RESYNC:
                        await _send_snapshot(websocket, context)
                    else:
                        await _send(websocket, {"kind": item.kind, "data": item.data})
            except (WebSocketDisconnect, WebSocketDisconnected):
                group.cancel_scope.cancel()

        async def watch() -> None:
            # Consoles send nothing we act on; reading is how a closed socket is noticed.
            while (await websocket.receive())["type"] != "websocket.disconnect":
                pass
            group.cancel_scope.cancel()

        group.start_soon(forward)
        group.start_soon(watch)


async def _send(websocket: WebSocket, message: dict[str, Any]) -> None:
    await websocket.send_text(json.dumps(message, ensure_ascii=False, default=str))
