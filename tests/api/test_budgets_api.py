"""预算与实际: a department head drafts and submits a yearly budget, finance approves or returns
it, an approved one is read-only and changes as a new version; the report sets it against the
payments, repairs and cost entries of each month, in JSON, CSV and XLSX."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from openpyxl import load_workbook

from hub.clock import FakeClock
from hub.context import HubContext
from hub.services.billing import run_billing
from hub.services.home_accounts import record_counter_payment
from hub.services.site import LoadResult
from hub.storage.models import AuditEntry, User
from hub.storage.models.billing import PaymentMethod
from tests.conftest import ApiClient
from tests.services.test_billing import bill_of
from tests.support.budgets import approved, departments, ok
from tests.support.maintenance import asset_id
from tests.support.repairs import repair

BUDGETS = "/api/v1/budgets"
REPORT = "/api/v1/reports/budget"
YEAR = {"year": 2026}
REPAIRS_1000 = [{"category": "repairs", "yearly": "1000.00"}]


def lines_of(budget: dict[str, Any]) -> dict[str, list[str]]:
    return {line["category"]: line["months"] for line in budget["lines"]}


def test_the_head_drafts_finance_returns_then_approves(
    api: ApiClient, context: HubContext, site: LoadResult
) -> None:
    engineering = departments(api)["engineering"]
    draft = ok(
        api.post(BUDGETS, as_user="tech", json={"department_id": engineering, "year": 2026}), 201
    ).json()
    url = f"{BUDGETS}/{draft['id']}"
    labour = ["5000.00"] * 12
    body = {"lines": [*REPAIRS_1000, {"category": "labour", "months": labour}]}
    saved = ok(api.put(f"{url}/lines", as_user="tech", json=body)).json()
    # 1,000.00 spread evenly: the 4 fen left over go to the first four months
    assert lines_of(saved)["repairs"] == ["83.34"] * 4 + ["83.33"] * 8
    assert saved["total"] == "61000.00" and saved["status"] == "draft"
    ok(api.post(f"{url}/approve", as_user="finance"), 409)  # not submitted yet
    ok(api.post(f"{url}/submit", as_user="tech"))
    ok(api.post(f"{url}/approve", as_user="tech"), 403)  # only finance decides
    ok(api.post(f"{url}/approve", as_user="admin"), 403)
    ok(api.put(f"{url}/lines", as_user="tech", json=body), 409)  # submitted: wait for finance
    returned = ok(
        api.post(f"{url}/return", as_user="finance", json={"comment": "人工偏高 Labour too high"})
    ).json()
    assert (returned["status"], returned["comment"]) == ("returned", "人工偏高 Labour too high")
    body["lines"][1]["months"] = ["4500.00"] * 12
    ok(api.put(f"{url}/lines", as_user="tech", json=body))
    ok(api.post(f"{url}/submit", as_user="tech"))
    done = ok(api.post(f"{url}/approve", as_user="finance")).json()
    assert (done["status"], done["total"]) == ("approved", "55000.00")
    with context.db.session() as session:
        actions = session.scalars(
            sa.select(AuditEntry.action)
            .where(AuditEntry.target == f"budget:{draft['id']}")
            .order_by(AuditEntry.id)
        ).all()
    assert actions == [
        "budget_draft",
        "budget_lines",
        "budget_submit",
        "budget_return",
        "budget_lines",
        "budget_submit",
        "budget_approve",
    ]


def test_only_the_head_or_an_admin_prepares_and_others_do_not_see_it(
    api: ApiClient, context: HubContext, site: LoadResult
) -> None:
    engineering = departments(api)["engineering"]
    new = {"department_id": engineering, "year": 2026}
    for user in ("guard", "finance", "operator"):  # heads of nothing here, or of another
        ok(api.post(BUDGETS, as_user=user, json=new), 404 if user != "finance" else 403)
    ok(api.post(BUDGETS, as_user="owner101", json=new), 403)
    draft = ok(api.post(BUDGETS, as_user="admin", json=new), 201).json()
    ok(api.post(BUDGETS, as_user="tech", json=new), 409)  # one version in the works at a time
    ok(api.get(f"{BUDGETS}/{draft['id']}", as_user="tech"))
    ok(api.get(f"{BUDGETS}/{draft['id']}", as_user="guard"), 404)
    ok(api.post(f"{BUDGETS}/{draft['id']}/submit", as_user="guard"), 404)
    assert ok(api.get(BUDGETS, as_user="guard")).json() == []
    assert [b["id"] for b in ok(api.get(BUDGETS, as_user="finance", params=YEAR)).json()] == [
        draft["id"]
    ]
    ok(api.get(REPORT, as_user="owner101", params=YEAR), 403)


def test_finance_does_not_approve_a_budget_they_drafted(
    api: ApiClient, context: HubContext, site: LoadResult
) -> None:
    ids = departments(api)
    with context.db.session() as session:
        finance = session.scalars(sa.select(User).where(User.username == "finance")).one()
        finance_id = finance.id
    head = {"head_id": finance_id}
    ok(api.put(f"/api/v1/departments/{ids['admin']}/head", as_user="admin", json=head))
    draft = ok(
        api.post(BUDGETS, as_user="finance", json={"department_id": ids["admin"], "year": 2026}),
        201,
    ).json()
    ok(api.post(f"{BUDGETS}/{draft['id']}/submit", as_user="finance"))
    refused = ok(api.post(f"{BUDGETS}/{draft['id']}/approve", as_user="finance"), 403)
    assert "someone other" in refused.json()["detail"]


def test_an_approved_budget_is_read_only_and_changes_as_a_new_version(
    api: ApiClient, context: HubContext, site: LoadResult
) -> None:
    engineering = departments(api)["engineering"]
    first = approved(api, engineering, REPAIRS_1000, "tech")
    ok(api.put(f"{BUDGETS}/{first['id']}/lines", as_user="tech", json={"lines": []}), 409)
    ok(api.post(f"{BUDGETS}/{first['id']}/submit", as_user="tech"), 409)
    second = ok(
        api.post(BUDGETS, as_user="tech", json={"department_id": engineering, "year": 2026}), 201
    ).json()
    assert (second["version"], second["status"]) == (2, "draft")
    assert lines_of(second) == lines_of(first)  # starts as a copy
    more = {"lines": [{"category": "repairs", "yearly": "1200.00"}]}
    ok(api.put(f"{BUDGETS}/{second['id']}/lines", as_user="tech", json=more))

    def year_budget() -> str:
        report = ok(api.get(REPORT, as_user="finance", params=YEAR)).json()
        [row] = report["rows"]
        budget: str = row["year"]["budget"]
        return budget

    assert year_budget() == "1000.00"  # the draft counts for nothing yet
    ok(api.post(f"{BUDGETS}/{second['id']}/submit", as_user="tech"))
    ok(api.post(f"{BUDGETS}/{second['id']}/approve", as_user="finance"))
    assert year_budget() == "1200.00"
    old = ok(api.get(f"{BUDGETS}/{first['id']}", as_user="tech")).json()
    assert old["status"] == "superseded"


def paid_october_bill(context: HubContext) -> Decimal:
    """B1/102's October bill (property fee only, no readings), paid at the counter now."""
    with context.db.session() as s:
        run_billing(s, period="2026-10", now=context.clock.now())
        bill = bill_of(s, "B1/102")
        finance = s.scalars(sa.select(User).where(User.username == "finance")).one()
        record_counter_payment(
            s,
            home_id=bill.home_id,
            method=PaymentMethod.CASH,
            amount=bill.total,
            receipt_no="R-1",
            reference=None,
            by=finance,
            now=context.clock.now(),
        )
        return bill.total


