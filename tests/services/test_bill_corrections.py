"""Corrections of written bills: a reading corrected (人工更正), the bill credited (红字冲销) and
re-billed (重开) with it; a credited bill out of arrears; the run never re-billing by itself;
estimated readings (估抄) and their true-up."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from hub.context import HubContext
from hub.domain import BillStatus
from hub.errors import Conflict, NotFound
from hub.services.billing import list_arrears, run_billing
from hub.services.billing.arrears import aging, remind
from hub.services.billing.corrections import correct_reading
from hub.services.billing.credit_notes import issue_credit_note, rebill
from hub.services.billing.reports import collection
from hub.services.home_accounts import balance_of, record_counter_payment
from hub.services.refunds import refund_payment
from hub.services.site import LoadResult, load_site
from hub.storage.models import AuditEntry, Bill, BillLine, Device, Meter, Reading, Site, User
from hub.storage.models.billing import PaymentMethod
from tests.services.test_billing import AFTER_OCTOBER, add_readings, bill_json, bill_of
from tests.services.test_billing import october as october  # the fixture
from tests.support.site_files import sample_data, site_file_of

AFTER_NOVEMBER = datetime(2026, 12, 10, 2, 0, tzinfo=UTC)
D = Decimal


def finance(session: Session) -> User:
    return session.scalars(sa.select(User).where(User.username == "finance")).one()


def reading_of(session: Session, device_code: str, value: str) -> Reading:
    return session.scalars(
        sa.select(Reading)
        .join(Device, Device.id == Reading.device_id)
        .where(Device.code == device_code, Reading.value == D(value))
    ).one()


def meter_of(session: Session, device_code: str) -> Meter:
    return session.scalars(
        sa.select(Meter)
        .join(Device, Device.id == Meter.device_id)
        .where(Device.code == device_code)
    ).one()


def correct(session: Session, device_code: str, was: str, value: str) -> None:
    reading = reading_of(session, device_code, was)
    correct_reading(
        session,
        meter_id=meter_of(session, device_code).id,
        reading_id=reading.id,
        value=D(value),
        reason="照片读数 read from a photo of the register",
        user_id=finance(session).id,
        now=AFTER_OCTOBER,
    )


def test_a_corrected_reading_is_billed_by_the_credit_note_and_re_bill(
    context: HubContext, october: None
) -> None:
    with context.db.session() as s:
        run_billing(s, period="2026-10", now=AFTER_OCTOBER)
        correct(s, "em-b1-101", "1250", "1200")  # the end reading was misread
        original = bill_of(s, "B1/101")
        assert bill_json(s, original)["total"] == "409.58"  # a written bill is never edited
        note = issue_credit_note(
            s, bill_id=original.id, reason="读数抄错 misread", by=finance(s), now=AFTER_OCTOBER
        )
        new = rebill(s, bill_id=original.id, by=finance(s), now=AFTER_OCTOBER).bill
        audit = s.execute(sa.select(AuditEntry.action, AuditEntry.target)).all()
        old_view, new_view = bill_json(s, original), bill_json(s, new)
    assert note.number == "CN-2026-000001"
    assert old_view["status"] == "credited"
    assert old_view["total"] == "409.58"
    assert [line["amount"] for line in old_view["lines"]] == ["223.75", "105.66", "28.92", "51.25"]
    assert old_view["credit_note"]["number"] == "CN-2026-000001"
    assert old_view["replaced_by_id"] == new_view["id"]
    assert (new_view["revision"], new_view["replaces_id"]) == (2, old_view["id"])
    assert new_view["status"] == "unpaid"
    # 200 kWh now: all in the first block
    assert new_view["total"] == "380.66"
    [electricity] = [line for line in new_view["lines"] if line["utility"] == "electricity"]
    assert electricity["quantity"] == "200" and electricity["corrected"] is True
    assert "em-b1-101 已更正 corrected" in electricity["description"]
    assert electricity["end_reading"]["value"] == "1200"
    assert electricity["end_reading"]["original"] == "1250"
    reading = ("reading_corrected", f"reading:{electricity['end_reading']['id']}")
    assert reading in audit
    assert ("credit_note", f"bill:{old_view['id']}") in audit
    assert ("rebill", f"bill:{new_view['id']}") in audit


def test_a_credited_bill_leaves_arrears_reminders_and_the_outstanding(
    context: HubContext, october: None
) -> None:
    later = datetime(2027, 3, 1, tzinfo=UTC)  # every reminder stage is due by then
    with context.db.session() as s:
        run_billing(s, period="2026-10", now=AFTER_OCTOBER)
        credited = bill_of(s, "B1/101")
        issue_credit_note(s, bill_id=credited.id, reason="重复 duplicate", by=finance(s), now=later)
        arrears = [bill.id for bill in list_arrears(s)]
        aged = sum(row.total for row in aging(s, now=later))
        reminded = remind(s, now=later)
        billed = sum(row.billed for row in collection(s, first="2026-10", last="2026-10"))
        others = [bill_of(s, home) for home in ("B1/102", "B2/201")]
    assert credited.id not in arrears and len(arrears) == 2
    assert aged == sum(bill.total for bill in others)
    assert reminded.bills == 2
    assert billed == sum(bill.total for bill in others)


def test_a_paid_bill_credited_pays_its_re_bill_from_the_balance(
    context: HubContext, october: None
) -> None:
    """Paid in cash, then credited: the money goes to the home's prepaid balance, the re-bill
    takes it, and a refund of the cash payment finds what the re-bill did not need."""
    with context.db.session() as s:
        run_billing(s, period="2026-10", now=AFTER_OCTOBER)
        bill = bill_of(s, "B1/101")
        paid = bill.total
        payment = record_counter_payment(
            s,
            home_id=bill.home_id,
            method=PaymentMethod.CASH,
            amount=paid,
            receipt_no="R-1",
            reference=None,
            by=finance(s),
            now=AFTER_OCTOBER,
        )
        end = s.get(Reading, bill.lines[1].end_reading_id)
        assert end is not None
        correct_reading(
            s,
            meter_id=meter_of(s, "em-b1-101").id,
            reading_id=end.id,
            value=Decimal(1200),
            reason="misread",
            user_id=finance(s).id,
            now=AFTER_OCTOBER,
        )
        issue_credit_note(s, bill_id=bill.id, reason="misread", by=finance(s), now=AFTER_OCTOBER)
        assert (bill.status, bill.paid) == (BillStatus.CREDITED, Decimal("0.00"))
        assert balance_of(s, bill.home_id) == paid
        new = rebill(s, bill_id=bill.id, by=finance(s), now=AFTER_OCTOBER).bill
        assert new.total < paid  # 200 kWh where 250 were billed
        assert (new.status, new.paid) == (BillStatus.PAID, new.total)
        assert balance_of(s, bill.home_id) == paid - new.total
        refund = refund_payment(
            s,
            payment_id=payment.id,
            amount=paid - new.total,
            reason="overbilled",
            by=finance(s),
            now=AFTER_OCTOBER,
        )
        assert refund.amount == paid - new.total
        assert balance_of(s, bill.home_id) == Decimal("0.00")
        assert new.status is BillStatus.PAID  # the refund took the balance, not the re-bill


def test_the_run_never_re_bills_a_credited_home_by_itself(
    context: HubContext, october: None
) -> None:
    with context.db.session() as s:
        run_billing(s, period="2026-10", now=AFTER_OCTOBER)
        bill = bill_of(s, "B1/101")
        issue_credit_note(s, bill_id=bill.id, reason="wrong", by=finance(s), now=AFTER_OCTOBER)
        again = run_billing(s, period="2026-10", now=AFTER_NOVEMBER)
        assert (again.billed, again.skipped) == ([], 3)
        rebill(s, bill_id=bill.id, by=finance(s), now=AFTER_NOVEMBER)
        with pytest.raises(Conflict, match="re-billed already"):
            rebill(s, bill_id=bill.id, by=finance(s), now=AFTER_NOVEMBER)
        with pytest.raises(Conflict, match="already credited"):
            issue_credit_note(s, bill_id=bill.id, reason="again", by=finance(s), now=AFTER_NOVEMBER)
        october_bills = sa.select(sa.func.count()).select_from(Bill).where(Bill.period == "2026-10")
        count = s.scalar(october_bills)
    assert count == 4  # three homes, one of them re-billed


def test_a_correction_names_a_reading_of_that_meter(context: HubContext, october: None) -> None:
    with context.db.session() as s:
        other = reading_of(s, "wm-b1-101", "62.5")
        with pytest.raises(NotFound):
            correct_reading(
                s,
                meter_id=meter_of(s, "em-b1-101").id,
                reading_id=other.id,
                value=D(1),
                reason="x",
                user_id=finance(s).id,
                now=AFTER_OCTOBER,
            )


# --- 估抄 estimated readings ---------------------------------------------------------------

WATER_HISTORY = (  # 31 + 31 + 30 m3 over July, August, September: 1 m3 a day
    ("2026-06-30 23:00", "10"),
    ("2026-07-31 23:00", "41"),
    ("2026-08-31 23:00", "72"),
    ("2026-09-30 23:00", "102"),
)


def estimating(session: Session) -> None:
    """The sample estate's site file with `billing: estimate_missing: true`, loaded again."""
    data = sample_data()
    data["billing"] = {"estimate_missing": True}
    load_site(session, site_file_of(data), now=AFTER_OCTOBER)
    assert session.scalars(sa.select(Site.estimate_missing)).all() == [True]


