"""What an uploaded short video is, from its container's first bytes alone: MP4 (an ISO base
media `ftyp` box first, with a video brand) or WebM (an EBML header whose DocType is `webm`).

The file name and the content type the phone sends are never trusted. The hub has no video
decoder on the request path, so a video is kept as sent; the container is what can be checked,
and an HEIC/AVIF still image (also `ftyp`) or a Matroska file is not taken for a video.
"""

from __future__ import annotations

from hub.errors import InvalidInput

MP4 = "video/mp4"
WEBM = "video/webm"
HEAD_BYTES = 64  # enough for the ftyp box's major brand and the EBML DocType

_MP4_BRANDS = frozenset(
    {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"dash"}
)
_EBML_MAGIC = b"\x1a\x45\xdf\xa3"
_DOCTYPE_WEBM = b"\x42\x82\x84webm"  # DocType element id, size 4, "webm"
_DAMAGED = "video: only MP4 or WebM videos are accepted; 仅支持 MP4/WebM 视频"


def video_type(head: bytes) -> str | None:
    """`MP4` or `WEBM` for a recognised container; None when it does not claim to be a video;
    `InvalidInput` (`video_unsupported`) for another or a damaged container."""
    if head[4:8] == b"ftyp":
        size = int.from_bytes(head[:4], "big")
        if size < 16 or head[8:12] not in _MP4_BRANDS:
            raise InvalidInput(_DAMAGED, code="video_unsupported")
        return MP4
    if head.startswith(_EBML_MAGIC):
        if _DOCTYPE_WEBM not in head[:HEAD_BYTES]:
            raise InvalidInput(_DAMAGED, code="video_unsupported")
        return WEBM
    return None
