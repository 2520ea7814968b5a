"""Other fees: parking spaces and contracts (停车费) and one-off charges (一次性费用). Finance
writes them; admins read them; an owner reads their own home's (another home is 404)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from api.deps import ContextDep, SessionDep, require_role
from api.params import IdField, ObjectId, QueryId
from hub.domain import HomeType, OneOffKind, ParkingKind, Role
from hub.services import billed_homes, households, one_off_charges, parking
from hub.services.billing.text import home_label
from hub.storage.models import Home, OneOffCharge, ParkingContract, ParkingSpace, User

router = APIRouter(tags=["fees"])

Finance = Annotated[User, Depends(require_role(Role.FINANCE))]
Staff = Annotated[User, Depends(require_role(Role.FINANCE, Role.ADMIN))]
Reader = Annotated[User, Depends(require_role(Role.OWNER, Role.FINANCE, Role.ADMIN))]

Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]


class SpaceIn(BaseModel):
    site_id: IdField
    code: Annotated[str, Field(min_length=1, max_length=64)]
    kind: ParkingKind = Field(description="rented 租赁 (the fee is the rent) or owned 产权")
    monthly_fee: Money
    location: Annotated[str, Field(max_length=200)] = ""


class SpaceOut(BaseModel):
    id: int
    site_id: int
    code: str
    kind: ParkingKind
    monthly_fee: str  # yuan, "300.00"
    location: str

    @classmethod
    def of(cls, space: ParkingSpace) -> SpaceOut:
        return cls(
            id=space.id,
            site_id=space.site_id,
            code=space.code,
            kind=space.kind,
            monthly_fee=f"{space.monthly_fee:.2f}",
            location=space.location,
        )


class ContractIn(BaseModel):
    space_id: IdField
    home_id: IdField
    starts_on: date
    ends_on: date | None = Field(default=None, description="the last day billed; none: open")


class ContractEnd(BaseModel):
    ends_on: date = Field(description="the last day billed (prorated by day)")


class ContractOut(BaseModel):
    id: int
    space_id: int
    space: str  # its code
    kind: ParkingKind
    monthly_fee: str
    home_id: int
    home: str = Field(description="building/home, e.g. B1/101")
    starts_on: date
    ends_on: date | None

    @classmethod
    def of(cls, contract: ParkingContract) -> ContractOut:
        return cls(
            id=contract.id,
            space_id=contract.space_id,
            space=contract.space.code,
            kind=contract.space.kind,
            monthly_fee=f"{contract.space.monthly_fee:.2f}",
            home_id=contract.home_id,
            home=home_label(contract.home),
            starts_on=contract.starts_on,
            ends_on=contract.ends_on,
        )


class ChargeIn(BaseModel):
    kind: OneOffKind = Field(description="renovation 装修管理费, access_card 门禁卡工本费, other")
    description: Annotated[str, Field(min_length=1, max_length=120)]
    amount: Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)]


class ChargeOut(BaseModel):
    id: int
    home_id: int
    home: str
    kind: OneOffKind
    description: str
    amount: str
    created_at: datetime
    withdrawn_at: datetime | None
    bill_id: int | None = Field(description="the bill it is on; none: not billed yet")
    bill_period: str | None

    @classmethod
    def of(cls, charge: OneOffCharge, bill_id: int | None, period: str | None) -> ChargeOut:
        return cls(
            id=charge.id,
            home_id=charge.home_id,
            home=home_label(charge.home),
            kind=charge.kind,
            description=charge.description,
            amount=f"{charge.amount:.2f}",
            created_at=charge.created_at,
            withdrawn_at=charge.withdrawn_at,
            bill_id=bill_id,
            bill_period=period,
        )


class HomeBillingIn(BaseModel):
    home_type: HomeType = Field(
        description="住宅 residential, 商铺 shop, 办公 office, 车库/储藏 storage"
    )
    floor: Annotated[int, Field(ge=-10, le=200)] | None = None
    billed_from: date | None = Field(default=None, description="交房/入住: the first day billed")
    billed_until: date | None = Field(default=None, description="迁出/售出: the last day billed")


class HomeBillingOut(HomeBillingIn):
    id: int
    site_id: int
    home: str = Field(description="building/home, e.g. B1/101")
    area_m2: str

    @classmethod
    def of(cls, home: Home) -> HomeBillingOut:
        return cls(
            id=home.id,
            site_id=home.building.site_id,
            home=home_label(home),
            area_m2=f"{home.area_m2:.2f}",
            home_type=home.home_type,
            floor=home.floor,
            billed_from=home.billed_from,
            billed_until=home.billed_until,
        )


def _charges_out(session: SessionDep, charges: list[OneOffCharge]) -> list[ChargeOut]:
    bills = one_off_charges.billed_on(session, [c.id for c in charges])
    out = []
    for charge in charges:
        bill = bills.get(charge.id)
        out.append(ChargeOut.of(charge, bill.id if bill else None, bill.period if bill else None))
    return out


@router.get("/fees/homes")
def list_homes(session: SessionDep, _: Staff, site_id: QueryId = None) -> list[HomeBillingOut]:
    """Every home with its type, floor and billed days (no owners' names)."""
    return [HomeBillingOut.of(home) for home in billed_homes.list_homes(session, site_id=site_id)]


@router.put("/fees/homes/{home_id}")
def set_home_billing(
    home_id: ObjectId,
    body: HomeBillingIn,
    session: SessionDep,
    context: ContextDep,
    user: Finance,
) -> HomeBillingOut:
    """A home's type and floor (its property fee tariff) and billed days, from the next run."""
    data = billed_homes.HomeBilling(**body.model_dump())
    home = billed_homes.set_billing(session, home_id, data, by=user, now=context.clock.now())
    return HomeBillingOut.of(home)


@router.get("/parking/spaces")
def list_spaces(session: SessionDep, _: Staff, site_id: QueryId = None) -> list[SpaceOut]:
    return [SpaceOut.of(space) for space in parking.list_spaces(session, site_id=site_id)]


@router.post("/parking/spaces", status_code=201)
def add_space(body: SpaceIn, session: SessionDep, context: ContextDep, user: Finance) -> SpaceOut:
    data = parking.SpaceIn(**body.model_dump())
    return SpaceOut.of(parking.add_space(session, data, by=user, now=context.clock.now()))


@router.get("/parking/contracts")
def list_contracts(session: SessionDep, _: Staff, site_id: QueryId = None) -> list[ContractOut]:
    return [ContractOut.of(c) for c in parking.list_contracts(session, site_id=site_id)]


@router.post("/parking/contracts", status_code=201)
def add_contract(
    body: ContractIn, session: SessionDep, context: ContextDep, user: Finance
) -> ContractOut:
    """A home's contract for a space that is free for all its days (409 otherwise)."""
    contract = parking.add_contract(session, **body.model_dump(), by=user, now=context.clock.now())
    return ContractOut.of(contract)


@router.post("/parking/contracts/{contract_id}/end")
def end_contract(
    contract_id: ObjectId,
    body: ContractEnd,
    session: SessionDep,
    context: ContextDep,
    user: Finance,
) -> ContractOut:
    contract = parking.end_contract(
        session, contract_id, ends_on=body.ends_on, by=user, now=context.clock.now()
    )
    return ContractOut.of(contract)


@router.get("/homes/{home_id}/parking")
def home_parking(home_id: ObjectId, session: SessionDep, user: Reader) -> list[ContractOut]:
    home = households.home_or_raise(session, home_id, user)
    return [ContractOut.of(c) for c in parking.list_contracts(session, home_id=home.id)]


@router.get("/homes/{home_id}/charges")
def home_charges(home_id: ObjectId, session: SessionDep, user: Reader) -> list[ChargeOut]:
    """The home's one-off charges, newest first: billed (with the bill), pending, withdrawn."""
    home = households.home_or_raise(session, home_id, user)
    return _charges_out(session, one_off_charges.list_for_home(session, home))


@router.post("/homes/{home_id}/charges", status_code=201)
def add_charge(
    home_id: ObjectId, body: ChargeIn, session: SessionDep, context: ContextDep, user: Finance
) -> ChargeOut:
    """A charge the next billing run puts on the home's bill, once."""
    home = households.home_or_raise(session, home_id, user)
    charge = one_off_charges.add(
        session, home, **body.model_dump(), by=user, now=context.clock.now()
    )
    return ChargeOut.of(charge, None, None)


@router.post("/charges/{charge_id}/withdraw")
def withdraw_charge(
    charge_id: ObjectId, session: SessionDep, context: ContextDep, user: Finance
) -> ChargeOut:
    """Take back a charge not billed yet; a billed one is 409 `charge_billed`."""
    charge = one_off_charges.withdraw(session, charge_id, by=user, now=context.clock.now())
    return _charges_out(session, [charge])[0]
