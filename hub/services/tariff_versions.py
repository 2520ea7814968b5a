"""Publishing prices: a tariff version is never rewritten once a bill may have used it.

A new price is the next version of the site's tariff for that utility, in force from a day that
has not begun yet at the site (billing prices a month with the version in force on its first
day, so a price set today applies from the next month that starts after it). A version not yet
in force may still be corrected; one in force is history that bills point at.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.domain import PRICED, HomeType, TierPeriod, Utility
from hub.errors import Conflict, InvalidInput, NotFound
from hub.services import audit
from hub.services.billing.seasons import months_text
from hub.services.billing.text import decimal_text, floor_band_text
from hub.services.tariffs import Block, check_blocks, check_floor_band
from hub.storage.models import Site, Tariff, TariffTier, User


@dataclass(frozen=True)
class FeeScope:
    """Which homes a property fee tariff prices: of one type and/or a floor band; all: none."""

    home_type: HomeType | None = None
    floor_from: int | None = None
    floor_to: int | None = None

    def check(self, utility: Utility) -> None:
        if self != FeeScope() and utility is not Utility.PROPERTY_FEE:
            raise InvalidInput(
                "a home type or floor band scopes a property fee tariff only",
                code="tariff_scope",
            )
        check_floor_band(self.floor_from, self.floor_to)

    def apply(self, tariff: Tariff) -> None:
        tariff.home_type, tariff.floor_from, tariff.floor_to = (
            self.home_type,
            self.floor_from,
            self.floor_to,
        )


def list_tariffs(session: Session, *, site_id: int | None = None) -> list[Tariff]:
    """Every version, by site, utility and newest version first."""
    query = select(Tariff).order_by(Tariff.site_id, Tariff.utility, Tariff.version.desc())
    if site_id is not None:
        query = query.where(Tariff.site_id == site_id)
    return list(session.scalars(query))


def site_of(session: Session, tariff: Tariff) -> Site:
    site = session.get(Site, tariff.site_id)
    assert site is not None  # a foreign key
    return site


def publish(
    session: Session,
    *,
    site_id: int,
    utility: Utility,
    effective_from: date,
    unit: str,
    blocks: Sequence[Block],
    by: User,
    now: datetime,
    tier_period: TierPeriod = TierPeriod.MONTH,
    months: Sequence[int] | None = None,
    scope: FeeScope = FeeScope(),
) -> Tariff:
    """The next version of the site's `utility` tariff, in force from `effective_from`; with
    `months`, only in those calendar months (a seasonal price); with a `scope`, for those
    homes only (a property fee by home type or floor band)."""
    if utility not in PRICED:
        raise InvalidInput(
            f"{utility.value} has no tariff: late fees follow the contract's terms (late_fee)",
            code="not_priced",
        )
    site = session.get(Site, site_id)
    if site is None:
        raise NotFound(f"site {site_id} does not exist")
    start = _future_start(site, effective_from, now)
    check_blocks(blocks)
    scope.check(utility)
    latest = session.scalar(
        select(func.max(Tariff.version)).where(Tariff.site_id == site.id, Tariff.utility == utility)
    )
    tariff = Tariff(
        site_id=site.id,
        utility=utility,
        version=(latest or 0) + 1,
        effective_from=start,
        unit=unit,
        tier_period=tier_period,
        months=months_text(months),
    )
    scope.apply(tariff)
    tariff.tiers = _tiers(blocks)
    session.add(tariff)
    session.flush()
    _audit(session, tariff, effective_from, "tariff_published", by=by, now=now)
    return tariff


def correct(
    session: Session,
    tariff_id: int,
    *,
    effective_from: date,
    unit: str,
    blocks: Sequence[Block],
    by: User,
    now: datetime,
    tier_period: TierPeriod = TierPeriod.MONTH,
    months: Sequence[int] | None = None,
    scope: FeeScope = FeeScope(),
) -> Tariff:
    """Change a version that is not in force yet (no bill can have used it); 409 once it is."""
    tariff = session.get(Tariff, tariff_id)
    if tariff is None:
        raise NotFound(f"tariff {tariff_id} does not exist")
    if tariff.effective_from <= now:
        raise Conflict(
            f"tariff {tariff.utility.value} v{tariff.version} is in force: publish a new version",
            code="tariff_in_force",
        )
    tariff.effective_from = _future_start(site_of(session, tariff), effective_from, now)
    check_blocks(blocks)
    scope.check(tariff.utility)
    scope.apply(tariff)
    tariff.unit = unit
    tariff.tier_period = tier_period
    tariff.months = months_text(months)
    tariff.tiers = []
    session.flush()  # the old blocks go before the new ones take their numbers
    tariff.tiers = _tiers(blocks)
    session.flush()
    _audit(session, tariff, effective_from, "tariff_corrected", by=by, now=now)
    return tariff


def _future_start(site: Site, day: date, now: datetime) -> datetime:
    """Midnight of `day` at the site, which must not have passed: prices are never retroactive."""
    start = datetime.combine(day, time(), ZoneInfo(site.timezone)).astimezone(UTC)
    if start <= now:
        raise InvalidInput(
            f"a tariff takes effect from a day that has not begun yet at {site.code}, not {day}",
            code="tariff_retroactive",
        )
    return start


def _tiers(blocks: Sequence[Block]) -> list[TariffTier]:
    return [
        TariffTier(seq=seq, up_to=block.up_to, unit_price=block.unit_price, band=block.band)
        for seq, block in enumerate(blocks, start=1)
    ]


def _limit(tier: TariffTier) -> str:
    if tier.band is not None:
        return tier.band.value
    return "∞" if tier.up_to is None else decimal_text(tier.up_to)


def _audit(
    session: Session, tariff: Tariff, day: date, action: str, *, by: User, now: datetime
) -> None:
    prices = ", ".join(f"{_limit(tier)}@{decimal_text(tier.unit_price)}" for tier in tariff.tiers)
    season = f" in months {tariff.months}" if tariff.months else ""
    if tariff.home_type is not None:
        season += f" for {tariff.home_type.value} homes"
    if tariff.floor_from is not None or tariff.floor_to is not None:
        season += f" on floors {floor_band_text(tariff.floor_from, tariff.floor_to)}"
    audit.record(
        session,
        at=now,
        user_id=by.id,
        action=action,
        target=f"tariff:{tariff.id}",
        detail=f"{tariff.utility.value} v{tariff.version} from {day}{season}: {prices} per "
        f"{tariff.unit}",
    )
