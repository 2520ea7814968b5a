"""Serve the built web app (`web/dist`) and the API's docs page, with nothing from the internet.

Every path that is not the API's is the web app's: a file of the build if there is one, else
`index.html`, whose router shows the page (so `/console/alarms` can be reloaded or bookmarked).
The Content-Security-Policy holds the app to its own origin, so a page that tried to load a
script, font or style from a CDN breaks in the browser tests rather than in the field.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import FileResponse, HTMLResponse, Response

from api.open_paths import API_PREFIX
from hub.errors import NotFound

DIST_DIR = Path(__file__).resolve().parent.parent / "web" / "dist"
DOCS_ASSETS = "/docs-assets"  # copied from swagger-ui-dist by the web build

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
# Swagger UI starts itself with an inline script; only the docs page may run one.
_DOCS_HEADERS = SECURITY_HEADERS | {
    "Content-Security-Policy": SECURITY_HEADERS["Content-Security-Policy"].replace(
        "script-src 'self'", "script-src 'self' 'unsafe-inline'"
    )
}
_HASHED = "/assets/"  # Vite names these by content: cache them for good
_NOT_BUILT = (
    "<!doctype html><meta charset=utf-8><title>Estate Hub</title>"
    "<p>网页尚未构建 The web app is not built: run <code>make web</code>.</p>"
)

router = APIRouter(include_in_schema=False)


@router.get(f"{API_PREFIX}/docs")
def api_docs() -> HTMLResponse:
    page = get_swagger_ui_html(
        openapi_url=f"{API_PREFIX}/openapi.json",
        title="Estate Hub API",
        swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
        swagger_favicon_url="/favicon.svg",
        oauth2_redirect_url=f"{API_PREFIX}/docs/oauth2-redirect",
    )
    return HTMLResponse(bytes(page.body), headers=_DOCS_HEADERS)


@router.get(f"{API_PREFIX}/docs/oauth2-redirect")
def api_docs_login() -> HTMLResponse:
    return HTMLResponse(bytes(get_swagger_ui_oauth2_redirect_html().body), headers=_DOCS_HEADERS)


@router.get("/{path:path}")
def web_app(path: str) -> Response:
    """A file of the build, or the app's page for any route of its own."""
    if path == API_PREFIX.strip("/") or path.startswith(API_PREFIX.strip("/") + "/"):
        raise NotFound(f"no API route /{path}")
    file = _built_file(path)
    if file is not None:
        hashed = f"/{path}".startswith(_HASHED)
        cache = "public, max-age=31536000, immutable" if hashed else "no-cache"
        return FileResponse(file, headers=SECURITY_HEADERS | {"Cache-Control": cache})
    index = DIST_DIR / "index.html"
    if not index.is_file():
        return HTMLResponse(_NOT_BUILT, status_code=503, headers=SECURITY_HEADERS)
    return FileResponse(index, headers=SECURITY_HEADERS | {"Cache-Control": "no-cache"})


def _built_file(path: str) -> Path | None:
    """The build's file at `path`, never one outside `web/dist`."""
    if not path:
        return None
    candidate = (DIST_DIR / path).resolve()
    if not candidate.is_relative_to(DIST_DIR.resolve()) or not candidate.is_file():
        return None
    return candidate


def install(app: FastAPI) -> None:
    """Add the docs page and the web app, after every API route (the app takes what is left)."""
    app.include_router(router)
