"""The equipment ledger over the API: edits kept as history, roles, estates kept apart,
documents checked, the QR label, and the spreadsheet round trip."""

from __future__ import annotations

import io
from typing import Any

import httpx2
import segno
from defusedxml.ElementTree import fromstring

from api.body_guard import FORM_ALLOWANCE
from hub.context import HubContext
from hub.services.site import LoadResult
from hub.storage.models import AuditEntry
from tests.api.conftest import JPEG, PNG
from tests.conftest import ApiClient
from tests.support.ledger_sheets import xlsx
from tests.support.sites import load_other_site

ASSETS = "/api/v1/assets"
SVG_NS = "{http://www.w3.org/2000/svg}"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _ok(response: object, status: int = 200) -> Any:
    assert isinstance(response, httpx2.Response)
    assert response.status_code == status, response.text
    return response.json()


def _refused(response: object, status: int, code: str) -> None:
    assert isinstance(response, httpx2.Response)
    assert response.status_code == status, response.text
    assert response.json()["code"] == code


def _patch(api: ApiClient, path: str, body: dict[str, object], user: str = "admin") -> object:
    return api.client.patch(path, json=body, headers=api.headers(user))


def _by_code(api: ApiClient, code: str, site_id: int | None = None) -> dict[str, Any]:
    """The asset's detail; `site_id`: the estate, when more than one is loaded."""
    where = f"?site_id={site_id}" if site_id else ""
    [found] = [a for a in _ok(api.get(ASSETS + where, as_user="tech")) if a["code"] == code]
    return _ok(api.get(f"{ASSETS}/{found['id']}", as_user="tech"))  # type: ignore[no-any-return]


def _create(api: ApiClient, site: LoadResult, **extra: object) -> dict[str, Any]:
    body = {
        "site_id": site.site_id,
        "code": "TR-1",
        "name": "1号变压器",
        "asset_class": "transformer",
    }
    return _ok(api.post(ASSETS, as_user="admin", json={**body, **extra}), 201)  # type: ignore[no-any-return]


def test_an_admin_creates_and_edits_an_asset_and_every_change_is_kept(
    api: ApiClient, site: LoadResult, context: HubContext
) -> None:
    created = _create(api, site, install_date="2024-01-10", vendor="特变电工 TBEA")
    assert (created["status"], created["history"], created["devices"]) == ("in_service", [], [])
    path = f"{ASSETS}/{created['id']}"
    edited = _ok(_patch(api, path, {"status": "under_repair", "location": "配电房 Switch room"}))
    assert edited["status"] == "under_repair"
    assert _ok(_patch(api, path, {"status": "under_repair"}))["history"] == edited["history"]
    _ok(_patch(api, path, {"install_date": None}))
    history = _ok(api.get(path, as_user="operator"))["history"]
    assert [(h["field"], h["old"], h["new"], h["by"]) for h in history] == [
        ("install_date", "2024-01-10", "", "admin"),
        ("status", "in_service", "under_repair", "admin"),  # newest first (the clock stood)
        ("location", "", "配电房 Switch room", "admin"),
    ]
    with context.db.session() as session:
        actions = session.query(AuditEntry.action).filter_by(target=f"asset:{created['id']}")
        assert sorted(a for (a,) in actions) == ["create_asset", "update_asset", "update_asset"]
    _refused(_patch(api, path, {"code": None}), 422, "invalid_input")
    _refused(
        _patch(api, path, {"warranty_end": "2020-01-01", "install_date": "2021-01-01"}),
        422,
        "asset_warranty_before_install",
    )


def test_codes_are_unique_per_estate_and_buildings_must_be_the_estates(
    api: ApiClient, site: LoadResult, context: HubContext
) -> None:
    _create(api, site)
    body = {"site_id": site.site_id, "code": "TR-1", "name": "x", "asset_class": "transformer"}
    _refused(api.post(ASSETS, as_user="admin", json=body), 409, "asset_code_taken")
    other = load_other_site(context)
    _create(api, LoadResult(site_id=other.site_id))  # the same code in another estate
    [theirs] = [
        a
        for a in _ok(api.get(f"{ASSETS}?site_id={other.site_id}", as_user="admin"))
        if a["code"] == "AG-NORTH"
    ]
    mine = _by_code(api, "AG-NORTH", site.site_id)
    _refused(
        _patch(api, f"{ASSETS}/{mine['id']}", {"building_id": 999_999}),
        422,
        "asset_building_other_estate",
    )
    assert theirs["id"] != mine["id"]


