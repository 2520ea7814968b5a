"""Printable asset labels: a QR code of the asset's console page with its code and name.

`segno.make_qr`, never `segno.make` (a short text would get a Micro QR that phones cannot read),
with the 4-module quiet zone scanners need. The label is one SVG with no script and no link out,
so it prints the same from any browser.
"""

from __future__ import annotations

import io
import unicodedata
from xml.sax.saxutils import escape

import segno

_SCALE = 4  # user units per QR module
_WIDTH = 240
_LINE_UNITS = 38  # a line of the name: a CJK character counts 2, others 1 (at 11 units a glyph)
_NAME_LINES = 2


def console_url(base_url: str, asset_id: int) -> str:
    """Where the label's QR code leads: the asset's page in the web console."""
    return f"{base_url.rstrip('/')}/console/assets/{asset_id}"


def _units(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def name_lines(name: str) -> list[str]:
    """The name wrapped at spaces into at most two lines that fit the label; "…" if cut."""
    lines: list[str] = []
    for word in name.split():
        if lines and _units(f"{lines[-1]} {word}") <= _LINE_UNITS:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    kept = lines[:_NAME_LINES]
    cut = len(lines) > _NAME_LINES
    for n, line in enumerate(kept):
        while _units(line) > _LINE_UNITS - 1:
            line, cut = line[:-1], True
        kept[n] = line
    if cut and kept:
        kept[-1] += "…"
    return kept


def label_svg(url: str, *, code: str, name: str) -> bytes:
    """An SVG label: the QR code of `url`, then the asset's code and name under it."""
    qr = segno.make_qr(url, error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="svg", scale=_SCALE, border=4, xmldecl=False, svgns=True, nl=False)
    side, _ = qr.symbol_size(scale=_SCALE, border=4)
    width = max(side, _WIDTH)
    lines = name_lines(name)
    height = side + 24 + 16 * len(lines) + 6
    inner = (
        buffer.getvalue().decode("utf-8").replace("<svg ", f'<svg x="{(width - side) // 2}" ', 1)
    )
    texts = [
        f'<text x="{width / 2:g}" y="{side + 14}" font-size="15" font-weight="bold" '
        f'text-anchor="middle" font-family="sans-serif">{escape(code)}</text>'
    ] + [
        f'<text x="{width / 2:g}" y="{side + 32 + 16 * n}" font-size="11" text-anchor="middle" '
        f'font-family="sans-serif">{escape(line)}</text>'
        for n, line in enumerate(lines)
    ]
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><rect width="100%" height="100%" fill="#fff"/>'
        f"{inner}{''.join(texts)}</svg>"
    )
    return svg.encode("utf-8")
