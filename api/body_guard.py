"""Authenticate before reading a body, and cap every body: a pure ASGI middleware.

Without it a 200 MB body sent with no token was read into memory (an upload written to a
temporary file) before the route answered 401. Now a request to a path that needs a token
(`api.open_paths`) without a well-signed, unexpired one is refused before a byte of its body is
read; the route's dependency still checks the account and its session. Every body is capped:
a Content-Length above the limit is refused with 413 at once, a streamed body as soon as it
passes the limit.
"""

from __future__ import annotations

import re

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.deps import token_claims
from api.errors import error_response
from api.open_paths import API_PREFIX, needs_token
from hub.context import HubContext
from hub.errors import HubError, TooLarge, Unauthenticated
from hub.services import complaints
from hub.services.work_orders import MAX_PHOTOS
from hub.settings import Settings

PHOTO_SCAN_PATH = f"{API_PREFIX}/patrol/scans/photo"
REQUEST_PATH = f"{API_PREFIX}/work-orders"  # an owner's request: a photo or a short video
PLAN_UPLOAD_PATH = f"{API_PREFIX}/site-plans"
ASSET_IMPORT_PATH = f"{API_PREFIX}/assets/import"  # a ledger spreadsheet
STATEMENT_PATH = f"{API_PREFIX}/reconciliation/statements"  # a provider's daily statement
ASSET_DOCUMENT_PATH = re.compile(rf"{API_PREFIX}/assets/\d+/documents")  # a manual, a PDF
COMPLETION_PATH = re.compile(rf"{API_PREFIX}/work-orders/\d+/complete")  # report + photos
COMPLAINT_PHOTOS_PATH = re.compile(rf"{API_PREFIX}/complaints/\d+/photos")  # photos + a video
FORM_ALLOWANCE = 64 * 1024  # an upload's other form fields and multipart framing
NOTIFY_PREFIX = f"{API_PREFIX}/payments/notify/"
MAX_NOTIFICATION_BYTES = 64 * 1024  # real payment notifications are a few kB


def body_limit(method: str, path: str, settings: Settings) -> int:
    """The most bytes a request's body may have: a photo upload, a notification, or the rest."""
    if method == "POST" and path.rstrip("/") == PHOTO_SCAN_PATH:
        return settings.upload_max_bytes + FORM_ALLOWANCE
    if method == "POST" and path.rstrip("/") == REQUEST_PATH:
        return max(settings.upload_max_bytes, settings.upload_video_max_bytes) + FORM_ALLOWANCE
    if method == "POST" and COMPLETION_PATH.fullmatch(path.rstrip("/")):
        return MAX_PHOTOS * settings.upload_max_bytes + FORM_ALLOWANCE
    if method == "POST" and COMPLAINT_PHOTOS_PATH.fullmatch(path.rstrip("/")):
        photos = complaints.MAX_PHOTOS - complaints.MAX_VIDEOS
        videos = complaints.MAX_VIDEOS * settings.upload_video_max_bytes
        return photos * settings.upload_max_bytes + videos + FORM_ALLOWANCE
    if method == "POST" and path.rstrip("/") == PLAN_UPLOAD_PATH:
        return settings.plan_max_bytes + FORM_ALLOWANCE
    if method == "POST" and path.rstrip("/") == ASSET_IMPORT_PATH:
        return settings.asset_import_max_bytes + FORM_ALLOWANCE
    if method == "POST" and path.rstrip("/") == STATEMENT_PATH:
        return settings.statement_max_bytes + FORM_ALLOWANCE
    if method == "POST" and ASSET_DOCUMENT_PATH.fullmatch(path.rstrip("/")):
        return settings.asset_document_max_bytes + FORM_ALLOWANCE
    if path.startswith(NOTIFY_PREFIX):
        return MAX_NOTIFICATION_BYTES
    return settings.body_max_bytes


class _BodyTooLarge(Exception):
    """Raised into the app from `receive` once the body passes its limit."""


def _bearer_token(headers: Headers) -> str | None:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _content_length(headers: Headers) -> int | None:
    try:
        return int(headers["content-length"])
    except (KeyError, ValueError):
        return None


class BodyGuard:
    """Installed outermost in `create_app`, so nothing inside reads a body it would refuse."""

    def __init__(self, app: ASGIApp, *, context: HubContext) -> None:
        self.app = app
        self.context = context

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        limit = body_limit(scope["method"], scope["path"], self.context.settings)
        refusal = self._refusal(scope["path"], headers, limit)
        if refusal is not None:
            await error_response(refusal)(scope, receive, send)
            return
        await _CappedRequest(self.app, limit)(scope, receive, send)

    def _refusal(self, path: str, headers: Headers, limit: int) -> HubError | None:
        """Why the request is refused before its body is read, if it is."""
        if needs_token(path):
            token = _bearer_token(headers)
            if token is None:
                return Unauthenticated("Not authenticated")
            try:
                token_claims(self.context, token)
            except Unauthenticated as exc:
                return exc
        length = _content_length(headers)
        if length is not None and length > limit:
            return _too_large(limit)
        return None


def _too_large(limit: int) -> TooLarge:
    return TooLarge(f"the request body here is at most {limit} bytes")


class _CappedRequest:
    """One request whose body is counted as it arrives; past the limit the app's reads fail and
    the client gets 413 instead of whatever the app would have answered."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.received = 0
        self.refused = False  # the body passed the limit
        self.started = False  # the app's answer had begun before that
        self.answered = False  # the 413 went out

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def capped_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                self.received += len(message.get("body", b""))
                if self.received > self.limit:
                    self.refused = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            if self.refused:
                await self._refuse(scope, receive, send)
                return  # the app's own answer to a cut-off body is dropped
            self.started = self.started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, capped_receive, guarded_send)
        except _BodyTooLarge:
            if self.started:
                raise  # too late for a 413: the client sees a cut-off answer
        if self.refused:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer 413 once, unless the app's own answer had already begun."""
        if self.started or self.answered:
            return
        self.answered = True
        await error_response(_too_large(self.limit))(scope, receive, send)