def water_lines(session: Session, period: str) -> list[BillLine]:
    return [
        line
        for line in bill_of(session, "B1/101", period).lines
        if line.meter_id == meter_of(session, "wm-b1-101").id
    ]


def test_an_estimated_month_is_trued_up_by_the_next_real_reading(
    context: HubContext, site: LoadResult
) -> None:
    with context.db.session() as s:
        estimating(s)
        add_readings(s, "wm-b1-101", "water_m3", *WATER_HISTORY)  # then silent in October
        october = run_billing(s, period="2026-10", now=AFTER_OCTOBER)
        [estimate] = water_lines(s, "2026-10")
        add_readings(s, "wm-b1-101", "water_m3", ("2026-11-30 23:00", "160"))
        run_billing(s, period="2026-11", now=AFTER_NOVEMBER)
        [true_up] = water_lines(s, "2026-11")
    assert ("B1/101", "wm-b1-101") not in {(p.home, p.meter) for p in october.problems}
    assert estimate.estimated and estimate.estimated_end == D(133)
    assert (estimate.quantity, estimate.amount) == (D(31), D("127.10"))
    assert "估 估抄 estimated: 日均 1 m3/day" in estimate.description
    assert not true_up.estimated
    assert (true_up.quantity, true_up.amount) == (D(27), D("110.70"))  # 160 - 133
    assert "true-up" in true_up.description