def actuals_of_november(
    api: ApiClient, context: HubContext, clock: FakeClock, site: LoadResult
) -> dict[str, int]:
    """Budgets for engineering repairs and income, then in November: B1/102's bill paid, a
    pump repair of 2 x 150.00 + 35.50, a security cost of 800.00 and one entered by mistake
    and reversed."""
    ids = departments(api)
    approved(api, ids["engineering"], REPAIRS_1000, "tech")
    approved(api, ids["admin"], [{"category": "property_fee", "yearly": "3600.00"}], "admin")
    paid_october_bill(context)
    repair(context, clock, site.site_id, asset_id(context, site, "WP-1"), [("2", "150")], "35.50")
    entry = {
        "department_id": ids["security"],
        "category": "security",
        "day": "2026-11-03",
        "amount": "800.00",
        "voucher_no": "记-11-007",
        "note": "对讲机 Radios",
    }
    ok(api.post("/api/v1/cost-entries", as_user="finance", json=entry), 201)
    wrong = ok(api.post("/api/v1/cost-entries", as_user="finance", json=entry), 201).json()
    reversal = {"note": "重复录入 Entered twice"}
    url = f"/api/v1/cost-entries/{wrong['id']}/reverse"
    assert ok(api.post(url, as_user="finance", json=reversal), 201).json()["amount"] == "-800.00"
    ok(api.post(url, as_user="finance", json=reversal), 409)  # reversed once only
    return ids


def cells(report: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(row["department"], row["category"]): row for row in report["rows"]}


