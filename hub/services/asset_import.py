"""The ledger as a spreadsheet: export to .xlsx, and import one back, checked row by row.

An import is all or nothing: every row is checked first (required cells, class and status
words, dates, buildings and devices of the estate, a code twice in the sheet), and a single bad
row means nothing is written; the report names each bad cell by row number, column letter and a
code a page translates. `dry_run` checks and counts without writing. A row whose code is
already in the ledger updates that asset (with history); the others are created.

The header row may use the Chinese or the English column names, or both as the export writes
them ("编号 Code"). The file is capped before it is opened, and so is what its zip would expand
to (a small .xlsx can inflate to gigabytes).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import BinaryIO, TypeVar

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain import AssetClass, AssetStatus
from hub.errors import InvalidInput, TooLarge
from hub.services import assets
from hub.services.spreadsheets import safe
from hub.settings import Settings
from hub.storage.models import Asset, Building, Device, User

E = TypeVar("E", AssetClass, AssetStatus)
K = TypeVar("K")
V = TypeVar("V")
MAX_ROWS = 5000
MAX_EXPANDED_BYTES = 64 * 1024 * 1024
SHEET_TITLE = "设施台账 Assets"

CLASS_NAMES: dict[AssetClass, str] = {
    AssetClass.ELEVATOR: "电梯",
    AssetClass.WATER_PUMP: "水泵",
    AssetClass.FIRE_ALARM_PANEL: "火灾报警控制器",
    AssetClass.FIRE_PUMP: "消防泵",
    AssetClass.TRANSFORMER: "变压器",
    AssetClass.GENERATOR: "发电机",
    AssetClass.ACCESS_GATE: "道闸门禁",
    AssetClass.CAMERA: "摄像机",
    AssetClass.BOILER: "锅炉",
    AssetClass.HVAC: "暖通空调",
    AssetClass.LIGHTING: "照明",
    AssetClass.OTHER: "其他",
}
STATUS_NAMES: dict[AssetStatus, str] = {
    AssetStatus.IN_SERVICE: "在用",
    AssetStatus.UNDER_REPAIR: "维修中",
    AssetStatus.STANDBY: "备用",
    AssetStatus.RETIRED: "报废",
}


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    required: bool = False

    @property
    def header(self) -> str:
        return f"{self.zh} {self.en}"


COLUMNS = (
    Column("code", "编号", "Code", required=True),
    Column("name", "名称", "Name", required=True),
    Column("asset_class", "类别", "Class", required=True),
    Column("building", "楼栋", "Building"),
    Column("location", "位置", "Location"),
    Column("vendor", "厂商", "Vendor"),
    Column("model", "型号", "Model"),
    Column("serial", "序列号", "Serial"),
    Column("install_date", "安装日期", "Install date"),
    Column("warranty_end", "保修截止", "Warranty end"),
    Column("contractor", "维保单位", "Contractor"),
    Column("status", "状态", "Status"),
    Column("devices", "关联设备", "Devices"),
)


def _norm(text: str) -> str:
    return "".join(text.lower().split()).replace("_", "")


_FIELDS = {"building": "building_id"}  # a column whose asset field has another name
_HEADER_NAMES = {
    _norm(name): column
    for column in COLUMNS
    for name in (column.key, column.zh, column.en, column.header)
}


@dataclass(frozen=True)
class RowError:
    row: int  # the sheet's row number, the header being row 1
    column: str  # the column letter ("" for the whole row or file)
    field: str  # the column's key, e.g. install_date
    code: str
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    applied: bool = False
    errors: list[RowError] = field(default_factory=list)


@dataclass(frozen=True)
class _Row:
    number: int
    data: assets.AssetData
    devices: list[int] | None  # None: the sheet has no devices column
    given: frozenset[str]  # the fields the sheet has columns for; the others stay as they are


class _Bad(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def read_workbook(stream: BinaryIO, *, settings: Settings) -> list[tuple[object, ...]]:
    """The first sheet's rows as values; `TooLarge` or `InvalidInput` for a file that is not a
    workbook within the limits."""
    limit = settings.asset_import_max_bytes
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(
            f"import: larger than the limit of {limit} bytes; 文件太大",
            code="asset_import_too_large",
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _not_xlsx("not a zip archive") from None
    if expanded > MAX_EXPANDED_BYTES:
        raise TooLarge(
            "import: the workbook expands too far; 文件过大", code="asset_import_too_large"
        )
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = [
            tuple(r) for r in book.worksheets[0].iter_rows(values_only=True, max_row=MAX_ROWS + 2)
        ]
        book.close()
    except Exception as exc:  # openpyxl has no error hierarchy: any failure means a bad file
        raise _not_xlsx(type(exc).__name__) from None
    if len(rows) > MAX_ROWS + 1:
        raise InvalidInput(
            f"import: at most {MAX_ROWS} rows at once; 一次最多导入 {MAX_ROWS} 行",
            code="asset_import_too_many_rows",
        )
    return rows


def _not_xlsx(why: str) -> InvalidInput:
    return InvalidInput(
        f"import: not an .xlsx workbook ({why}); 请上传 Excel (.xlsx) 文件",
        code="asset_import_not_xlsx",
    )


def import_rows(
    session: Session,
    rows: list[tuple[object, ...]],
    *,
    site_id: int,
    dry_run: bool,
    by: User | None,
    now: datetime,
) -> ImportReport:
    """Check every row; write them all (unless `dry_run`) only if none is bad."""
    assets.site_or_raise(session, site_id)
    report = ImportReport()
    header = rows[0] if rows else ()
    columns = _columns(header, report)
    if report.errors:
        return report
    checked = _check_rows(session, site_id, rows[1:], columns, report)
    if report.errors:
        return report
    if dry_run:
        for row in checked:
            _count(session, report, assets.by_code(session, site_id, row.data.code), row)
        return report
    for row in checked:
        _count(session, report, assets.by_code(session, site_id, row.data.code), row)
        asset = assets.upsert(
            session, site_id=site_id, data=row.data, by=by, now=now, only=row.given
        )
        if row.devices is not None:
            assets.set_devices(session, asset, row.devices, by=by, now=now)
    report.applied = True
    return report


def _count(session: Session, report: ImportReport, existing: Asset | None, row: _Row) -> None:
    if existing is None:
        report.created += 1
    elif assets.changes_to(existing, row.data, row.given) or _devices_change(
        session, existing, row
    ):
        report.updated += 1
    else:
        report.unchanged += 1


def _devices_change(session: Session, asset: Asset, row: _Row) -> bool:
    if row.devices is None:
        return False
    return sorted(row.devices) != sorted(d.id for d in assets.linked_devices(session, asset.id))


def _columns(header: tuple[object, ...], report: ImportReport) -> dict[int, Column]:
    found: dict[int, Column] = {}
    for index, cell in enumerate(header):
        if cell is None or not str(cell).strip():
            continue
        column = _HEADER_NAMES.get(_norm(str(cell)))
        letter = get_column_letter(index + 1)
        if column is None:
            report.errors.append(
                RowError(1, letter, "", "asset_import_column_unknown", f"unknown column {cell!r}")
            )
        elif column in found.values():
            report.errors.append(
                RowError(1, letter, column.key, "asset_import_column_twice", f"{cell!r} again")
            )
        else:
            found[index] = column
    for column in COLUMNS:
        if column.required and column not in found.values():
            report.errors.append(
                RowError(
                    1, "", column.key, "asset_import_column_missing", f"no {column.header} column"
                )
            )
    return found


def _check_rows(
    session: Session,
    site_id: int,
    rows: Iterable[tuple[object, ...]],
    columns: dict[int, Column],
    report: ImportReport,
) -> list[_Row]:
    checker = _Checker(session, site_id, columns)
    checked = []
    for number, values in enumerate(rows, start=2):
        cells = {
            column.key: values[index] if index < len(values) else None
            for index, column in columns.items()
        }
        if all(_text(v) == "" for v in cells.values()):
            continue  # a blank row between blocks
        report.rows += 1
        row, errors = checker.check(number, cells)
        report.errors += errors
        if row is not None:
            checked.append(row)
    return checked


class _Checker:
    """Checks rows one by one against the estate and the rows before them."""

    def __init__(self, session: Session, site_id: int, columns: dict[int, Column]) -> None:
        self.buildings = _pairs(
            session.execute(select(Building.code, Building.id).where(Building.site_id == site_id))
        )
        self.devices = _pairs(
            session.execute(select(Device.code, Device.id).where(Device.site_id == site_id))
        )
        self.letters = {c.key: get_column_letter(index + 1) for index, c in columns.items()}
        self.codes: dict[str, int] = {}  # code -> the row it was first on
        self.device_rows: dict[str, int] = {}

    def check(self, number: int, cells: dict[str, object]) -> tuple[_Row | None, list[RowError]]:
        errors: list[RowError] = []

        def bad(key: str, code: str, message: str) -> None:
            errors.append(RowError(number, self.letters.get(key, ""), key, code, message))

        parsed: dict[str, object] = {}
        for key, value in cells.items():
            try:
                parsed[key] = _parse(key, value, self.buildings)
            except _Bad as exc:
                bad(key, exc.code, str(exc))
        for column in COLUMNS:
            if column.required and parsed.get(column.key, "?") in ("", None):
                bad(column.key, "asset_import_required", f"{column.header} is required")
        code = str(parsed.get("code") or "")
        if code and code in self.codes:
            bad("code", "asset_import_duplicate", f"{code!r} is also on row {self.codes[code]}")
        self.codes.setdefault(code, number)
        device_ids: list[int] = []
        for device_code in _strings(parsed.get("devices")):
            if device_code not in self.devices:
                bad("devices", "asset_import_device", f"no device {device_code!r} in this estate")
            elif device_code in self.device_rows:
                where = self.device_rows[device_code]
                bad("devices", "asset_import_device_twice", f"{device_code!r} also on row {where}")
            else:
                self.device_rows[device_code] = number
                device_ids.append(self.devices[device_code])
        if errors:
            return None, errors
        values = {k: v for k, v in parsed.items() if k not in ("building", "devices")}
        data = assets.AssetData(building_id=parsed.get("building"), **values)  # type: ignore[arg-type]
        try:
            assets.check(data)
        except InvalidInput as exc:
            bad("warranty_end", exc.code, str(exc))
            return None, errors
        devices = device_ids if "devices" in self.letters else None
        given = frozenset(_FIELDS.get(k, k) for k in self.letters if k != "devices")
        return _Row(number, data, devices, given), errors


def _pairs(rows: Iterable[tuple[K, V]]) -> dict[K, V]:
    """Two columns as a mapping (a result's own `keys()` would fool `dict`)."""
    return {key: value for key, value in rows}


def _strings(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _parse(key: str, value: object, buildings: dict[str, int]) -> object:
    """One cell as the field's value; `_Bad` with a code when it cannot be."""
    text = _text(value)
    if key == "asset_class":
        return _word(text, AssetClass, CLASS_NAMES, "asset_import_class") if text else ""
    if key == "status":
        if not text:
            return AssetStatus.IN_SERVICE
        return _word(text, AssetStatus, STATUS_NAMES, "asset_import_status")
    if key in ("install_date", "warranty_end"):
        return _date(value, text)
    if key == "building":
        if not text:
            return None
        if text not in buildings:
            raise _Bad("asset_import_building", f"no building {text!r} in this estate")
        return buildings[text]
    if key == "devices":
        return [c.strip() for c in text.replace("，", ",").split(",") if c.strip()]
    limit = 64 if key == "code" else 200
    if len(text) > limit:
        raise _Bad("asset_import_too_long", f"at most {limit} characters")
    return text


def _word(text: str, enum: type[E], names: dict[E, str], code: str) -> E:
    wanted = _norm(text)
    for member in enum:
        if wanted in (_norm(member.value), _norm(names[member])):
            return member
    raise _Bad(code, f"{text!r} is not one of {', '.join(m.value for m in enum)}")


def _date(value: object, text: str) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not text:
        return None
    try:
        return date.fromisoformat(text.replace("/", "-").replace(".", "-"))
    except ValueError:
        raise _Bad("asset_import_date", f"{text!r} is not a date like 2024-05-31") from None


def to_xlsx(session: Session, ledger: list[Asset]) -> bytes:
    """The ledger as a workbook the import reads back unchanged."""
    building_codes = _pairs(session.execute(select(Building.id, Building.code)))
    device_codes: dict[int | None, list[str]] = {}
    for asset_id, code in session.execute(
        select(Device.asset_id, Device.code)
        .where(Device.asset_id.is_not(None))
        .order_by(Device.code)
    ):
        device_codes.setdefault(asset_id, []).append(code)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET_TITLE
    sheet.append([column.header for column in COLUMNS])
    for asset in ledger:
        sheet.append(
            [
                safe(asset.code),
                safe(asset.name),
                asset.asset_class.value,
                building_codes.get(asset.building_id) if asset.building_id else None,
                safe(asset.location),
                safe(asset.vendor),
                safe(asset.model),
                safe(asset.serial),
                asset.install_date,
                asset.warranty_end,
                safe(asset.contractor),
                asset.status.value,
                ", ".join(device_codes.get(asset.id, [])),
            ]
        )
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(column.header) + 4)
    for row in sheet.iter_rows(min_row=2, min_col=9, max_col=10):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
