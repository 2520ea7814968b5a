"""收缴率: billed against collected by month, building and fee type, the same in JSON, CSV and
XLSX; only finance and admins read it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx2
import sqlalchemy as sa
from openpyxl import load_workbook

from hub.context import HubContext
from hub.services.billing import run_billing
from hub.services.home_accounts import record_counter_payment
from hub.storage.models import Bill, Building, Home, User
from hub.storage.models.billing import PaymentMethod
from tests.conftest import ApiClient

REPORT = "/api/v1/reports/collection"
SEPT_OCT = {"from": "2026-09", "to": "2026-10"}


def ok(response: object, status: int = 200) -> httpx2.Response:
    assert isinstance(response, httpx2.Response)
    assert response.status_code == status, response.text
    return response


def two_months_one_paid(context: HubContext) -> None:
    """September and October property fees (no readings); B1/102 paid 450.00 at the counter:
    September's 300.00 (oldest first) and 150.00 of October's."""
    with context.db.session() as s:
        run_billing(s, period="2026-09", now=datetime(2026, 10, 5, tzinfo=UTC))
        run_billing(s, period="2026-10", now=context.clock.now())
        paid = s.scalars(
            sa.select(Bill)
            .join(Home, Home.id == Bill.home_id)
            .join(Building, Building.id == Home.building_id)
            .where(Bill.period == "2026-10", Building.code == "B1", Home.code == "102")
        ).one()
        finance = s.scalars(sa.select(User).where(User.username == "finance")).one()
        record_counter_payment(
            s,
            home_id=paid.home_id,
            method=PaymentMethod.CASH,
            amount=paid.total + Decimal(150),
            receipt_no="R-1",
            reference=None,
            by=finance,
            now=context.clock.now(),
        )


def fees(report: dict[str, Any], period: str, building: str) -> dict[str, tuple[str, ...]]:
    return {
        row["fee"]: (row["billed"], row["collected"], row["rate_pct"])
        for row in report["rows"]
        if row["period"] == period and row["building"] == building
    }


def test_the_rate_per_month_building_and_fee(api: ApiClient, context: HubContext) -> None:
    two_months_one_paid(context)
    report = ok(api.get(REPORT, as_user="finance", params=SEPT_OCT)).json()
    # building 1 in September: 223.75 + 300.00 of property fee billed, 300.00 collected
    assert fees(report, "2026-09", "1号楼 Building 1")["property_fee"] == (
        "523.75",
        "300.00",
        "57.3",  # 300 / 523.75 = 57.28 %
    )
    # October: B1/102's bill partly paid; collected is what was allocated to it
    assert fees(report, "2026-10", "1号楼 Building 1")["property_fee"] == (
        "523.75",
        "150.00",
        "28.6",
    )
    # meters without readings bill 0.00: no rate for nothing billed
    assert fees(report, "2026-10", "2号楼 Building 2")["water"] == ("0.00", "0.00", None)
    total = report["total"]
    assert (total["billed"], total["collected"], total["outstanding"]) == (
        "1428.76",
        "450.00",
        "978.76",
    )
    assert total["rate_pct"] == "31.5"  # 450 / 1428.76 = 31.496 %


def test_csv_and_xlsx_hold_the_same_rows(api: ApiClient, context: HubContext) -> None:
    two_months_one_paid(context)
    report = ok(api.get(REPORT, as_user="admin", params=SEPT_OCT)).json()
    raw = ok(api.get(f"{REPORT}.csv", as_user="finance", params=SEPT_OCT))
    assert raw.headers["content-type"].startswith("text/csv")
    assert raw.content.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads the Chinese
    lines = list(csv.reader(io.StringIO(raw.content.decode("utf-8-sig"))))
    assert lines[0] == ["收缴率 Collection"]
    assert lines[-2][0] == "合计 Total" and lines[-2][4:7] == ["1428.76", "450.00", "978.76"]
    assert len(lines) == 1 + 1 + len(report["rows"]) + 1 + 1  # title, header, rows, total, blank
    book = load_workbook(
        io.BytesIO(ok(api.get(f"{REPORT}.xlsx", as_user="finance", params=SEPT_OCT)).content)
    )
    sheet = book.worksheets[0]
    assert sheet.max_row == 1 + len(report["rows"]) + 1
    assert sheet.cell(row=sheet.max_row, column=8).value == "31.5"


def test_bad_months_and_other_roles_are_refused(api: ApiClient) -> None:
    bad = ok(api.get(REPORT, as_user="finance", params={"from": "2026-13", "to": "2026-10"}), 422)
    assert bad.json()["code"] == "invalid_input"
    ok(api.get(REPORT, as_user="finance", params={"from": "2026-09"}), 422)
    for user in ("owner101", "operator", "service", "tech", "guard"):
        ok(api.get(REPORT, as_user=user, params=SEPT_OCT), 403)
