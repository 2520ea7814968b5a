"""A billing run: every home of every site for one month, written once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.domain import BillStatus, ShareBasis, TierPeriod, Utility
from hub.errors import Conflict, InvalidInput
from hub.services import home_accounts
from hub.services.billing import late_fees
from hub.services.billing.common_areas import common_meters, cost, share_lines
from hub.services.billing.lines import meter_lines, metered, property_fee_lines
from hub.services.billing.meter_use import MeterUse, meter_use, on_time_filter
from hub.services.billing.periods import Period, parse_period
from hub.services.billing.seasons import applies_in
from hub.services.billing.text import home_label
from hub.services.billing.time_of_use import band_cost, band_lines, band_uses, is_time_of_use
from hub.storage.models import Bill, BillLine, Building, Home, Meter, Site, Tariff
from hub.storage.types import QUANTITY

COMMON_LABEL = "公摊 common"  # where a common meter's problem is listed, instead of a home


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
    """Every home's own lines first, then the common meters' shares (which may weigh the
    homes' own use), then the bills."""
    start, end = month.bounds(site.timezone)
    zone = ZoneInfo(site.timezone)
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
    meters_of: dict[int, list[Meter]] = {}
    for meter in session.scalars(
        select(Meter).where(Meter.home_id.in_([h.id for h in homes])).order_by(Meter.id)
    ):
        assert meter.home_id is not None  # selected by home
        if not retired_before(meter, start):
            meters_of.setdefault(meter.home_id, []).append(meter)
    commons = [meter for meter in common_meters(session, site) if not retired_before(meter, start)]
    utilities = {Utility.PROPERTY_FEE} | {m.utility for ms in meters_of.values() for m in ms}
    utilities |= {meter.utility for meter in commons}
    tariffs = {utility: _tariff_at(session, site, utility, month) for utility in utilities}
    yearly = [u for u, tariff in tariffs.items() if tariff.tier_period is TierPeriod.YEAR]
    earlier = _used_earlier_in_year(session, [h.id for h in homes], month, yearly)
    to_bill = [home.id for home in homes if home.id not in billed]
    terms = late_fees.terms_of(session, site.id)
    overdue = late_fees.overdue_bills(session, to_bill, month.text, start, zone) if terms else {}
    last_day = (end.astimezone(zone) - timedelta(days=1)).date()
    drafts: dict[int, list[BillLine]] = {}  # by home id, in the homes' order
    own_use: dict[int, dict[Utility, Decimal]] = {}  # each home's metered use this month
    for home in homes:
        if home.id in billed:
            result.skipped += 1
            continue
        label = home_label(home)
        lines = property_fee_lines(home, tariffs[Utility.PROPERTY_FEE])
        on_time = on_time_filter(issued.get(home.id, []), site.timezone)
        month_use = own_use.setdefault(home.id, {})
        for meter in meters_of.get(home.id, []):
            before = month_use.get(meter.utility, Decimal(0))
            tariff = tariffs[meter.utility]
            if is_time_of_use(tariff):
                uses = band_uses(session, meter, tariff, start, end, on_time)
                for band_use in uses:
                    _report(result, label, meter, band_use)
                lines += band_lines(meter, tariff, uses)
                month_use[meter.utility] = before + sum(u.quantity for u in uses)
                continue
            use = meter_use(session, meter, start, end, on_time)
            _report(result, label, meter, use)
            # the household's use so far in the tier period: tiers are per home, not per meter
            already = earlier.get((home.id, meter.utility), Decimal(0)) + before
            lines += meter_lines(meter, use, tariffs[meter.utility], already=already)
            month_use[meter.utility] = before + use.quantity
        if terms is not None:
            lines += late_fees.late_fee_lines(overdue.get(home.id, []), terms, last_day)
        drafts[home.id] = lines
        result.billed.append(label)
    if drafts and commons:
        # a common reading is late once any bill of its month was issued: shares stay stable
        first_issued: dict[str, datetime] = {}
        for period, issued_at in (bill for bills in issued.values() for bill in bills):
            first_issued[period] = min(issued_at, first_issued.get(period, issued_at))
        on_time = on_time_filter(list(first_issued.items()), site.timezone)
        costs = []
        for meter in commons:
            tariff = tariffs[meter.utility]
            if is_time_of_use(tariff):
                uses = band_uses(session, meter, tariff, start, end, on_time)
                for band_use in uses:
                    _report(result, COMMON_LABEL, meter, band_use)
                if all(u.problem is None for u in uses):
                    costs.append(band_cost(meter, tariff, uses))
                continue
            use = meter_use(session, meter, start, end, on_time)
            _report(result, COMMON_LABEL, meter, use)
            if use.problem is None:
                costs.append(cost(meter, use, tariff))
        if any(c.meter.share_basis is ShareBasis.CONSUMPTION for c in costs):
            own_use.update(_billed_use(session, billed, month))
        for common in costs:
            utility = common.meter.utility
            use_of = {home_id: by.get(utility, Decimal(0)) for home_id, by in own_use.items()}
            for home_id, line in share_lines(common, homes, use_of).items():
                if home_id in drafts:
                    drafts[home_id].append(line)
    if not result.dry_run:
        written = [_write(session, home_id, month, lines, now) for home_id, lines in drafts.items()]
        result.bill_ids.extend(written)
        home_accounts.apply_balances(session, written, now=now)


def retired_before(meter: Meter, start: datetime) -> bool:
    """A meter whose device was retired (or replaced) before the month began has nothing to
    bill; in its last month its final reading ends its use, and its replacement's begins."""
    retired = meter.device.retired_at
    return retired is not None and retired <= start


def _report(result: BillingRunResult, label: str, meter: Meter, use: MeterUse) -> None:
    if use.problem is not None:
        message = f"{use.problem}; {use.action}"
        result.problems.append(
            BillingProblem(label, meter.device.code, message, use.problem_code, use.params)
        )


def _write(
    session: Session, home_id: int, month: Period, lines: list[BillLine], now: datetime
) -> int:
    bill = Bill(
        home_id=home_id,
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
    return bill.id


def _billed_use(
    session: Session, home_ids: set[int], month: Period
) -> dict[int, dict[Utility, Decimal]]:
    """The metered use on the bills already written for `month` (a re-run's skipped homes),
    so a share by use weighs them as the first run did."""
    use: dict[int, dict[Utility, Decimal]] = {}
    for home_id, utility, quantity in session.execute(
        select(Bill.home_id, BillLine.utility, func.sum(BillLine.quantity, type_=QUANTITY))
        .join(BillLine, BillLine.bill_id == Bill.id)
        .where(metered(), Bill.home_id.in_(home_ids), Bill.period == month.text)
        .group_by(Bill.home_id, BillLine.utility)
    ):
        use.setdefault(home_id, {})[utility] = quantity
    return use


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
            metered(),
        )
        .group_by(Bill.home_id, BillLine.utility)
    )
    return {(home_id, utility): quantity for home_id, utility, quantity in rows}


def _tariff_at(session: Session, site: Site, utility: Utility, month: Period) -> Tariff:
    """The newest tariff version effective when `month` begins that applies in its calendar
    month (a seasonal one only in its season); a missing one stops the whole run."""
    start, _ = month.bounds(site.timezone)
    versions = session.scalars(
        select(Tariff)
        .where(
            Tariff.site_id == site.id,
            Tariff.utility == utility,
            Tariff.effective_from <= start,
        )
        .order_by(Tariff.effective_from.desc(), Tariff.version.desc())
    )
    tariff = next((found for found in versions if applies_in(found, month.month)), None)
    if tariff is None:
        raise InvalidInput(
            f"site {site.code}: no {utility.value} tariff is effective on "
            f"{start:%Y-%m-%d}; add one to the site file, then run billing again"
        )
    return tariff
