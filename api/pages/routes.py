"""Serve the pages and their static files; nothing on them is fetched from the internet.

The Content-Security-Policy holds the pages to their own origin, so a page that tried to load a
script, font or style from a CDN would break in the browser test rather than in the field.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from hub.errors import NotFound

PAGES_DIR = Path(__file__).resolve().parent
STATIC_DIR = PAGES_DIR / "static"

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' 'unsafe-inline'; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

router = APIRouter(include_in_schema=False)


def _page(name: str) -> HTMLResponse:
    path = PAGES_DIR / name
    if not path.is_file():
        raise NotFound(f"page {name} is not installed")
    return HTMLResponse(path.read_text(encoding="utf-8"), headers=SECURITY_HEADERS)


@router.get("/")
def control_room() -> HTMLResponse:
    return _page("control_room.html")


@router.get("/owner")
def owner() -> HTMLResponse:
    return _page("owner.html")


@router.get("/guard")
def guard() -> HTMLResponse:
    """Written by the patrol work; 404 until api/pages/guard.html exists."""
    return _page("guard.html")


def install(app: FastAPI) -> None:
    """Add the pages and mount `/static` (app.js, style.css) on `app`."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
