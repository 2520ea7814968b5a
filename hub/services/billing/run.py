"""A billing run: every home of every site for one month, written once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.domain import BillStatus, ShareBasis, TierPeriod, Utility
from hub.errors import Conflict, InvalidInput
from hub.services import home_accounts
from hub.services.billing import estimates, late_fees, other_fees, property_fees
from hub.services.billing.common_areas import common_meters, cost, share_lines
from hub.services.billing.lines import meter_lines, metered, property_fee_lines
from hub.services.billing.meter_use import MeterUse, on_time_filter
from hub.services.billing.month_readings import MonthReadings
from hub.services.billing.periods import Period, parse_period
from hub.services.billing.seasons import applies_in
from hub.services.billing.text import home_label
from hub.services.billing.time_of_use import band_cost, band_lines, band_uses, is_time_of_use
from hub.storage.bulk import DuplicateRow, insert_rows, values_of
from hub.storage.models import Bill, BillLine, Building, Home, Meter, Site, Tariff
from hub.storage.types import QUANTITY

WRITE_CHUNK = 2000  # bills per bulk write
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
        drafts = _bill_site(session, site, month, now=now, result=result)
        if not result.dry_run:
            written = write_bills(session, drafts, month, now)
            result.bill_ids += written.values()
            home_accounts.apply_balances(session, written, now=now)
    return result


def draft_home(
    session: Session, home: Home, month: Period, *, now: datetime
) -> tuple[list[BillLine], list[BillingProblem]]:
    """A home's lines for `month` computed as the run computes them, with today's readings,
    corrections and tariffs (a re-bill's; hub/services/billing/credit_notes.py)."""
    site = session.get(Site, home.building.site_id)
    assert site is not None  # a foreign key
    result = BillingRunResult(period=month.text, dry_run=True)
    drafts = _bill_site(session, site, month, now=now, result=result, only_home=home.id)
    return drafts.get(home.id, []), result.problems  # none: not billed that month


def _bill_site(
    session: Session,
    site: Site,
    month: Period,
    *,
    now: datetime,
    result: BillingRunResult,
    only_home: int | None = None,
) -> dict[int, list[BillLine]]:
    """Every home's own lines first, then the common meters' shares (which may weigh the
    homes' own use): the bills to write, by home. A home with a bill for the month, even a
    credited one, is skipped (a re-bill is finance's, `only_home`)."""
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
    homes = [home for home in homes if other_fees.home_span(home, month).days]  # handed over
    site_bills = (
        select(Bill.home_id, Bill.period, Bill.issued_at)
        .join(Home, Home.id == Bill.home_id)
        .join(Building, Building.id == Home.building_id)
        .where(Building.site_id == site.id)
    )
    if only_home is None:
        billed = set(session.scalars(site_bills.where(Bill.period == month.text)).all())
        result.skipped += len(billed)
    else:
        billed = {home.id for home in homes} - {only_home}
    to_bill = [home.id for home in homes if home.id not in billed]
    if not to_bill:
        return {}  # a re-run: nothing more to read
    # the bills in force (not credited ones): a reading that arrived after one is late
    in_force = site_bills.where(Bill.status != BillStatus.CREDITED)
    issued: dict[int, list[tuple[str, datetime]]] = {home_id: [] for home_id in to_bill}
    for home_id, period, issued_at in session.execute(in_force):
        if home_id in issued:
            issued[home_id].append((period, issued_at))
    meters_of: dict[int, list[Meter]] = {}
    for meter in session.scalars(
        select(Meter)
        .join(Home, Home.id == Meter.home_id)
        .join(Building, Building.id == Home.building_id)
        .where(Building.site_id == site.id)
        .order_by(Meter.id)
    ):
        assert meter.home_id is not None  # selected by home
        if meter.home_id in issued and not retired_before(meter, start):
            meters_of.setdefault(meter.home_id, []).append(meter)
    commons = [meter for meter in common_meters(session, site) if not retired_before(meter, start)]
    utilities = {m.utility for ms in meters_of.values() for m in ms}
    utilities |= {meter.utility for meter in commons}
    tariffs = {utility: _tariff_at(session, site, utility, month) for utility in utilities}
    fee_tariffs = property_fees.tariffs_at(session, site, month, start)
    yearly = [u for u, tariff in tariffs.items() if tariff.tier_period is TierPeriod.YEAR]
    earlier = _used_earlier_in_year(session, [h.id for h in homes], month, yearly)
    estimated = estimates.meters_with_estimates(
        session, [m.id for h in to_bill for m in meters_of.get(h, [])]
    )
    billing_homes = [home for home in homes if home.id not in billed]
    parking = other_fees.parking_lines(session, billing_homes, month)
    one_off = other_fees.one_off_lines(session, to_bill)
    terms = late_fees.terms_of(session, site.id)
    overdue = late_fees.overdue_bills(session, to_bill, month.text, start, zone) if terms else {}
    last_day = (end.astimezone(zone) - timedelta(days=1)).date()
    to_read = [m for home_id in to_bill for m in meters_of.get(home_id, [])]
    to_read += commons if to_bill else []
    month_readings = MonthReadings.load(session, to_read, start, end, site.timezone)
    drafts: dict[int, list[BillLine]] = {}  # by home id, in the homes' order
    own_use: dict[int, dict[Utility, Decimal]] = {}  # each home's metered use this month
    for home in homes:
        if home.id in billed:
            continue
        label = home_label(home)
        fee_tariff = property_fees.tariff_for(home, fee_tariffs, site, start)
        lines = property_fee_lines(home, fee_tariff, other_fees.home_span(home, month))
        lines += parking.get(home.id, []) + one_off.get(home.id, [])
        bills = issued[home.id]
        month_use = own_use.setdefault(home.id, {})
        for meter in meters_of.get(home.id, []):
            before = month_use.get(meter.utility, Decimal(0))
            tariff = tariffs[meter.utility]
            if is_time_of_use(tariff):
                on_time = on_time_filter(bills, site.timezone)
                uses = band_uses(session, meter, tariff, start, end, on_time)
                for band_use in uses:
                    _report(result, label, meter, band_use)
                lines += band_lines(meter, tariff, uses)
                month_use[meter.utility] = before + sum(u.quantity for u in uses)
                continue
            use = estimates.estimated_or_trued_up(
                session,
                meter,
                month_readings.use(session, meter, bills),
                month,
                site,
                bills,
                estimated_before=meter.id in estimated,
            )
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
        first_issued = in_force.with_only_columns(Bill.period, func.min(Bill.issued_at))
        common_bills = [
            (period, issued_at)
            for period, issued_at in session.execute(first_issued.group_by(Bill.period))
        ]
        common_on_time = on_time_filter(common_bills, site.timezone)
        costs = []
        for meter in commons:
            tariff = tariffs[meter.utility]
            if is_time_of_use(tariff):
                uses = band_uses(session, meter, tariff, start, end, common_on_time)
                for band_use in uses:
                    _report(result, COMMON_LABEL, meter, band_use)
                if all(u.problem is None for u in uses):
                    costs.append(band_cost(meter, tariff, uses))
                continue
            use = month_readings.use(session, meter, common_bills)
            _report(result, COMMON_LABEL, meter, use)
            if use.problem is None:
                costs.append(cost(meter, use, tariff))
        if any(c.meter.share_basis is ShareBasis.CONSUMPTION for c in costs):
            own_use.update(_billed_use(session, billed, month))
        in_building: dict[int, list[Home]] = {}
        for home in homes:
            in_building.setdefault(home.building_id, []).append(home)
        use_of: dict[Utility, dict[int, Decimal]] = {}
        for common in costs:
            utility, building = common.meter.utility, common.meter.device.building_id
            if utility not in use_of:
                use_of[utility] = {h: by.get(utility, Decimal(0)) for h, by in own_use.items()}
            sharing = homes if building is None else in_building.get(building, [])
            for home_id, line in share_lines(common, sharing, use_of[utility]).items():
                if home_id in drafts:
                    drafts[home_id].append(line)
    return drafts


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


def write_bills(
    session: Session,
    drafts: dict[int, list[BillLine]],
    month: Period,
    now: datetime,
    *,
    replaces: Bill | None = None,
) -> dict[int, int]:
    """The bills of `drafts` (lines by home), a chunk at a time in bulk (hub/storage/bulk.py);
    a re-bill is the next revision of the one it `replaces`. Returns each home's new bill id."""
    ids: dict[int, int] = {}
    homes = list(drafts)
    for at in range(0, len(homes), WRITE_CHUNK):
        chunk = homes[at : at + WRITE_CHUNK]
        bills = [
            {
                "home_id": home_id,
                "period": month.text,
                "revision": 1 if replaces is None else replaces.revision + 1,
                "replaces_id": None if replaces is None else replaces.id,
                "total": sum((line.amount for line in drafts[home_id]), Decimal("0.00")),
                "status": BillStatus.UNPAID,
                "issued_at": now,
            }
            for home_id in chunk
        ]
        try:
            bill_ids = insert_rows(session, Bill, bills)
        except DuplicateRow:  # the unique (home, period, revision) met a concurrent run
            raise Conflict(
                f"another billing run for {month.text} is writing bills right now; "
                "run again when it has finished (nothing is billed twice)"
            ) from None
        lines = [
            {**values_of(line), "bill_id": bill_id}
            for bill_id, home_id in zip(bill_ids, chunk, strict=True)
            for line in drafts[home_id]
        ]
        insert_rows(session, BillLine, lines)
        ids.update(zip(chunk, bill_ids, strict=True))
    return ids


def _billed_use(
    session: Session, home_ids: set[int], month: Period
) -> dict[int, dict[Utility, Decimal]]:
    """The metered use on the bills already written for `month` (a re-run's skipped homes),
    so a share by use weighs them as the first run did."""
    use: dict[int, dict[Utility, Decimal]] = {}
    for home_id, utility, quantity in session.execute(
        select(Bill.home_id, BillLine.utility, func.sum(BillLine.quantity, type_=QUANTITY))
        .join(BillLine, BillLine.bill_id == Bill.id)
        .where(
            metered(),
            Bill.home_id.in_(home_ids),
            Bill.period == month.text,
            Bill.status != BillStatus.CREDITED,
        )
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
            Bill.status != BillStatus.CREDITED,
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