def test_actuals_land_in_their_department_category_and_month(
    api: ApiClient, context: HubContext, clock: FakeClock, site: LoadResult
) -> None:
    actuals_of_november(api, context, clock, site)
    report = ok(api.get(REPORT, as_user="finance", params=YEAR)).json()
    assert report["through"] == 11  # the clock is in November 2026
    found = cells(report)
    repairs = found["工程部 Engineering", "repairs"]
    assert repairs["months"][10] == {
        "budget": "83.33",
        "actual": "335.50",
        "variance": "252.17",
        "pct": "402.6",  # 335.50 / 83.33 = 402.62 %
    }
    assert repairs["months"][9]["actual"] == "0.00"
    # year to date, January to November: 4 x 83.34 + 7 x 83.33 budgeted
    assert repairs["ytd"] == {
        "budget": "916.67",
        "actual": "335.50",
        "variance": "-581.17",
        "pct": "36.6",
    }
    fee = found["财务/行政部 Finance and admin", "property_fee"]
    assert fee["months"][10] == {
        "budget": "300.00",
        "actual": "300.00",
        "variance": "0.00",
        "pct": "100.0",
    }
    security = found["安保部 Security", "security"]
    assert security["months"][10]["actual"] == "800.00"  # the reversed entry nets to nothing
    assert security["ytd"]["pct"] is None  # nothing budgeted
    assert report["cost_total"]["ytd"]["actual"] == "1135.50"
    assert report["income_total"]["ytd"] == {
        "budget": "3300.00",
        "actual": "300.00",
        "variance": "-3000.00",
        "pct": "9.1",
    }


def test_a_head_reads_only_their_departments_rows(
    api: ApiClient, context: HubContext, clock: FakeClock, site: LoadResult
) -> None:
    ids = actuals_of_november(api, context, clock, site)
    mine = ok(api.get(REPORT, as_user="tech", params=YEAR)).json()
    assert {row["department_id"] for row in mine["rows"]} == {ids["engineering"]}
    assert mine["income_total"]["ytd"]["actual"] == "0.00"
    assert ok(api.get(REPORT, as_user="operator", params=YEAR)).json()["rows"] == []
    other = {**YEAR, "department_id": ids["security"]}
    assert ok(api.get(REPORT, as_user="tech", params=other)).json()["rows"] == []
    ok(api.get("/api/v1/cost-entries", as_user="tech", params=YEAR), 403)
    entries = ok(api.get("/api/v1/cost-entries", as_user="admin", params=YEAR)).json()
    assert [(e["amount"], e["reversed"]) for e in entries] == [
        ("800.00", False),
        ("800.00", True),
        ("-800.00", False),
    ]


def test_csv_and_xlsx_hold_the_months_and_the_year_to_date(
    api: ApiClient, context: HubContext, clock: FakeClock, site: LoadResult
) -> None:
    actuals_of_november(api, context, clock, site)
    report = ok(api.get(REPORT, as_user="finance", params=YEAR)).json()
    raw = ok(api.get(f"{REPORT}.csv", as_user="finance", params=YEAR))
    assert raw.content.startswith(b"\xef\xbb\xbf")
    assert 'filename="budget-2026.csv"' in raw.headers["content-disposition"]
    lines = list(csv.reader(io.StringIO(raw.content.decode("utf-8-sig"))))
    assert lines[0] == ["预算与实际 Budget vs actual 2026"]
    assert len(lines) == 2 + (len(report["rows"]) + 2) * 13 + 1  # 12 months and YTD a row
    repairs = [line for line in lines if line[2:3] == ["维修 Repairs and parts"]]
    assert repairs[10][3:] == ["2026-11", "83.33", "335.50", "252.17", "402.6"]
    assert repairs[12][3:] == [
        "累计 YTD 2026-01..2026-11",
        "916.67",
        "335.50",
        "-581.17",
        "36.6",
    ]
    xlsx = ok(api.get(f"{REPORT}.xlsx", as_user="tech", params=YEAR))
    book = load_workbook(io.BytesIO(xlsx.content))
    sheet = book.worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:4] == ["小区 Estate", "部门 Department", "类别 Category", "月份 Month"]
    [ytd] = [r for r in rows if r[2] == "维修 Repairs and parts" and str(r[3]).startswith("累计")]
    assert ytd[1:4] == ["工程部 Engineering", "维修 Repairs and parts", "累计 YTD 2026-01..2026-11"]
    assert [Decimal(str(v)) for v in ytd[4:]] == [
        Decimal(v) for v in ("916.67", "335.50", "-581.17", "36.6")
    ]  # numbers, not text
    assert rows[-1][2] == "支出合计 Cost total"
    assert Decimal(str(rows[-1][5])) == Decimal("335.50")  # the head's own costs only


def test_cost_entries_are_finance_s_and_checked(
    api: ApiClient, context: HubContext, site: LoadResult
) -> None:
    ids = departments(api)
    entry = {
        "department_id": ids["engineering"],
        "category": "property_fee",
        "day": "2026-11-03",
        "amount": "10.00",
        "voucher_no": "记-1",
    }
    assert (
        ok(api.post("/api/v1/cost-entries", as_user="finance", json=entry), 422).json()["code"]
        == "invalid_input"
    )  # income is not a cost
    entry["category"] = "repairs"
    ok(api.post("/api/v1/cost-entries", as_user="admin", json=entry), 403)
    ok(api.post("/api/v1/cost-entries", as_user="finance", json={**entry, "amount": "-5"}), 422)
    ok(api.post("/api/v1/cost-entries", as_user="finance", json=entry), 201)
