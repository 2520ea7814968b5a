"""Checkpoint QR labels: make them (segno, full-size QR) and read them from a phone photo
(OpenCV). The only module that calls cv2; its errors become `InvalidInput` here.

Labels are `segno.make_qr`, never `segno.make`: the latter picks a Micro QR for short codes,
which OpenCV cannot read.
"""

from __future__ import annotations

import io

import cv2
import numpy as np
import segno

from hub.errors import InvalidInput

MAX_SIDE = 1600  # phone photos are scaled down to this before decoding: faster, same result


def label_png(code: str, *, scale: int = 10) -> bytes:
    """A PNG QR code of `code` with the 4-module quiet zone scanners need."""
    if not code.strip():
        raise InvalidInput("checkpoint code is empty")
    buffer = io.BytesIO()
    segno.make_qr(code, error="m").save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def decode_qr(image: bytes) -> str:
    """The text of the QR code in a photo (JPEG, PNG, ...); `InvalidInput` if there is none."""
    picture = _load(image)
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


def _load(image: bytes) -> np.ndarray:
    if not image:
        raise InvalidInput("the photo is empty")
    try:
        picture = cv2.imdecode(np.frombuffer(image, np.uint8), cv2.IMREAD_GRAYSCALE)
    except cv2.error:
        picture = None
    if picture is None:
        raise InvalidInput("the upload is not an image OpenCV can read (send a JPEG or PNG)")
    height, width = picture.shape[:2]
    factor = MAX_SIDE / max(height, width)
    if factor < 1:
        picture = cv2.resize(picture, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    return picture