def test_roles_that_do_not_look_after_equipment_are_refused(
    api: ApiClient, site: LoadResult
) -> None:
    asset = _by_code(api, "WP-1")
    path = f"{ASSETS}/{asset['id']}"
    for user in ("guard", "finance", "owner101"):
        _refused(api.get(ASSETS, as_user=user), 403, "forbidden")
        _refused(api.get(path, as_user=user), 403, "forbidden")
        _refused(api.get(f"{path}/label.svg", as_user=user), 403, "forbidden")
    for user in ("operator", "tech", "service"):
        _refused(_patch(api, path, {"name": "x"}, user=user), 403, "forbidden")
        _refused(
            api.put(f"{path}/devices", as_user=user, json={"device_ids": []}), 403, "forbidden"
        )
        files = {"file": ("a.pdf", PDF, "application/pdf")}
        data = {"kind": "manual", "title": "手册"}
        _refused(
            api.post(f"{path}/documents", as_user=user, data=data, files=files), 403, "forbidden"
        )
    _refused(api.get(f"{ASSETS}/999999", as_user="admin"), 404, "not_found")


def test_devices_are_linked_within_the_estate_only(
    api: ApiClient, site: LoadResult, context: HubContext
) -> None:
    pump = _by_code(api, "WP-1")
    [device] = pump["devices"]
    assert (device["code"], device["kind"], device["online"]) == ("pump-1", "pump", None)
    assert "last_seen_at" in device and "state" in device
    other = load_other_site(context)
    [foreign] = [
        d
        for d in _ok(api.get(f"/api/v1/devices?site_id={other.site_id}", as_user="admin"))
        if d["code"] == "pump-1"
    ]
    path = f"{ASSETS}/{pump['id']}/devices"
    _refused(
        api.put(path, as_user="admin", json={"device_ids": [foreign["id"]]}),
        422,
        "asset_device_other_estate",
    )
    [meter] = [
        d
        for d in _ok(api.get(f"/api/v1/devices?site_id={site.site_id}", as_user="admin"))
        if d["code"] == "wm-b1-101"
    ]
    linked = _ok(api.put(path, as_user="admin", json={"device_ids": [device["id"], meter["id"]]}))
    assert [d["code"] for d in linked["devices"]] == ["pump-1", "wm-b1-101"]
    assert linked["history"][0]["field"] == "devices"
    assert linked["history"][0]["new"] == "pump-1, wm-b1-101"
    assert _ok(api.put(path, as_user="admin", json={"device_ids": []}))["devices"] == []


def test_the_sample_ledger_filters_and_its_certificate_expiring_soon(
    api: ApiClient, site: LoadResult
) -> None:
    everything = _ok(api.get(f"{ASSETS}?site_id={site.site_id}", as_user="service"))
    assert len(everything) == 6
    elevators = _ok(api.get(f"{ASSETS}?asset_class=elevator", as_user="tech"))
    assert [a["code"] for a in elevators] == ["EL-B1-1", "EL-B2-1"]
    assert len(_ok(api.get(f"{ASSETS}?q=grundfos", as_user="tech"))) == 2
    assert [a["code"] for a in _ok(api.get(f"{ASSETS}?status=standby", as_user="tech"))] == ["WP-2"]
    # the test clock is 2026-11-10; the B1 elevator's certificate runs out on 2026-12-08
    soon = _ok(api.get(f"{ASSETS}/expiring-documents?within_days=30", as_user="tech"))
    assert [(e["asset_code"], e["document"]["expires_in_days"]) for e in soon] == [("EL-B1-1", 28)]
    assert len(_ok(api.get(f"{ASSETS}/expiring-documents?within_days=365", as_user="tech"))) == 2
    _refused(
        api.get(f"{ASSETS}/expiring-documents?within_days=-1", as_user="tech"), 422, "invalid_input"
    )


def test_documents_are_checked_by_content_and_size(
    api: ApiClient, site: LoadResult, context: HubContext
) -> None:
    asset = _by_code(api, "EL-B2-1")
    path = f"{ASSETS}/{asset['id']}/documents"

    def upload(content: bytes, name: str = "cert.pdf", **data: str) -> object:
        form = {"kind": "inspection_certificate", "title": "检验报告", **data}
        return api.post(path, as_user="admin", data=form, files={"file": (name, content, "x/y")})

    stored = _ok(upload(PDF, name="../../报告 2026.pdf", expires_on="2027-01-31"), 201)
    assert (stored["media_type"], stored["file_name"], stored["expires_in_days"]) == (
        "application/pdf",
        "报告 2026.pdf",
        82,
    )
    file = api.get(f"{path}/{stored['id']}/file", as_user="tech")
    assert isinstance(file, httpx2.Response) and file.content == PDF
    assert file.headers["content-disposition"].startswith("attachment")
    assert "sandbox" in file.headers["content-security-policy"]
    photo = _ok(upload(JPEG, name="photo.png", kind="warranty"), 201)
    assert (photo["media_type"], photo["file_name"]) == ("image/jpeg", "photo.jpg")
    assert _ok(upload(PNG, name="scan"), 201)["media_type"] == "image/png"
    _refused(upload(b"GIF89a" + b"\0" * 64), 422, "asset_document_type")
    _refused(upload(b"<html><script>alert(1)</script></html>"), 422, "asset_document_type")
    _refused(upload(PDF[:-8]), 422, "asset_document_type")  # truncated: no %%EOF
    context.settings.asset_document_max_bytes = len(PDF) - 1
    _refused(upload(PDF), 413, "asset_document_too_large")
    listed = _ok(api.get(path, as_user="operator"))
    assert len(listed) == 1 + 3  # the sample's certificate and the three accepted here
    _refused(
        api.get(
            f"{ASSETS}/{_by_code(api, 'WP-1')['id']}/documents/{stored['id']}/file", as_user="tech"
        ),
        404,
        "not_found",
    )


