"""The ledger spreadsheet import: every bad cell reported by row, column and code, nothing
written while any row is bad, Chinese or English headers, updates kept as history."""

from __future__ import annotations

import zipfile
from datetime import date
from io import BytesIO

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from hub.context import HubContext
from hub.domain import AssetClass, AssetStatus
from hub.errors import InvalidInput, TooLarge
from hub.services import asset_import, assets
from hub.services.site import LoadResult
from hub.storage.models import Asset, AssetChange, Device
from tests.support.ledger_sheets import EN_HEADER, ZH_HEADER, xlsx

GOOD = ("EL-B1-2", "1号楼2号电梯", "电梯", "B1", "1单元", "2024-05-01", "2027-04-30", "在用", "")


def _run(
    context: HubContext, site: LoadResult, data: bytes, *, dry_run: bool = False
) -> asset_import.ImportReport:
    with context.db.session() as session:
        rows = asset_import.read_workbook(BytesIO(data), settings=context.settings)
        return asset_import.import_rows(
            session, rows, site_id=site.site_id, dry_run=dry_run, by=None, now=context.clock.now()
        )


def _codes(context: HubContext) -> set[str]:
    with context.db.session() as session:
        return set(session.scalars(sa.select(Asset.code)))


@pytest.mark.parametrize(
    ("row", "column", "code"),
    [
        (("X-1", "", "电梯", "", "", "", "", "", ""), "B", "asset_import_required"),
        (("X-1", "水箱", "water tank", "", "", "", "", "", ""), "C", "asset_import_class"),
        (("X-1", "水泵", "水泵", "B9", "", "", "", "", ""), "D", "asset_import_building"),
        (("X-1", "水泵", "水泵", "", "", "31/05/2024", "", "", ""), "F", "asset_import_date"),
        (("X-1", "水泵", "水泵", "", "", "", "", "broken", ""), "H", "asset_import_status"),
        (("X-1", "水泵", "水泵", "", "", "", "", "", "pump-9"), "I", "asset_import_device"),
        (("X-1", "水泵", "水泵", "", "", "", "", "", "pump-1"), "I", "asset_import_device_twice"),
        (("EL-B1-2", "又一台", "电梯", "", "", "", "", "", ""), "A", "asset_import_duplicate"),
        (
            ("X-1", "水泵", "水泵", "", "", "2024-05-01", "2024-01-01", "", ""),
            "G",
            "asset_warranty_before_install",
        ),
    ],
)
def test_a_bad_row_is_named_by_row_column_and_code_and_nothing_is_written(
    context: HubContext, site: LoadResult, row: tuple[str, ...], column: str, code: str
) -> None:
    good_with_pump = (*GOOD[:-1], "pump-1")
    before = _codes(context)
    report = _run(context, site, xlsx([good_with_pump, row]))
    assert [(e.row, e.column, e.code) for e in report.errors] == [(3, column, code)]
    assert not report.applied
    assert _codes(context) == before  # the good row was not written either


def test_good_rows_are_written_and_counted(context: HubContext, site: LoadResult) -> None:
    rows = [GOOD, ("WP-3", "3号水泵", "water_pump", "", "泵房", "", "", "standby", "pump-1")]
    preview = _run(context, site, xlsx(rows), dry_run=True)
    assert (preview.created, preview.applied, preview.errors) == (2, False, [])
    assert "EL-B1-2" not in _codes(context)
    report = _run(context, site, xlsx(rows))
    assert (report.rows, report.created, report.applied) == (2, 2, True)
    with context.db.session() as session:
        pump = assets.by_code(session, site.site_id, "WP-3")
        assert pump is not None and pump.status is AssetStatus.STANDBY
        device = session.scalars(sa.select(Device).where(Device.code == "pump-1")).one()
        assert device.asset_id == pump.id  # moved from WP-1, where the site file put it
        first = assets.by_code(session, site.site_id, "WP-1")
        assert first is not None
        [(lost, _), *_] = assets.history(session, first.id)
        assert (lost.field, lost.old, lost.new) == ("devices", "pump-1", "")
        elevator = assets.by_code(session, site.site_id, "EL-B1-2")
        assert elevator is not None and elevator.asset_class is AssetClass.ELEVATOR
        assert elevator.install_date == date(2024, 5, 1)


def test_english_headers_and_an_update_with_history(context: HubContext, site: LoadResult) -> None:
    row = (
        "WP-2",
        "2号生活水泵",
        "water_pump",
        "",
        "地下泵房 Basement pump room",
        "2020-09-10",
        "2022-09-09",
        "in_service",
        "",
    )
    report = _run(context, site, xlsx([row], header=EN_HEADER))
    assert (report.updated, report.created, report.errors) == (1, 0, [])
    with context.db.session() as session:
        changes = session.scalars(
            sa.select(AssetChange.field).join(Asset).where(Asset.code == "WP-2")
        ).all()
    assert set(changes) == {"name", "status"}


def test_header_problems_are_row_one(context: HubContext, site: LoadResult) -> None:
    header = ("编号", "名称", "颜色")  # no class column, an unknown one
    report = _run(context, site, xlsx([("X", "Y", "red")], header=header))
    assert {(e.row, e.column, e.code) for e in report.errors} == {
        (1, "C", "asset_import_column_unknown"),
        (1, "", "asset_import_column_missing"),
    }


def test_files_that_are_not_workbooks_or_too_large_are_refused(
    context: HubContext, site: LoadResult
) -> None:
    with pytest.raises(InvalidInput) as info:
        _run(context, site, b"code,name\nX,Y\n")
    assert info.value.code == "asset_import_not_xlsx"
    broken = BytesIO()
    with zipfile.ZipFile(BytesIO(xlsx([GOOD]))) as good, zipfile.ZipFile(broken, "w") as bad:
        for item in good.infolist():
            content = good.read(item)
            bad.writestr(item, b"<worksheet><row" if "worksheets/" in item.filename else content)
    with pytest.raises(InvalidInput) as damaged:
        _run(context, site, broken.getvalue())  # a zip of the right files, one of them cut off
    assert damaged.value.code == "asset_import_not_xlsx"
    context.settings.asset_import_max_bytes = 100
    with pytest.raises(TooLarge) as too_large:
        _run(context, site, xlsx([GOOD]))
    assert too_large.value.code == "asset_import_too_large"


def test_export_reads_back_unchanged(context: HubContext, site: LoadResult) -> None:
    with context.db.session() as session:
        data = asset_import.to_xlsx(session, assets.search(session, assets.AssetFilter()))
    header = next(load_workbook(BytesIO(data)).worksheets[0].iter_rows(values_only=True))
    assert header[0] == "编号 Code"
    report = _run(context, site, data)
    assert (report.unchanged, report.created, report.updated, report.errors) == (6, 0, 0, [])


def test_zh_header_constant_covers_the_documented_names() -> None:
    names = {c.zh for c in asset_import.COLUMNS}
    assert set(ZH_HEADER) <= names
