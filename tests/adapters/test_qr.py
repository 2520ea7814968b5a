"""Checkpoint QR labels: what `hub patrol qr` prints is what a phone photo of it decodes to,
even turned 15 degrees and grainy; anything else gets a clear refusal."""

from __future__ import annotations

import re
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from adapters.camera.qr import decode_qr, label_png
from hub.cli.patrol import patrol_app
from hub.errors import InvalidInput, TooLarge
from tests.support.images import peak_memory, png_bomb


def photo_of(label: bytes, *, angle: float, noise: float, size: int = 0) -> bytes:
    """The label on a white wall, rotated by `angle`, with Gaussian noise, as a JPEG."""
    image = cv2.imdecode(np.frombuffer(label, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None
    image = cv2.copyMakeBorder(image, 120, 120, 120, 120, cv2.BORDER_CONSTANT, value=(255,) * 3)
    height, width = image.shape[:2]
    turn = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    image = cv2.warpAffine(image, turn, (width, height), borderValue=(255,) * 3)
    grain = np.random.default_rng(7).normal(0, noise, image.shape)
    image = np.clip(image.astype(np.float64) + grain, 0, 255).astype(np.uint8)
    if size:
        image = cv2.resize(image, (size * 4 // 3, size), interpolation=cv2.INTER_LINEAR)
    ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])
    assert ok
    return jpeg.tobytes()


@pytest.mark.parametrize("code", ["CP-B1-LOBBY", "CP-1"])  # segno.make would give CP-1 a Micro QR
def test_label_decodes(code: str) -> None:
    assert decode_qr(label_png(code)) == code


def test_rotated_noisy_photo_decodes() -> None:
    photo = photo_of(label_png("CP-PUMP-ROOM"), angle=15, noise=30)
    assert decode_qr(photo) == "CP-PUMP-ROOM"


def test_large_phone_photo_decodes() -> None:
    photo = photo_of(label_png("CP-B2-LOBBY", scale=12), angle=-15, noise=20, size=3000)
    assert decode_qr(photo) == "CP-B2-LOBBY"


def test_a_27_megapixel_photo_is_read_at_reduced_size() -> None:
    label = cv2.imdecode(np.frombuffer(label_png("CP-B2-LOBBY", scale=40), np.uint8), 0)
    wall = np.full((4500, 6000), 255, np.uint8)  # 27 MB of grey pixels at full size
    wall[1000 : 1000 + label.shape[0], 2000 : 2000 + label.shape[1]] = label
    photo = cv2.imencode(".jpg", wall, [cv2.IMWRITE_JPEG_QUALITY, 85])[1].tobytes()
    code, peak = peak_memory(lambda: decode_qr(photo))
    assert code == "CP-B2-LOBBY"
    assert peak < 12 * 1024 * 1024


def test_a_decompression_bomb_is_refused_from_its_header() -> None:
    bomb = png_bomb(32000)  # 124 KB declaring a gigapixel

    def refused() -> str:
        with pytest.raises(TooLarge) as refusal:
            decode_qr(bomb)
        return str(refusal.value)

    message, peak = peak_memory(refused)
    assert len(bomb) < 128 * 1024
    assert "32000×32000 pixels is over the limit of 40 megapixels" in message
    assert peak < 1024 * 1024
    with pytest.raises(TooLarge, match=re.escape("over the limit of 0.5 megapixels")):
        decode_qr(label_png("CP-1", scale=40), max_pixels=500_000)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"this is not a picture", "only JPEG or PNG"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"<html></html>" * 9, "header is damaged"),
        (cv2.imencode(".jpg", np.zeros((64, 64), np.uint8))[1].tobytes()[:200], "not a complete"),
        (cv2.imencode(".png", np.full((300, 300), 255, np.uint8))[1].tobytes(), "no QR code"),
    ],
)
def test_undecodable_input_is_refused_clearly(data: bytes, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        decode_qr(data)


def test_cli_writes_a_label(tmp_path: Path) -> None:
    out = tmp_path / "north.png"
    result = CliRunner().invoke(patrol_app, ["qr", "CP-NORTH-GATE", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert decode_qr(out.read_bytes()) == "CP-NORTH-GATE"
