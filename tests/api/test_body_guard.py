"""Hostile bodies: no body byte is read before the token is checked, and every body is capped
(by its Content-Length at once, a streamed one as it arrives) with 413."""

from __future__ import annotations

import re
import socket
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from urllib.parse import urlparse

import httpx2
import pytest
from starlette.formparsers import MultiPartParser

from api.open_paths import needs_token
from api.responses import ErrorBody
from hub.clock import FakeClock
from hub.context import HubContext
from tests.api.conftest import JPEG, Submit
from tests.api.route_matrix import MATRIX, Open
from tests.conftest import ApiClient
from tests.support.server import serving

MB = 1024 * 1024
CHUNK = 64 * 1024
NOTICES = "/api/v1/notices"
WORK_ORDERS = "/api/v1/work-orders"
PHOTO_SCAN = "/api/v1/patrol/scans/photo"
BOUNDARY = "hostile"


class Body:
    """A request body sent in 64 KiB chunks, up to `size` bytes, counting the chunks taken."""

    def __init__(self, size: int, head: bytes = b"") -> None:
        self.size = size
        self.head = head
        self.chunks_read = 0

    def __iter__(self) -> Iterator[bytes]:
        sent = 0
        while sent < self.size:
            self.chunks_read += 1
            chunk = self.head if sent == 0 and self.head else b"x" * CHUNK
            sent += len(chunk)
            yield chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self:
            yield chunk


def _multipart_head() -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="photo"; filename="a.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()


MULTIPART = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}
JSON = {"content-type": "application/json"}


@pytest.fixture
def parser_runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How often python-multipart began parsing an upload (and so spooling it to a file)."""
    runs: list[int] = []
    parse = MultiPartParser.parse

    async def counted(self: MultiPartParser) -> object:
        runs.append(1)
        return await parse(self)

    monkeypatch.setattr(MultiPartParser, "parse", counted)
    return runs


def _detail(response: object) -> str:
    body = ErrorBody.model_validate_json(response.content)  # type: ignore[attr-defined]
    assert isinstance(body.detail, str)
    return body.detail


def test_a_200_mb_body_without_a_token_is_refused_before_a_byte_is_read(api: ApiClient) -> None:
    body = Body(200 * MB)
    headers = {**JSON, "content-length": str(200 * MB)}
    refused = api.client.post(NOTICES, content=body, headers=headers)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"
    assert _detail(refused) == "Not authenticated"
    assert body.chunks_read == 0


def test_a_streamed_body_with_a_bad_or_expired_token_is_not_read(
    api: ApiClient, clock: FakeClock
) -> None:
    token = api.token("admin")
    clock.advance(timedelta(hours=1))
    for bearer in ("not-a-jwt", token):
        body = Body(200 * MB)
        headers = {**JSON, "authorization": f"Bearer {bearer}"}
        refused = api.client.post(NOTICES, content=body, headers=headers)
        assert refused.status_code == 401, bearer
        assert body.chunks_read == 0


def test_a_300_mb_upload_without_a_token_never_reaches_the_form_parser(
    api: ApiClient, parser_runs: list[int]
) -> None:
    for path in (WORK_ORDERS, PHOTO_SCAN):
        body = Body(300 * MB, head=_multipart_head())
        refused = api.client.post(path, content=body, headers=MULTIPART)
        assert refused.status_code == 401, path
        assert body.chunks_read == 0
    assert parser_runs == []


def test_a_body_declared_over_the_limit_is_refused_at_once(
    api: ApiClient, parser_runs: list[int]
) -> None:
    cases = [
        (NOTICES, "owner101", JSON, MB),  # HUB_BODY_MAX_BYTES, 1 MiB by default
        (WORK_ORDERS, "owner101", MULTIPART, 20 * MB + 64 * 1024),  # the video limit + fields
        (PHOTO_SCAN, "guard", MULTIPART, 5 * MB + 64 * 1024),
        # 3 photos and a 20 MB video
        ("/api/v1/complaints/1/photos", "owner101", MULTIPART, 35 * MB + 64 * 1024),
    ]
    for path, user, content_type, limit in cases:
        body = Body(200 * MB, head=_multipart_head())
        headers = {**content_type, **api.headers(user), "content-length": str(limit + 1)}
        refused = api.client.post(path, content=body, headers=headers)
        assert refused.status_code == 413, path
        assert _detail(refused) == f"the request body here is at most {limit} bytes"
        assert body.chunks_read == 0
    assert parser_runs == []


async def test_a_streamed_body_is_cut_off_once_past_the_limit(api: ApiClient) -> None:
    """Chunked, without a Content-Length: counted as it arrives (TestClient would send the
    whole body at once, so this goes through httpx's ASGI transport, which streams)."""
    transport = httpx2.ASGITransport(app=api.client.app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://hub") as client:
        for path, user, content_type, limit in (
            (NOTICES, "admin", JSON, MB),
            (WORK_ORDERS, "owner101", MULTIPART, 20 * MB + 64 * 1024),
            (PHOTO_SCAN, "guard", MULTIPART, 5 * MB + 64 * 1024),
        ):
            body = Body(200 * MB, head=_multipart_head())
            headers = {**content_type, **api.headers(user)}
            cut = await client.post(path, content=body.__aiter__(), headers=headers)
            assert cut.status_code == 413, path
            assert _detail(cut) == f"the request body here is at most {limit} bytes"
            assert body.chunks_read == limit // CHUNK + 1, path  # the head, then to the limit


def test_bodies_within_the_limits_are_answered_as_before(
    api: ApiClient, context: HubContext, submit: Submit
) -> None:
    context.settings.body_max_bytes = 2048  # the photo below is more, but uploads have their own
    notice = {"title": "停水通知 Water off", "body": "明天 tomorrow " * 100}
    assert api.post(NOTICES, as_user="admin", json=notice).status_code == 201
    created = submit(photo=("tap.jpg", JPEG + b"\x00" * 4096, "image/jpeg"))
    assert created.status_code == 201, created.text
    notice["body"] *= 2
    assert api.post(NOTICES, as_user="admin", json=notice).status_code == 413


def test_open_routes_take_bodies_without_a_token(api: ApiClient) -> None:
    login = api.client.post("/api/v1/auth/token", data={"username": "x", "password": "y"})
    assert _detail(login) == "wrong username or password"  # answered by the route
    notify = api.client.post("/api/v1/payments/notify/sandbox", content=b"x" * (64 * 1024 + 1))
    assert notify.status_code == 413


def test_the_guards_open_paths_are_the_route_matrixs_open_rows() -> None:
    for route, access in MATRIX.items():
        method, path = route.split(" ", 1)
        if method == "WS":  # the live feed authenticates in its first message
            continue
        concrete = re.sub(r"\{[^}]+\}", "abc123", path)
        under_api = path.startswith("/api/v1/")
        assert needs_token(concrete) == (under_api and not isinstance(access, Open)), route
        assert needs_token(concrete + "/") == needs_token(concrete), route


def test_a_real_client_gets_401_without_sending_its_body(context: HubContext) -> None:
    """Over HTTP: the client sends only the headers of a 200 MB request and gets its answer."""
    with serving(context) as base:
        url = urlparse(base)
        with socket.create_connection((url.hostname, url.port), timeout=10) as conn:
            conn.sendall(
                b"POST /api/v1/work-orders HTTP/1.1\r\nHost: hub\r\n"
                b"Content-Type: multipart/form-data; boundary=x\r\n"
                + f"Content-Length: {300 * MB}\r\n\r\n".encode()
            )
            answer = conn.recv(65536)
    assert answer.startswith(b"HTTP/1.1 401 ")
