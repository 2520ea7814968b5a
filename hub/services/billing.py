"""Monthly utility bills (账单): meter consumption priced with the tariff version in force at
the period start, plus the property fee; arrears. Paying them: hub/services/payments.py.

A bill per (home, period) is written once: a re-run of the same month skips homes already
billed. Every line keeps the meter, the two readings, the tariff version and the tier behind
it, so an owner can check the arithmetic and finance can trace any amount to its source.
A meter whose consumption cannot be trusted (no readings, reading went backwards, no reading
during the month) is not guessed at: its line says so with amount 0 and the run reports it.
A reading that arrived after the bill of its own month was issued is used by no bill (not even
as the next month's start): it is flagged for finance instead (hub/services/late_readings.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, not_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.domain import BillStatus, Role, TierPeriod, Utility
from hub.errors import Conflict, InvalidInput, NotFound
from hub.services.consumption import Drop, Register, consumption
from hub.services.tariffs import Block, TierCharge, split_tiers
from hub.services.users import owner_home_ids
from hub.storage.models import (
    Bill,
    BillLine,
    Building,
    Home,
    Meter,
    Payment,
    Reading,
    Site,
    Tariff,
    User,
)
from hub.storage.types import QUANTITY

_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")

_MANUAL_READING = "enter a manual reading (人工抄表) and bill this meter by hand"

UTILITY_LABELS = {
    Utility.ELECTRICITY: "电费 Electricity",
    Utility.WATER: "水费 Water",
    Utility.PROPERTY_FEE: "物业费 Property fee",
}


@dataclass(frozen=True)
class Period:
    """A calendar month, "YYYY-MM"."""

    text: str
    year: int
    month: int

    def bounds(self, timezone: str) -> tuple[datetime, datetime]:
        """First instant of the month and of the next month, in `timezone`, as aware times."""
        zone = ZoneInfo(timezone)
        start = datetime(self.year, self.month, 1, tzinfo=zone)
        year, month = (self.year + 1, 1) if self.month == 12 else (self.year, self.month + 1)
        return start, datetime(year, month, 1, tzinfo=zone)


def period_containing(ts: datetime, timezone: str) -> Period:
    """The month a reading at `ts` ends or lies in: the first instant of a month is the end of
    the month before (a reading at midnight on the 1st is that month's end reading)."""
    local = (ts - timedelta(microseconds=1)).astimezone(ZoneInfo(timezone))
    return Period(f"{local.year:04d}-{local.month:02d}", local.year, local.month)


def parse_period(text: str) -> Period:
    match = _PERIOD.match(text)
    if match is None:
        raise InvalidInput(f"period {text!r}: write the month as YYYY-MM, e.g. 2026-10")
    return Period(text, int(match.group(1)), int(match.group(2)))


def decimal_text(value: Decimal, places: int = 0) -> str:
    """A decimal without trailing zeros, but with at least `places` decimals."""
    text = f"{value.normalize():f}"
    decimals = len(text.partition(".")[2])
    return f"{value:.{max(places, decimals)}f}"


@dataclass(frozen=True)
class BillingProblem:
    """A meter the run could not bill (the bill says so too)."""

    home: str
    meter: str
    message: str
    code: str  # what the finance page translates, with `params`
    params: dict[str, str]


@dataclass
class BillingRunResult:
    """What a run did, for the finance table: homes billed, skipped, meters to look at."""

    period: str
    billed: list[str] = field(default_factory=list)  # homes billed (or, dry run, to bill)
    bill_ids: list[int] = field(default_factory=list)
    skipped: int = 0  # homes already billed for the period, left untouched
    problems: list[BillingProblem] = field(default_factory=list)
    dry_run: bool = False


@dataclass(frozen=True)
class _MeterUse:
    """The readings that bound a meter's month and what was used between them."""

    start: Reading | None
    end: Reading | None
    problem: str | None  # why the meter is not billed, in words an owner understands
    action: str = ""  # what finance should do about it
    problem_code: str = ""  # for the finance page to translate: no_readings, ...
    params: dict[str, str] = field(default_factory=dict)
    quantity: Decimal = Decimal(0)
    wraps: int = 0  # times the register passed its maximum and started again at 0


def run_billing(
    session: Session, *, period: str, now: datetime, dry_run: bool = False
) -> BillingRunResult:
    """Bill every home of every site for `period` (a month that has ended by `now`)."""
    month = parse_period(period)
    sites = list(session.scalars(select(Site).order_by(Site.id)))
    for site in sites:
        _, end = month.bounds(site.timezone)
        if end > now:
            raise InvalidInput(
                f"period {month.text} has not ended yet at site {site.code}: it ends "
                f"{end:%Y-%m-%d %H:%M} {site.timezone}; bill it after that"
            )
    result = BillingRunResult(period=month.text, dry_run=dry_run)
    for site in sites:
        _bill_site(session, site, month, now=now, result=result)
    return result


def _bill_site(
    session: Session, site: Site, month: Period, *, now: datetime, result: BillingRunResult
) -> None:
    start, end = month.bounds(site.timezone)
    homes = list(
        session.scalars(
            select(Home)
            .join(Building, Building.id == Home.building_id)
            .where(Building.site_id == site.id)
            .order_by(Building.code, Home.code)
        )
    )
    issued: dict[int, list[tuple[str, datetime]]] = {}
    for home_id, period, issued_at in session.execute(
        select(Bill.home_id, Bill.period, Bill.issued_at).where(
            Bill.home_id.in_([h.id for h in homes])
        )
    ):
        issued.setdefault(home_id, []).append((period, issued_at))
    billed = {home_id for home_id, bills in issued.items() if month.text in (p for p, _ in bills)}
    meters = list(
        session.scalars(
            select(Meter).where(Meter.home_id.in_([h.id for h in homes])).order_by(Meter.id)
        )
    )
    needed = {Utility.PROPERTY_FEE} | {meter.utility for meter in meters}
    tariffs = {utility: _tariff_at(session, site, utility, start) for utility in needed}
    yearly = [u for u, tariff in tariffs.items() if tariff.tier_period is TierPeriod.YEAR]
    earlier = _used_earlier_in_year(session, [h.id for h in homes], month, yearly)
    meters_of: dict[int, list[Meter]] = {}
    for meter in meters:
        meters_of.setdefault(meter.home_id, []).append(meter)
    for home in homes:
        label = home_label(home)
        if home.id in billed:
            result.skipped += 1
            continue
        lines = _property_fee_lines(home, tariffs[Utility.PROPERTY_FEE])
        on_time = _on_time(issued.get(home.id, []), site.timezone)
        # the household's use so far in the tier period: tiers are per home, not per meter
        used = {utility: earlier.get((home.id, utility), Decimal(0)) for utility in yearly}
        for meter in meters_of.get(home.id, []):
            use = _meter_use(session, meter, start, end, on_time)
            if use.problem is not None:
                message = f"{use.problem}; {use.action}"
                result.problems.append(
                    BillingProblem(label, meter.device.code, message, use.problem_code, use.params)
                )
            already = used.get(meter.utility, Decimal(0))
            lines += _meter_lines(meter, use, tariffs[meter.utility], already=already)
            used[meter.utility] = already + use.quantity
        result.billed.append(label)
        if result.dry_run:
            continue
        bill = Bill(
            home_id=home.id,
            period=month.text,
            total=sum((line.amount for line in lines), Decimal("0.00")),
            status=BillStatus.UNPAID,
            issued_at=now,
            lines=lines,
        )
        session.add(bill)
        try:
            session.flush()
        except IntegrityError:  # the unique (home, period) met a concurrent run
            raise Conflict(
                f"another billing run for {month.text} is writing bills right now; "
                "run again when it has finished (nothing is billed twice)"
            ) from None
        result.bill_ids.append(bill.id)


def _used_earlier_in_year(
    session: Session, home_ids: list[int], month: Period, utilities: list[Utility]
) -> dict[tuple[int, Utility], Decimal]:
    """What each home was billed, by utility, in the months of the year before `month`: where
    a yearly block tariff's blocks pick up (only metered lines count, not "not billed" ones)."""
    if not utilities or month.month == 1:
        return {}
    rows = session.execute(
        select(Bill.home_id, BillLine.utility, func.sum(BillLine.quantity, type_=QUANTITY))
        .join(BillLine, BillLine.bill_id == Bill.id)
        .where(
            Bill.home_id.in_(home_ids),
            Bill.period >= f"{month.year:04d}-01",
            Bill.period < month.text,
            BillLine.utility.in_(utilities),
            BillLine.meter_id.is_not(None),
        )
        .group_by(Bill.home_id, BillLine.utility)
    )
    return {(home_id, utility): quantity for home_id, utility, quantity in rows}


def _tariff_at(session: Session, site: Site, utility: Utility, start: datetime) -> Tariff:
    """The newest tariff version effective at `start`; a missing one stops the whole run."""
    tariff = session.scalars(
        select(Tariff)
        .where(
            Tariff.site_id == site.id,
            Tariff.utility == utility,
            Tariff.effective_from <= start,
        )
        .order_by(Tariff.effective_from.desc(), Tariff.version.desc())
        .limit(1)
    ).one_or_none()
    if tariff is None:
        raise InvalidInput(
            f"site {site.code}: no {utility.value} tariff is effective on "
            f"{start:%Y-%m-%d}; add one to the site file, then run billing again"
        )
    return tariff


def _on_time(bills: Sequence[tuple[str, datetime]], timezone: str) -> ColumnElement[bool] | None:
    """Readings a bill may use: not one that arrived after the bill of its own month was issued
    (`bills`: the home's, as period and issue time), so a billed month stays as billed."""
    late = []
    for period, issued_at in bills:
        start, end = parse_period(period).bounds(timezone)
        late.append(and_(Reading.ts > start, Reading.ts <= end, Reading.received_at > issued_at))
    return not_(or_(*late)) if late else None


def _meter_use(
    session: Session,
    meter: Meter,
    start: datetime,
    end: datetime,
    on_time: ColumnElement[bool] | None,
) -> _MeterUse:
    """Start: last reading at or before `start`, else the first inside the month (meter
    commissioned mid-month). End: last reading at or before `end`. Late readings do not count.
    Every reading in between is checked for drops (hub/services/consumption.py)."""
    conditions = [
        Reading.device_id == meter.device_id,
        Reading.metric == meter.reading_key,
        Reading.value.is_not(None),
    ]
    if on_time is not None:
        conditions.append(on_time)
    readings = select(Reading).where(*conditions)
    last_by_end = session.scalars(
        readings.where(Reading.ts <= end).order_by(Reading.ts.desc()).limit(1)
    ).one_or_none()
    if last_by_end is None:
        return _MeterUse(
            None,
            None,
            "no readings at all up to the end of the month",
            _MANUAL_READING,
            problem_code="no_readings",
        )
    if last_by_end.ts <= start:
        return _MeterUse(
            last_by_end,
            last_by_end,
            f"no reading during the month (last: {_seen(last_by_end, start)})",
            _MANUAL_READING,
            problem_code="no_reading_in_month",
            params={"last": _seen(last_by_end, start)},
        )
    first = (
        session.scalars(
            readings.where(Reading.ts <= start).order_by(Reading.ts.desc()).limit(1)
        ).one_or_none()
        or session.scalars(readings.where(Reading.ts > start).order_by(Reading.ts).limit(1)).one()
    )
    assert first.value is not None and last_by_end.value is not None
    drops = _drops(session, conditions, first, last_by_end)
    used = consumption(first.value, last_by_end.value, drops, Register(meter.register_max))
    if used.unexplained is not None:
        drop = used.unexplained
        before, after = decimal_text(drop.before), decimal_text(drop.after)
        when = f"{drop.at.astimezone(start.tzinfo):%Y-%m-%d %H:%M}"
        return _MeterUse(
            first,
            last_by_end,
            f"reading went backwards from {before} to {after} at {when} (meter replaced or reset?)",
            "check the meter and bill this month by hand",
            problem_code="reading_backwards",
            params={"from": before, "to": after, "at": when},
        )
    assert used.quantity is not None
    return _MeterUse(first, last_by_end, None, quantity=used.quantity, wraps=used.wraps)


def _drops(
    session: Session, conditions: list[ColumnElement[bool]], first: Reading, last: Reading
) -> list[Drop]:
    """Every pair of consecutive readings from `first` to `last` where the register went down,
    found by the database (LAG) so a month of frequent readings is not loaded to be walked."""
    steps = (
        select(
            Reading.ts.label("at"),
            Reading.value.label("after"),
            func.lag(Reading.value, type_=QUANTITY)
            .over(order_by=(Reading.ts, Reading.id))
            .label("before"),
        )
        .where(*conditions, Reading.ts >= first.ts, Reading.ts <= last.ts)
        .subquery()
    )
    rows = session.execute(
        select(steps.c.before, steps.c.after, steps.c.at)
        .where(steps.c.after < steps.c.before)
        .order_by(steps.c.at)
    )
    return [Drop(before=before, after=after, at=at) for before, after, at in rows]


def _value(reading: Reading) -> str:
    assert reading.value is not None  # the query skips readings without a value
    return decimal_text(reading.value)


def _seen(reading: Reading, start: datetime) -> str:
    """E.g. "1250 at 2026-10-31 23:59", in the site's time like `start`."""
    return f"{_value(reading)} at {reading.ts.astimezone(start.tzinfo):%Y-%m-%d %H:%M}"


def _blocks(tariff: Tariff) -> list[Block]:
    return [Block(up_to=tier.up_to, unit_price=tier.unit_price) for tier in tariff.tiers]


def _line(
    tariff: Tariff,
    description: str,
    unit: str,
    charge: TierCharge | None,
    *,
    meter: Meter | None = None,
    use: _MeterUse | None = None,
) -> BillLine:
    """A bill line; `charge` None makes a zero "not billed" line for a problem meter."""
    return BillLine(
        utility=tariff.utility,
        description=description[:200],
        quantity=charge.quantity if charge else Decimal(0),
        unit=unit,
        unit_price=charge.unit_price if charge else Decimal(0),
        amount=charge.amount if charge else Decimal("0.00"),
        meter_id=meter.id if meter else None,
        start_reading_id=use.start.id if use and use.start else None,
        end_reading_id=use.end.id if use and use.end else None,
        tariff_id=tariff.id,
        tariff_version=tariff.version,
        tier=charge.tier if charge and len(tariff.tiers) > 1 else None,
    )


def _describe(tariff: Tariff, subject: str, charge: TierCharge | None, unit: str) -> str:
    """E.g. "电费 Electricity em-b1-101 第2档 tier 2 (200–400 kWh)"."""
    text = f"{UTILITY_LABELS[tariff.utility]} {subject}"
    if charge is None or len(tariff.tiers) == 1:
        return text
    upper = "∞" if charge.upper is None else decimal_text(charge.upper)
    lower = decimal_text(charge.lower)
    per_year = " 年累计 a year" if tariff.tier_period is TierPeriod.YEAR else ""
    return f"{text} 第{charge.tier}档 tier {charge.tier} ({lower}–{upper} {unit}{per_year})"


def _meter_lines(
    meter: Meter, use: _MeterUse, tariff: Tariff, *, already: Decimal
) -> list[BillLine]:
    """One line per tier used, starting where the home's other meters of the utility left off
    (`already`), or one zero line naming the problem."""
    code = meter.device.code
    if use.problem is not None:
        description = (
            f"{_describe(tariff, code, None, meter.unit)}: 未计费 not billed — {use.problem}; "
            "物业将另行核算 the office will settle it separately"
        )
        return [_line(tariff, description, meter.unit, None, meter=meter, use=use)]
    if use.wraps:
        code += f" (表盘归零{use.wraps}次 register wrapped {use.wraps}x)"
    return [
        _line(
            tariff,
            _describe(tariff, code, charge, meter.unit),
            meter.unit,
            charge,
            meter=meter,
            use=use,
        )
        for charge in split_tiers(use.quantity, _blocks(tariff), already=already)
    ]


def _property_fee_lines(home: Home, tariff: Tariff) -> list[BillLine]:
    """Floor area × price per m2 per month."""
    subject = f"{decimal_text(home.area_m2, 2)} m2 × 1 月 month"
    return [
        _line(tariff, _describe(tariff, subject, charge, tariff.unit), tariff.unit, charge)
        for charge in split_tiers(home.area_m2, _blocks(tariff))
    ]


def home_label(home: Home) -> str:
    return f"{home.building.code}/{home.code}"


# --- reading bills -----------------------------------------------------------------------


class BillFilter(StrEnum):
    """What finance filters bills by: paid, unpaid, or unpaid past the payment term."""

    UNPAID = "unpaid"
    PAID = "paid"
    OVERDUE = "overdue"


PAYMENT_TERM = timedelta(days=30)  # a bill unpaid this long after it was issued is overdue


def list_bills(
    session: Session,
    user: User,
    *,
    period: str | None = None,
    building: str | None = None,
    status: BillFilter | None = None,
    now: datetime | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[Bill]:
    """Newest period first; an owner sees only the bills of their own homes. `building` is a
    building's code (B1); overdue needs `now`."""
    query = select(Bill).order_by(Bill.period.desc(), Bill.home_id, Bill.id)
    if period is not None:
        query = query.where(Bill.period == parse_period(period).text)
    if building is not None:
        homes = select(Home.id).join(Building, Building.id == Home.building_id)
        query = query.where(Bill.home_id.in_(homes.where(Building.code == building)))
    if status is BillFilter.PAID:
        query = query.where(Bill.status == BillStatus.PAID)
    elif status is not None:
        query = query.where(Bill.status == BillStatus.UNPAID)
    if status is BillFilter.OVERDUE:
        assert now is not None, "overdue is relative to now"
        query = query.where(Bill.issued_at <= now - PAYMENT_TERM)
    if user.role is Role.OWNER:
        query = query.where(Bill.home_id.in_(owner_home_ids(session, user)))
    return list(session.scalars(query.limit(limit).offset(offset)))


def get_bill_or_raise(session: Session, bill_id: int, user: User) -> Bill:
    """The bill if `user` may see it; another owner's bill is "not found"."""
    bill = session.get(Bill, bill_id)
    if bill is None or (
        user.role is Role.OWNER and bill.home_id not in owner_home_ids(session, user)
    ):
        raise NotFound(f"bill {bill_id} not found")
    return bill


def list_arrears(session: Session) -> list[Bill]:
    """Unpaid bills, oldest period first."""
    return list(
        session.scalars(
            select(Bill).where(Bill.status == BillStatus.UNPAID).order_by(Bill.period, Bill.home_id)
        )
    )


def payment_of(session: Session, bill: Bill) -> Payment | None:
    return session.scalars(select(Payment).where(Payment.bill_id == bill.id)).one_or_none()
