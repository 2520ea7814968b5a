"""Hostile uploads cannot hurt the hub: a decompression bomb is refused from its header, a
polyglot is refused or stripped, GPS metadata is dropped, each owner has a quota, files are
private, and too many photos at once get 503 instead of the hub's memory."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import cv2
import httpx2
import numpy as np

from hub.context import HubContext
from hub.image_header import read_header
from hub.services import uploads
from tests.api.conftest import JPEG, PNG, home_id
from tests.conftest import ApiClient
from tests.support.images import exif_gps_app1, peak_memory, png_bomb, with_segment

WO = "/api/v1/work-orders"
SCAN = "/api/v1/patrol/scans/photo"
JFIF_HEADER = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"


def zip_of(name: str, text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, text)
    return buffer.getvalue()


def submit(api: ApiClient, data: bytes, owner: str = "owner101") -> httpx2.Response:
    """An owner's repair request with `data` as its photo (declared a JPEG, whatever it is)."""
    form = {"home_id": str(home_id(api, owner)), "category": "plumbing", "title": "漏水 Leak"}
    files = {"photo": ("tap.jpg", data, "image/jpeg")}
    response = api.post(WO, as_user=owner, data=form, files=files)
    assert isinstance(response, httpx2.Response)
    return response


def served_photo(api: ApiClient, order_id: int) -> httpx2.Response:
    response = api.get(f"{WO}/{order_id}/photo", as_user="owner101")
    assert isinstance(response, httpx2.Response) and response.status_code == 200
    return response


def stored(hub_env: Path) -> list[Path]:
    folder = hub_env / "uploads"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_a_decompression_bomb_is_refused_from_its_header(api: ApiClient, hub_env: Path) -> None:
    bomb = png_bomb(32000)  # 124 KB declaring 32000 x 32000 pixels, a gigabyte decoded
    files = {"photo": ("label.png", bomb, "image/png")}
    response, peak = peak_memory(lambda: api.post(SCAN, as_user="guard", files=files))
    assert isinstance(response, httpx2.Response)
    assert response.status_code == 413
    assert "32000×32000 pixels is over the limit of 40 megapixels" in response.json()["detail"]
    assert peak < 16 * 1024 * 1024  # the request itself, not the picture
    assert submit(api, bomb).status_code == 413
    assert stored(hub_env) == []


def test_the_pixel_limit_is_a_setting(api: ApiClient, context: HubContext) -> None:
    context.settings.upload_max_pixels = 64 * 48 - 1  # JPEG is 64 x 48
    refused = submit(api, JPEG)
    assert refused.status_code == 413
    assert "64×48 pixels is over the limit of 0.003071 megapixels" in refused.json()["detail"]


def test_a_jpeg_header_over_html_or_a_zip_is_refused(api: ApiClient, hub_env: Path) -> None:
    for payload in (b"<html><script>alert(1)</script></html>", zip_of("a.html", "<script>")):
        refused = submit(api, JFIF_HEADER + payload)
        assert refused.status_code == 422, refused.text
        assert "JPEG or PNG" in refused.json()["detail"]
    assert api.get(WO, as_user="owner101").json() == []
    assert stored(hub_env) == []


def test_a_real_image_with_something_appended_is_kept_without_it(api: ApiClient) -> None:
    for image, appended in ((JPEG, zip_of("a.html", "<script>")), (PNG, b"<html></html>")):
        created = submit(api, image + appended)
        assert created.status_code == 201, created.text
        photo = served_photo(api, created.json()["id"])
        assert photo.headers["content-type"] == "image/jpeg"
        assert read_header(photo.content) == read_header(JPEG)
        assert not zipfile.is_zipfile(io.BytesIO(photo.content))
        assert b"<html>" not in photo.content and b"<script>" not in photo.content


def test_gps_metadata_is_dropped(api: ApiClient) -> None:
    tagged = with_segment(JPEG, exif_gps_app1((31, 14, 2), (121, 28, 45)))  # 上海
    assert cv2.imdecode(np.frombuffer(tagged, np.uint8), cv2.IMREAD_COLOR) is not None
    created = submit(api, tagged)
    assert created.status_code == 201, created.text
    photo = served_photo(api, created.json()["id"]).content
    assert b"Exif" in tagged and b"Exif" not in photo
    assert b"\xff\xe1" not in photo[: photo.index(b"\xff\xda")]  # no APP1 before the image data


def test_each_owner_has_a_storage_quota(api: ApiClient, context: HubContext, hub_env: Path) -> None:
    assert submit(api, JPEG).status_code == 201
    (first,) = stored(hub_env)
    size = first.stat().st_size
    context.settings.upload_quota_bytes = size + size // 2
    refused = submit(api, JPEG)
    assert refused.status_code == 413
    assert "storage quota of" in refused.json()["detail"]
    assert len(api.get(WO, as_user="owner101").json()) == 1
    assert submit(api, JPEG, owner="owner201").status_code == 201  # another owner's own quota
    assert len(stored(hub_env)) == 2


def test_stored_photos_are_private(api: ApiClient, hub_env: Path) -> None:
    (hub_env / "uploads").mkdir(mode=0o755, parents=True)  # as an older hub left it
    assert submit(api, JPEG).status_code == 201
    assert stat.S_IMODE((hub_env / "uploads").stat().st_mode) == 0o700
    (photo,) = stored(hub_env)
    assert stat.S_IMODE(photo.stat().st_mode) == 0o600
    assert photo.suffix == ".jpg"


def test_photos_beyond_the_decode_queue_get_503(api: ApiClient, context: HubContext) -> None:
    context.settings.upload_decode_concurrency, context.settings.upload_decode_queue = 1, 0
    blank = cv2.imencode(".png", np.full((200, 200), 255, np.uint8))[1].tobytes()
    files = {"photo": ("label.png", blank, "image/png")}
    with uploads.decoding(context.settings):  # another upload is being decoded
        busy = api.post(SCAN, as_user="guard", files=files)
        assert isinstance(busy, httpx2.Response)
        assert (busy.status_code, busy.headers["Retry-After"]) == (503, "2")
        assert "busy reading other photos" in busy.json()["detail"]
        assert submit(api, JPEG).status_code == 503
    after = api.post(SCAN, as_user="guard", files=files)
    assert isinstance(after, httpx2.Response)
    assert after.status_code == 422 and "no QR code" in after.json()["detail"]
