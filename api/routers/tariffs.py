"""Tariffs (价格): every version of each site's prices; finance and admins publish a new version
or correct one that is not in force yet (hub/services/tariff_versions.py)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from api.deps import ContextDep, SessionDep, require_role
from api.params import IdField, ObjectId, QueryId
from hub.domain import HomeType, Role, TierPeriod, TouBand, Utility
from hub.services import tariff_versions
from hub.services.billing import decimal_text
from hub.services.billing.seasons import month_list
from hub.services.tariffs import Block
from hub.storage.models import Site, Tariff, User

router = APIRouter(prefix="/tariffs", tags=["tariffs"])
Pricing = Annotated[User, Depends(require_role(Role.FINANCE, Role.ADMIN))]

Quantity = Annotated[Decimal, Field(gt=0, max_digits=20, decimal_places=6)]
Price = Annotated[Decimal, Field(ge=0, max_digits=20, decimal_places=6)]


class TierIn(BaseModel):
    up_to: Quantity | None = Field(default=None, description="cumulative; none for the last")
    unit_price: Price
    band: TouBand | None = Field(
        default=None, description="a time-of-use price (分时): its band; then no up_to"
    )


Month = Annotated[int, Field(ge=1, le=12)]
Floor = Annotated[int, Field(ge=-10, le=200)]


class TariffChange(BaseModel):
    effective_from: date = Field(description="the first day in force, in the site's timezone")
    unit: Annotated[str, Field(min_length=1, max_length=16)]
    tiers: Annotated[list[TierIn], Field(min_length=1, max_length=10)]
    tier_period: TierPeriod = Field(
        default=TierPeriod.MONTH, description="year: the block limits count the year's use so far"
    )
    months: Annotated[list[Annotated[int, Field(ge=1, le=12)]], Field(max_length=12)] | None = (
        Field(
            default=None,
            description="a seasonal price: the calendar months it applies to; none: all",
        )
    )
    home_type: HomeType | None = Field(
        default=None, description="a property fee for homes of this type only"
    )
    floor_from: Floor | None = Field(default=None, description="a property fee's floor band")
    floor_to: Floor | None = Field(default=None, description="none: no top floor")

    def scope(self) -> tariff_versions.FeeScope:
        return tariff_versions.FeeScope(self.home_type, self.floor_from, self.floor_to)


class TariffCreate(TariffChange):
    site_id: IdField
    utility: Utility


class TierOut(BaseModel):
    seq: int
    up_to: str | None
    unit_price: str
    band: TouBand | None


class TariffOut(BaseModel):
    id: int
    site_id: int
    site: str  # the site's name
    utility: Utility
    version: int
    effective_from: datetime
    effective_on: date = Field(description="the first day in force, in the site's timezone")
    unit: str
    tier_period: TierPeriod
    months: list[int] | None = Field(description="a seasonal price's months; None: all year")
    in_force: bool  # bills may use it: it can no longer change
    home_type: HomeType | None
    floor_from: int | None
    floor_to: int | None
    tiers: list[TierOut]


def _out(tariff: Tariff, site: Site, now: datetime) -> TariffOut:
    return TariffOut(
        id=tariff.id,
        site_id=tariff.site_id,
        site=site.name,
        utility=tariff.utility,
        version=tariff.version,
        effective_from=tariff.effective_from,
        effective_on=tariff.effective_from.astimezone(ZoneInfo(site.timezone)).date(),
        unit=tariff.unit,
        tier_period=tariff.tier_period,
        months=month_list(tariff),
        in_force=tariff.effective_from <= now,
        home_type=tariff.home_type,
        floor_from=tariff.floor_from,
        floor_to=tariff.floor_to,
        tiers=[
            TierOut(
                seq=tier.seq,
                up_to=None if tier.up_to is None else decimal_text(tier.up_to),
                unit_price=decimal_text(tier.unit_price, 2),
                band=tier.band,
            )
            for tier in tariff.tiers
        ],
    )


def _blocks(body: TariffChange) -> list[Block]:
    return [
        Block(up_to=tier.up_to, unit_price=tier.unit_price, band=tier.band) for tier in body.tiers
    ]


@router.get("")
def list_tariffs(
    session: SessionDep, context: ContextDep, _: Pricing, site_id: QueryId = None
) -> list[TariffOut]:
    """Every version, by site and utility, the newest version first."""
    now = context.clock.now()
    found = tariff_versions.list_tariffs(session, site_id=site_id)
    sites = {t.site_id: tariff_versions.site_of(session, t) for t in found}
    return [_out(tariff, sites[tariff.site_id], now) for tariff in found]


@router.post("", status_code=201)
def publish(
    body: TariffCreate, session: SessionDep, context: ContextDep, user: Pricing
) -> TariffOut:
    """A new price: the next version, from a day that has not begun yet at the site."""
    now = context.clock.now()
    tariff = tariff_versions.publish(
        session,
        site_id=body.site_id,
        utility=body.utility,
        effective_from=body.effective_from,
        unit=body.unit,
        tier_period=body.tier_period,
        months=body.months,
        scope=body.scope(),
        blocks=_blocks(body),
        by=user,
        now=now,
    )
    return _out(tariff, tariff_versions.site_of(session, tariff), now)


@router.put("/{tariff_id}")
def correct(
    tariff_id: ObjectId, body: TariffChange, session: SessionDep, context: ContextDep, user: Pricing
) -> TariffOut:
    """Correct a version not in force yet; one in force is refused (409 `tariff_in_force`)."""
    now = context.clock.now()
    tariff = tariff_versions.correct(
        session,
        tariff_id,
        effective_from=body.effective_from,
        unit=body.unit,
        tier_period=body.tier_period,
        months=body.months,
        scope=body.scope(),
        blocks=_blocks(body),
        by=user,
        now=now,
    )
    return _out(tariff, tariff_versions.site_of(session, tariff), now)
