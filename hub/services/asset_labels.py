"""Printable asset labels: a QR code of the asset's console page with its code and name.

`segno.make_qr`, never `segno.make` (a short text would get a Micro QR that phones cannot read),
with the 4-module quiet zone scanners need. The label is one SVG with no script and no link out,
so it prints the same from any browser.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

import segno

_SCALE = 4  # user units per QR module
_TEXT_HEIGHT = 44


def console_url(base_url: str, asset_id: int) -> str:
    """Where the label's QR code leads: the asset's page in the web console."""
    return f"{base_url.rstrip('/')}/console/assets/{asset_id}"


def label_svg(url: str, *, code: str, name: str) -> bytes:
    """An SVG label: the QR code of `url`, then the asset's code and name under it."""
    qr = segno.make_qr(url, error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="svg", scale=_SCALE, border=4, xmldecl=False, svgns=True, nl=False)
    side, _ = qr.symbol_size(scale=_SCALE, border=4)
    width, height = side, side + _TEXT_HEIGHT
    inner = buffer.getvalue().decode("utf-8")
    text = (
        f'<text x="{width / 2:g}" y="{side + 16}" font-size="14" font-weight="bold" '
        f'text-anchor="middle" font-family="sans-serif">{escape(code)}</text>'
        f'<text x="{width / 2:g}" y="{side + 34}" font-size="11" text-anchor="middle" '
        f'font-family="sans-serif">{escape(name[:40])}</text>'
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><rect width="100%" height="100%" fill="#fff"/>'
        f"{inner}{text}</svg>"
    )
    return svg.encode("utf-8")