def test_the_qr_label_is_an_svg_of_the_assets_console_page(
    api: ApiClient, site: LoadResult
) -> None:
    asset = _by_code(api, "AG-NORTH")
    response = api.get(f"{ASSETS}/{asset['id']}/label.svg", as_user="tech")
    assert isinstance(response, httpx2.Response) and response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    root = fromstring(response.content)
    assert root.tag == f"{SVG_NS}svg"
    assert [t.text for t in root.iter(f"{SVG_NS}text")] == [
        "AG-NORTH",
        "北门道闸 North gate barrier",
    ]
    url = f"http://testserver/console/assets/{asset['id']}"
    buffer = io.BytesIO()
    segno.make_qr(url, error="m").save(buffer, kind="svg", scale=4, border=4)
    expected = fromstring(buffer.getvalue())
    [path] = [p for p in root.iter(f"{SVG_NS}path")]
    [wanted] = [p for p in expected.iter(f"{SVG_NS}path")]
    assert path.get("d") == wanted.get("d")  # the same modules: the QR code encodes `url`


def _import(api: ApiClient, site: LoadResult, data: bytes, **form: str) -> Any:
    files = {"file": ("ledger.xlsx", data, XLSX_TYPE)}
    body = {"site_id": str(site.site_id), **form}
    return _ok(api.post(f"{ASSETS}/import", as_user="admin", data=body, files=files))


def test_an_import_with_a_bad_row_reports_it_and_writes_nothing(
    api: ApiClient, site: LoadResult
) -> None:
    good = ("GEN-1", "柴油发电机", "发电机", "B2", "地下室", "2023-05-01", "2026-04-30", "备用", "")
    bad = ("CAM-1", "北门摄像机", "摄像机", "B1", "", "2024-13-01", "", "", "gate-9")
    report = _import(api, site, xlsx([good, bad]))
    assert not report["applied"]
    assert [(e["row"], e["column"], e["field"], e["code"]) for e in report["errors"]] == [
        (3, "F", "install_date", "asset_import_date"),
        (3, "I", "devices", "asset_import_device"),
    ]
    assert "GEN-1" not in {a["code"] for a in _ok(api.get(ASSETS, as_user="admin"))}
    fixed = ("CAM-1", "北门摄像机", "摄像机", "B1", "", "2024-12-01", "", "", "")
    preview = _import(api, site, xlsx([good, fixed]), dry_run="true")
    assert (preview["applied"], preview["created"], preview["errors"]) == (False, 2, [])
    done = _import(api, site, xlsx([good, fixed]))
    assert (done["applied"], done["created"]) == (True, 2)
    assert _by_code(api, "GEN-1")["status"] == "standby"
    not_xlsx = api.post(
        f"{ASSETS}/import",
        as_user="admin",
        data={"site_id": str(site.site_id)},
        files={"file": ("l.xlsx", b"PK\x03\x04 nope", XLSX_TYPE)},
    )
    _refused(not_xlsx, 422, "asset_import_not_xlsx")


def test_export_then_import_changes_nothing(api: ApiClient, site: LoadResult) -> None:
    exported = api.get(f"{ASSETS}/export.xlsx?site_id={site.site_id}", as_user="tech")
    assert isinstance(exported, httpx2.Response) and exported.status_code == 200
    assert exported.headers["content-type"] == XLSX_TYPE
    before = _by_code(api, "WP-1")
    report = _import(api, site, exported.content)
    assert (report["unchanged"], report["updated"], report["created"]) == (6, 0, 0)
    after = _by_code(api, "WP-1")
    assert (after["history"], after["devices"]) == (before["history"], before["devices"])


def test_a_spreadsheet_past_the_limit_is_refused(
    api: ApiClient, site: LoadResult, context: HubContext
) -> None:
    context.settings.asset_import_max_bytes = 1000
    big = b"PK" + b"\0" * (1000 + FORM_ALLOWANCE)  # refused by the body guard, unread
    files = {"file": ("ledger.xlsx", big, XLSX_TYPE)}
    body = {"site_id": str(site.site_id)}
    _refused(
        api.post(f"{ASSETS}/import", as_user="admin", data=body, files=files), 413, "too_large"
    )
    small = xlsx([("X-1", "水泵", "水泵")] * 40)
    assert 1000 < len(small) < 1000 + FORM_ALLOWANCE  # past the import's own limit
    files = {"file": ("ledger.xlsx", small, XLSX_TYPE)}
    _refused(
        api.post(f"{ASSETS}/import", as_user="admin", data=body, files=files),
        413,
        "asset_import_too_large",
    )
