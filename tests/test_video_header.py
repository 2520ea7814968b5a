"""Short videos are told by their container, not their name: MP4's ftyp box with a video brand,
WebM's EBML DocType; still images in an ftyp box and other EBML files are refused."""

from __future__ import annotations

import pytest

from hub.errors import InvalidInput
from hub.video_header import MP4, WEBM, video_type
from tests.api.conftest import JPEG
from tests.api.conftest import MP4 as MP4_CLIP
from tests.api.conftest import WEBM as WEBM_CLIP


def test_real_clips_are_recognised_by_their_container() -> None:
    assert video_type(MP4_CLIP[:64]) == MP4
    assert video_type(WEBM_CLIP[:64]) == WEBM


def test_a_few_header_bytes_decide_and_a_photo_is_not_a_video() -> None:
    assert video_type(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom") == MP4
    assert video_type(JPEG[:64]) is None
    assert video_type(b"<html>") is None


@pytest.mark.parametrize(
    "head",
    [
        b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic",  # an iPhone photo
        b"\x00\x00\x00\x04ftypisom",  # a box smaller than its own header
        b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska",  # .mkv
    ],
    ids=["heic", "damaged", "matroska"],
)
def test_other_containers_are_refused(head: bytes) -> None:
    with pytest.raises(InvalidInput) as refused:
        video_type(head)
    assert refused.value.code == "video_unsupported"
