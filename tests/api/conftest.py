"""Helpers for the API tests: raise an alert as a rule would, submit a repair request, read the
live feed."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import cv2
import httpx2
import numpy as np
import pytest
from starlette.testclient import WebSocketTestSession

from hub.context import HubContext
from hub.domain import Severity
from hub.services.alerts import AlertRequest, alert_view, raise_alert
from hub.services.site import LoadResult
from tests.conftest import ApiClient

_GRADIENT = np.tile(np.arange(0, 256, 4, dtype=np.uint8), (48, 1))  # 64 x 48, grey ramp
JPEG = cv2.imencode(".jpg", _GRADIENT)[1].tobytes()
PNG = cv2.imencode(".png", _GRADIENT)[1].tobytes()


def _clip(suffix: str, codec: str) -> bytes:
    """A real one-second 32x24 video, written by OpenCV's FFmpeg."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"clip{suffix}"
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*codec), 5, (32, 24))
        for shade in range(0, 250, 50):
            writer.write(np.full((24, 32, 3), shade, np.uint8))
        writer.release()
        return path.read_bytes()


MP4 = _clip(".mp4", "mp4v")
WEBM = _clip(".webm", "VP80")

RaiseAlert = Callable[..., dict[str, Any]]
Submit = Callable[..., httpx2.Response]
LIVE = "/api/v1/live"


def receive(ws: WebSocketTestSession, timeout: float = 5.0) -> dict[str, Any]:
    """The next message, or a failed test after `timeout` (TestClient has no timeout)."""
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        message: dict[str, Any] = pool.submit(ws.receive_json).result(timeout=timeout)
        return message
    finally:
        pool.shutdown(wait=False)


@contextlib.contextmanager
def live_feed(api: ApiClient, token: str) -> Iterator[WebSocketTestSession]:
    """A live-feed socket that has sent `token` as its first message, as the page does."""
    with api.client.websocket_connect(LIVE) as ws:
        ws.send_json({"type": "auth", "token": token})
        yield ws


def next_of(ws: WebSocketTestSession, kind: str, alert_id: int) -> dict[str, Any]:
    """The data of the next `kind` message about `alert_id`, skipping others."""
    while True:
        message = receive(ws)
        if message["kind"] == kind and message["data"]["id"] == alert_id:
            data: dict[str, Any] = message["data"]
            return data


@pytest.fixture
def raise_leak(context: HubContext, site: LoadResult) -> RaiseAlert:
    """Raise (and commit) an alert through the service, as the rules engine does."""

    def _raise(key: str = "leak-b1-101/leak", title: str = "漏水 Leak") -> dict[str, Any]:
        with context.db.session() as session:
            alert, _ = raise_alert(
                session,
                AlertRequest(
                    site_id=site.site_id,
                    rule_id="leak",
                    dedup_key=key,
                    severity=Severity.CRITICAL,
                    title=title,
                    reason="leak sensor reads wet",
                    location="1号楼101厨房 B1-101 kitchen",
                ),
                now=context.clock.now(),
            )
            return alert_view(alert)

    return _raise


def home_id(api: ApiClient, owner: str) -> int:
    """The first home of `owner`, as the owner page finds it."""
    homes = api.get("/api/v1/homes", as_user=owner)
    assert isinstance(homes, httpx2.Response) and homes.status_code == 200
    return int(homes.json()[0]["id"])


def staff_id(api: ApiClient, username: str = "tech") -> int:
    staff = api.get("/api/v1/staff", as_user="service")
    assert staff.status_code == 200, staff.text
    return int(next(u["id"] for u in staff.json() if u["username"] == username))


def assigned(api: ApiClient, submit: Submit) -> int:
    """A request accepted by customer service and assigned to `tech`."""
    order_id = int(submit().json()["id"])
    assert api.post(f"/api/v1/work-orders/{order_id}/accept", as_user="service").status_code == 200
    body = {"technician_id": staff_id(api)}
    assert (
        api.post(f"/api/v1/work-orders/{order_id}/assign", as_user="service", json=body).status_code
        == 200
    )
    return order_id


@pytest.fixture
def submit(api: ApiClient) -> Submit:
    """Submit a repair request (报修) as an owner, for their own home unless told otherwise."""

    def _submit(
        owner: str = "owner101",
        *,
        home: int | None = None,
        photo: tuple[str, bytes, str] | None = None,
    ) -> httpx2.Response:
        form = {
            "home_id": str(home if home is not None else home_id(api, owner)),
            "category": "plumbing",
            "title": "厨房水龙头漏水 Kitchen tap leaks",
            "description": "drips all night",
            "contact": "13812345678",
        }
        files = {"photo": photo} if photo else None
        response = api.post("/api/v1/work-orders", as_user=owner, data=form, files=files)
        assert isinstance(response, httpx2.Response)
        return response

    return _submit
