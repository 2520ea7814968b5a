"""Site plans: an admin uploads PNG, JPEG or SVG; hostile files are refused; images are served
so that they can run and fetch nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import httpx2
import numpy as np
import pytest

from hub.context import HubContext
from hub.errors import ConfigError
from hub.services.site import LoadResult
from hub.site_file import parse_site_file
from tests.api.conftest import JPEG, PNG
from tests.conftest import ApiClient

PLANS = "/api/v1/site-plans"
SVG_NS = 'xmlns="http://www.w3.org/2000/svg"'
GOOD_SVG = (
    f'<?xml version="1.0"?><svg {SVG_NS} xmlns:xlink="http://www.w3.org/1999/xlink" '
    'viewBox="0 0 100 60"><defs><g id="room"><rect width="10" height="10"/></g></defs>'
    "<style>.wall { stroke: #333; fill: url(#hatch) }</style>"
    '<rect class="wall" x="1" y="1" width="98" height="58"/><use xlink:href="#room"/>'
    '<text x="5" y="20">1号楼 B1</text></svg>'
).encode()


def _upload(
    api: ApiClient,
    site: LoadResult,
    content: bytes,
    *,
    filename: str = "plan.png",
    user: str = "admin",
    **form: str,
) -> httpx2.Response:
    data = {"site_id": str(site.site_id), "name": "总平面图 Site plan", **form}
    files = {"file": (filename, content, "image/png")}
    response = api.post(PLANS, as_user=user, data=data, files=files)
    assert isinstance(response, httpx2.Response)
    return response


def _ok(response: object, status: int = 200) -> Any:
    assert isinstance(response, httpx2.Response)
    assert response.status_code == status, response.text
    return response.json()


def test_an_admin_uploads_a_site_plan_and_floor_plans(api: ApiClient, site: LoadResult) -> None:
    plan = _ok(_upload(api, site, PNG), 201)
    assert (plan["media_type"], plan["width"], plan["height"], plan["building_id"]) == (
        "image/png",
        64,
        48,
        None,
    )
    b1 = _ok(api.get("/api/v1/sites", as_user="admin"))[0]["buildings"][0]
    floor = _ok(
        _upload(api, site, GOOD_SVG, filename="b1-1f.svg", building_id=str(b1["id"]), floor="1F"),
        201,
    )
    assert (floor["media_type"], floor["floor"]) == ("image/svg+xml", "1F")
    assert (floor["width"], floor["height"]) == (100, 60)  # its viewBox: the page keeps its shape
    jpeg = _ok(_upload(api, site, JPEG, building_id=str(b1["id"]), floor="2F"), 201)
    assert jpeg["media_type"] == "image/jpeg"
    listed = _ok(api.get(PLANS, as_user="operator"))
    assert [(p["building_id"], p["floor"]) for p in listed] == [
        (None, ""),
        (b1["id"], "1F"),
        (b1["id"], "2F"),
    ]
    again = _ok(_upload(api, site, PNG, name="新版 New"), 201)  # the same place: replaced
    assert again["id"] == plan["id"] and again["name"] == "新版 New"


def test_images_are_served_as_checked_under_a_strict_policy(
    api: ApiClient, site: LoadResult
) -> None:
    png = _ok(_upload(api, site, PNG), 201)
    response = api.get(f"{PLANS}/{png['id']}/image", as_user="operator")
    assert isinstance(response, httpx2.Response) and response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert "sandbox" in response.headers["content-security-policy"]
    decoded = cv2.imdecode(np.frombuffer(response.content, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert decoded.shape == (48, 64)
    b1 = _ok(api.get("/api/v1/sites", as_user="admin"))[0]["buildings"][0]
    svg = _ok(_upload(api, site, GOOD_SVG, building_id=str(b1["id"]), floor="1F"), 201)
    served = api.get(f"{PLANS}/{svg['id']}/image", as_user="admin")
    assert isinstance(served, httpx2.Response)
    assert served.headers["content-type"].startswith("image/svg+xml")
    assert served.content == GOOD_SVG


def test_a_polyglot_png_keeps_only_its_pixels(api: ApiClient, site: LoadResult) -> None:
    payload = b"<html><script>alert(1)</script></html>"
    plan = _ok(_upload(api, site, PNG + payload), 201)
    served = api.get(f"{PLANS}/{plan['id']}/image", as_user="admin")
    assert isinstance(served, httpx2.Response) and payload not in served.content


HOSTILE_SVGS = {
    "script": f"<svg {SVG_NS}><script>alert(1)</script></svg>",
    "event handler": f'<svg {SVG_NS} onload="alert(1)"><rect width="1" height="1"/></svg>',
    "foreign object": f"<svg {SVG_NS}><foreignObject><p>hi</p></foreignObject></svg>",
    "external link": (
        f'<svg {SVG_NS} xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<use xlink:href="https://evil.example/x.svg#a"/></svg>'
    ),
    "javascript link": f'<svg {SVG_NS}><use href="javascript:alert(1)"/></svg>',
    "external image": f'<svg {SVG_NS}><image href="http://evil.example/a.png"/></svg>',
    "style url": f'<svg {SVG_NS}><rect style="fill: url(http://evil.example/a)"/></svg>',
    "style import": f"<svg {SVG_NS}><style>@import 'http://evil.example/a.css';</style></svg>",
    "entity bomb": (
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f"<svg {SVG_NS}><text>&b;</text></svg>"
    ),
    "external entity": (
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f"<svg {SVG_NS}><text>&x;</text></svg>"
    ),
    "not svg": "<html><body><script>alert(1)</script></body></html>",
    "broken": f"<svg {SVG_NS}><rect></svg>",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_SVGS))
def test_hostile_svgs_are_refused(api: ApiClient, site: LoadResult, name: str) -> None:
    before = _ok(api.get(PLANS, as_user="admin"))
    response = _upload(api, site, HOSTILE_SVGS[name].encode(), filename="plan.svg")
    assert response.status_code == 422, (name, response.text)
    assert _ok(api.get(PLANS, as_user="admin")) == before  # the sample's plan is still there


def test_wrong_types_and_oversize_uploads_are_refused(
    api: ApiClient, site: LoadResult, context: HubContext
) -> None:
    assert _upload(api, site, b"GIF89a" + b"\0" * 100).status_code == 422
    assert _upload(api, site, PNG[:40]).status_code == 422  # a header, no picture
    context.settings.plan_max_bytes = len(PNG) - 1
    assert _upload(api, site, PNG).status_code == 413
    context.settings.plan_max_bytes = 10 * 1024 * 1024
    huge = b"<svg " + b" " * (11 * 1024 * 1024) + b"/>"
    assert _upload(api, site, huge).status_code == 413  # past the body limit, before any parse


def test_other_roles_unknown_ids_and_other_estates(api: ApiClient, site: LoadResult) -> None:
    for user in ("operator", "guard", "tech", "service", "finance", "owner101"):
        assert _upload(api, site, PNG, user=user).status_code == 403, user
    for user in ("guard", "tech", "service", "finance", "owner101"):
        listed = api.get(PLANS, as_user=user)
        assert isinstance(listed, httpx2.Response) and listed.status_code == 403, user
    missing = api.get(f"{PLANS}/999999/image", as_user="admin")
    assert isinstance(missing, httpx2.Response) and missing.status_code == 404
    data = {"site_id": "999999", "name": "x"}
    files = {"file": ("plan.png", PNG, "image/png")}
    other = api.post(PLANS, as_user="admin", data=data, files=files)
    assert isinstance(other, httpx2.Response) and other.status_code == 404
    assert _upload(api, site, PNG, building_id="999999", floor="1F").status_code == 404


def test_the_site_file_names_plans_and_places_devices_on_them(api: ApiClient) -> None:
    """The sample site ships its site plan and a floor of building 1, with devices on them."""
    plans = _ok(api.get(PLANS, as_user="operator"))
    assert [(p["name"], p["floor"], p["media_type"]) for p in plans] == [
        ("总平面图 Site plan", "", "image/svg+xml"),
        ("1号楼一层 Building 1 ground floor", "1F", "image/svg+xml"),
    ]
    devices = _ok(
        api.get("/api/v1/devices", as_user="operator", params={"plan_id": plans[1]["id"]})
    )
    assert {d["code"]: d["placement"]["x"] for d in devices} == {
        "leak-b1-101": 0.3,
        "leak-b1-102": 0.7,
        "em-b1-101": 0.47,
        "em-b1-102": 0.53,
        "wm-b1-101": 0.47,
        "wm-b1-102": 0.53,
    }


def test_a_hostile_plan_in_a_site_file_stops_the_load(tmp_path: Path) -> None:
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "evil.svg").write_text(HOSTILE_SVGS["event handler"])
    site_file = tmp_path / "site.yaml"
    site_file.write_text(
        "site: {code: x, name: X}\nplans:\n  - {file: plans/evil.svg, name: Evil}\n"
    )
    with pytest.raises(ConfigError, match=r"plans\.0\.file 'plans/evil.svg'.*event handler"):
        parse_site_file(site_file)
    site_file.write_text("site: {code: x, name: X}\nplans:\n  - {file: ../etc/passwd, name: E}\n")
    with pytest.raises(ConfigError, match="must be beside the site file"):
        parse_site_file(site_file)
