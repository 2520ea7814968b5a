"""Hostile and real-world images made in the test: a PNG decompression bomb, a JPEG carrying
EXIF GPS, and measuring the memory a call takes."""

from __future__ import annotations

import struct
import tracemalloc
import zlib
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(side: int = 32000) -> bytes:
    """A valid 1-bit black PNG of `side` x `side` pixels: 124 KB on the wire for 32000, a
    gigabyte once decoded to 8-bit grey."""
    row = b"\x00" * (1 + (side + 7) // 8)  # filter byte, then the packed bits
    deflate = zlib.compressobj(9)
    rows = [deflate.compress(row) for _ in range(side)]
    rows.append(deflate.flush())
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        _PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", b"".join(rows))
        + _chunk(b"IEND", b"")
    )


def exif_gps_app1(latitude: tuple[int, int, int], longitude: tuple[int, int, int]) -> bytes:
    """An APP1 Exif segment whose GPS IFD places the photo at (degrees, minutes, seconds) N/E."""
    # Big-endian TIFF: header, IFD0 with one entry (GPSInfo pointer), then the GPS IFD.
    gps_ifd_at = 8 + 2 + 12 + 4
    gps_entries = 4
    rationals_at = gps_ifd_at + 2 + 12 * gps_entries + 4

    def entry(tag: int, kind: int, count: int, value: bytes) -> bytes:
        return struct.pack(">HHI", tag, kind, count) + value.ljust(4, b"\x00")

    def dms(values: tuple[int, int, int]) -> bytes:
        return b"".join(struct.pack(">II", v, 1) for v in values)

    tiff = b"MM\x00\x2a" + struct.pack(">I", 8)
    tiff += struct.pack(">H", 1) + entry(0x8825, 4, 1, struct.pack(">I", gps_ifd_at))
    tiff += struct.pack(">I", 0)
    tiff += struct.pack(">H", gps_entries)
    tiff += entry(0x0001, 2, 2, b"N")  # GPSLatitudeRef
    tiff += entry(0x0002, 5, 3, struct.pack(">I", rationals_at))  # GPSLatitude
    tiff += entry(0x0003, 2, 2, b"E")  # GPSLongitudeRef
    tiff += entry(0x0004, 5, 3, struct.pack(">I", rationals_at + 24))  # GPSLongitude
    tiff += struct.pack(">I", 0)
    tiff += dms(latitude) + dms(longitude)
    body = b"Exif\x00\x00" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body


def with_segment(jpeg: bytes, segment: bytes) -> bytes:
    """`jpeg` with `segment` inserted right after its start-of-image marker."""
    assert jpeg.startswith(b"\xff\xd8")
    return jpeg[:2] + segment + jpeg[2:]


def peak_memory(call: Callable[[], T]) -> tuple[T, int]:
    """What `call` returns and the most memory (bytes, Python and NumPy) it held at once."""
    tracemalloc.start()
    try:
        result = call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak
