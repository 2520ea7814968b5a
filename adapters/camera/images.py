"""Decode uploaded photos with OpenCV, never past a pixel limit, and re-encode them as plain JPEG.

Every cv2 decode of an upload goes through `decode`: the header's declared size is checked first
(hub/image_header.py), so a small file claiming a huge picture is refused before OpenCV allocates
anything. Re-encoding keeps only the pixels: trailing data (an appended ZIP or HTML) and metadata
(EXIF with its GPS position) are left behind.
"""

from __future__ import annotations

import cv2
import numpy as np

from hub.errors import InvalidInput
from hub.image_header import check_pixels, read_header

JPEG_QUALITY = 90
# (factor, grayscale flag, colour flag): libjpeg decodes at 1/2, 1/4, 1/8 size directly
_REDUCED = (
    (8, cv2.IMREAD_REDUCED_GRAYSCALE_8, cv2.IMREAD_REDUCED_COLOR_8),
    (4, cv2.IMREAD_REDUCED_GRAYSCALE_4, cv2.IMREAD_REDUCED_COLOR_4),
    (2, cv2.IMREAD_REDUCED_GRAYSCALE_2, cv2.IMREAD_REDUCED_COLOR_2),
)


def decode(
    data: bytes, *, max_pixels: int, gray: bool = False, max_side: int | None = None
) -> np.ndarray:
    """The whole image as pixels, scaled down to `max_side` if given.

    `TooLarge` past `max_pixels`; `InvalidInput` unless the entire file decodes as JPEG or PNG.
    """
    header = read_header(data)
    check_pixels(header, max_pixels=max_pixels)
    flags = cv2.IMREAD_GRAYSCALE if gray else cv2.IMREAD_COLOR
    longest = max(header.width, header.height)
    if max_side is not None:
        for factor, gray_flag, colour_flag in _REDUCED:
            if longest // factor >= max_side:
                flags = gray_flag if gray else colour_flag
                break
    try:
        picture = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
    except cv2.error:
        picture = None
    if picture is None:
        raise InvalidInput("photo: not a complete JPEG or PNG image; 图片无法识别, 请重新拍摄")
    height, width = picture.shape[:2]
    scale = 1.0 if max_side is None else max_side / max(height, width)
    if scale < 1:
        picture = cv2.resize(picture, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return picture


def to_jpeg(picture: np.ndarray) -> bytes:
    """The pixels as a baseline JPEG with no metadata."""
    ok, encoded = cv2.imencode(".jpg", picture, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise InvalidInput("photo: the image could not be stored; 图片无法保存")
    return bytes(encoded.tobytes())
