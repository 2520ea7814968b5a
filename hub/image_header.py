"""What an uploaded image claims to be, read from its header alone: JPEG or PNG, and how many
pixels. A 124 KB PNG can declare 32000 x 32000 pixels (a gigabyte once decoded), so the size is
judged here, in pure Python, before any decoder allocates memory for it.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from hub.errors import InvalidInput, TooLarge

JPEG = "image/jpeg"
PNG = "image/png"
MAX_PIXELS = 40_000_000  # a 48 MP phone's default output is 12 MP; 40 MP leaves room

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_SOI = b"\xff\xd8"
# Start-of-frame markers carry the size; C4 (DHT), C8 (JPG) and CC (DAC) share the range.
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})  # no length field follows
_JPEG_SOS = 0xDA
_NOT_AN_IMAGE = "photo: only JPEG or PNG images are accepted; 仅支持 JPEG/PNG 图片"
_DAMAGED = "photo: the JPEG or PNG header is damaged; 图片文件已损坏"


@dataclass(frozen=True)
class ImageHeader:
    """The media type and the size the header declares."""

    media_type: str
    width: int
    height: int

    @property
    def pixels(self) -> int:
        return self.width * self.height


def read_header(data: bytes) -> ImageHeader:
    """The header of a JPEG or PNG; `InvalidInput` for anything else or a damaged header."""
    if data.startswith(_PNG_SIGNATURE):
        return _png(data)
    if data.startswith(_JPEG_SOI + b"\xff"):
        return _jpeg(data)
    raise InvalidInput(_NOT_AN_IMAGE)


def check_pixels(header: ImageHeader, *, max_pixels: int) -> None:
    """`TooLarge` if decoding the image would take more than `max_pixels` pixels."""
    if header.pixels > max_pixels:
        raise TooLarge(
            f"photo: {header.width}×{header.height} pixels is over the limit of "
            f"{max_pixels / 1_000_000:g} megapixels; 照片像素过多, 请缩小后再上传"
        )


def _png(data: bytes) -> ImageHeader:
    """PNG puts IHDR first: length 13, then width and height as big-endian 32-bit numbers."""
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise InvalidInput(_DAMAGED)
    width, height = struct.unpack(">II", data[16:24])
    return _sized(PNG, width, height)


def _jpeg(data: bytes) -> ImageHeader:
    """Walk the marker segments after SOI up to the first start-of-frame, which holds the size."""
    at = len(_JPEG_SOI)
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            break
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte before a marker
            at += 1
            continue
        if marker in _JPEG_STANDALONE:
            at += 2
            continue
        if marker == _JPEG_SOS:
            break  # image data before any frame header
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        if marker in _JPEG_SOF:
            if length < 7 or at + 9 > len(data):
                break
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return _sized(JPEG, width, height)
        if length < 2:
            break
        at += 2 + length
    raise InvalidInput(_DAMAGED)


def _sized(media_type: str, width: int, height: int) -> ImageHeader:
    if width == 0 or height == 0:  # JPEG may defer the height (DNL); nobody's camera does
        raise InvalidInput(_DAMAGED)
    return ImageHeader(media_type, width, height)