def test_without_opting_in_or_history_a_silent_meter_stays_not_billed(
    context: HubContext, site: LoadResult
) -> None:
    with context.db.session() as s:
        add_readings(s, "wm-b1-101", "water_m3", *WATER_HISTORY)
        add_readings(s, "wm-b1-102", "water_m3", ("2026-09-30 23:00", "5"))  # no month before
        run_billing(s, period="2026-10", now=AFTER_OCTOBER)
        [off] = water_lines(s, "2026-10")
        estimating(s)
        result = run_billing(s, period="2026-10", now=AFTER_OCTOBER)
    assert not off.estimated and off.amount == 0 and "未计费 not billed" in off.description
    assert result.skipped == 3  # billed already: nothing estimated afterwards


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    months=st.lists(st.decimals(min_value=0, max_value=500, places=1), min_size=1, max_size=3),
    november=st.decimals(min_value=0, max_value=900, places=2),
)
def test_estimate_and_true_up_bill_exactly_what_the_register_moved(
    context: HubContext, site: LoadResult, months: list[Decimal], november: Decimal
) -> None:
    """Over the estimated month and the next, the quantities sum to real end - start, whether
    the estimate was too low or too high."""
    ends = ["2026-09-30 23:00", "2026-08-31 23:00", "2026-07-31 23:00", "2026-06-30 23:00"]
    register = D(1000)
    points = [(ends[0], str(register))]
    for at, used in zip(ends[1:], months, strict=False):
        register -= used
        points.append((at, str(register)))
    with context.db.session() as s:
        estimating(s)
        add_readings(s, "wm-b1-101", "water_m3", *points)
        run_billing(s, period="2026-10", now=AFTER_OCTOBER)
        add_readings(s, "wm-b1-101", "water_m3", ("2026-11-30 23:00", str(1000 + november)))
        run_billing(s, period="2026-11", now=AFTER_NOVEMBER)
        billed = [line.quantity for p in ("2026-10", "2026-11") for line in water_lines(s, p)]
        s.execute(sa.delete(BillLine))
        s.execute(sa.delete(Bill))
        s.execute(sa.delete(Reading))
    assert sum(billed) == november
