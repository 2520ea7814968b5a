"""Checkpoint QR labels: make them (segno, full-size QR) and read them from a phone photo
(OpenCV, decoded through `images.decode`, so within the pixel limit and scaled down first).

Labels are `segno.make_qr`, never `segno.make`: the latter picks a Micro QR for short codes,
which OpenCV cannot read.
"""

from __future__ import annotations

import io

import cv2
import segno

from adapters.camera import images
from hub.errors import InvalidInput
from hub.image_header import MAX_PIXELS

MAX_SIDE = 1600  # phone photos are scaled down to this before decoding: faster, same result


def label_png(code: str, *, scale: int = 10) -> bytes:
    """A PNG QR code of `code` with the 4-module quiet zone scanners need."""
    if not code.strip():
        raise InvalidInput("checkpoint code is empty")
    buffer = io.BytesIO()
    segno.make_qr(code, error="m").save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def decode_qr(image: bytes, *, max_pixels: int = MAX_PIXELS) -> str:
    """The text of the QR code in a JPEG or PNG photo; `InvalidInput` if there is none,
    `TooLarge` past `max_pixels`."""
    if not image:
        raise InvalidInput("the photo is empty")
    picture = images.decode(image, max_pixels=max_pixels, gray=True, max_side=MAX_SIDE)
    for detector in (cv2.QRCodeDetectorAruco(), cv2.QRCodeDetector()):
        try:
            text, _, _ = detector.detectAndDecode(picture)
        except cv2.error:
            continue
        if text:
            return str(text)
    raise InvalidInput(
        "未识别到二维码 no QR code could be read in the photo: hold the phone closer, "
        "keep the whole label in the frame and avoid glare"
    )
