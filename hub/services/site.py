"""Load a validated site file into the database; loading the same file twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain import Role
from hub.errors import ConfigError, NotFound
from hub.services import asset_documents, assets, parking, site_plans, users
from hub.services.billing.seasons import months_text
from hub.services.billing.time_of_use import registers_text
from hub.services.budgets.labels import DEPARTMENT_LABELS
from hub.services.maintenance import plans
from hub.services.maintenance.plans import PlanData
from hub.site_file import CommonMeterSpec, LateFeeSpec, MeterSpec, SiteFile, TariffSpec
from hub.storage.models import (
    Building,
    Checkpoint,
    Department,
    Device,
    DutyShift,
    Home,
    HomeOwnership,
    LateFeeTerms,
    Meter,
    Owner,
    ParkingContract,
    ParkingSpace,
    PatrolRoute,
    RouteStop,
    Site,
    Tariff,
    TariffTier,
    User,
)

T = TypeVar("T")


@dataclass
class LoadResult:
    site_id: int
    new_accounts: dict[str, str] = field(default_factory=dict)  # username -> initial password
    counts: dict[str, int] = field(default_factory=dict)


def load_site(session: Session, spec: SiteFile, *, now: datetime) -> LoadResult:
    site = _upsert(
        session,
        Site,
        {"code": spec.site.code},
        name=spec.site.name,
        timezone=spec.site.timezone,
        estimate_missing=spec.billing.estimate_missing,
    )
    result = LoadResult(site_id=site.id)
    building_ids: dict[str, int] = {}
    home_ids: dict[str, int] = {}
    for b in spec.buildings:
        building = _upsert(session, Building, {"site_id": site.id, "code": b.code}, name=b.name)
        building_ids[b.code] = building.id
        for h in b.homes:
            home = _upsert(
                session,
                Home,
                {"building_id": building.id, "code": h.code},
                area_m2=h.area_m2,
                unit=h.unit,
                home_type=h.type,
                floor=h.floor if h.floor is not None else floor_of_code(h.code),
                billed_from=h.billed_from,
                billed_until=h.billed_until,
            )
            home_ids[f"{b.code}/{h.code}"] = home.id
            for o in h.owners:
                owner = _owner(session, o.username, o.name, o.phone, o.id_number, now, result)
                _upsert(session, HomeOwnership, {"home_id": home.id, "owner_id": owner.id})
    device_ids: dict[str, int] = {}
    for d in spec.devices:
        building_code = d.building or (d.home.split("/", 1)[0] if d.home else None)
        device = _upsert(
            session,
            Device,
            {"site_id": site.id, "code": d.code},
            kind=d.kind,
            name=d.name,
            location=d.location,
            heartbeat_s=d.heartbeat_s,
            building_id=building_ids.get(building_code) if building_code else None,
            home_id=home_ids.get(d.home) if d.home else None,
        )
        device_ids[d.code] = device.id
    for d in spec.devices:  # gateways may be listed after the devices behind them
        _upsert(
            session,
            Device,
            {"site_id": site.id, "code": d.code},
            gateway_id=device_ids[d.gateway] if d.gateway else None,
        )
    for m in [*spec.meters, *spec.common_meters]:
        _upsert(
            session,
            Meter,
            {"device_id": device_ids[m.device]},
            home_id=home_ids[m.home] if isinstance(m, MeterSpec) else None,
            share_basis=m.share if isinstance(m, CommonMeterSpec) else None,
            utility=m.utility,
            reading_key=m.reading_key,
            unit=m.unit,
            register_max=m.register_max,
            registers=registers_text(m.registers),
        )
    checkpoint_ids: dict[str, int] = {}
    for c in spec.checkpoints:
        checkpoint = _upsert(
            session,
            Checkpoint,
            {"site_id": site.id, "code": c.code},
            name=c.name,
            reader_device_id=device_ids[c.reader] if c.reader else None,
        )
        checkpoint_ids[c.code] = checkpoint.id
    for r in spec.patrol_routes:
        route = _upsert(session, PatrolRoute, {"site_id": site.id, "code": r.code}, name=r.name)
        for seq, s in enumerate(r.stops, start=1):
            _upsert(
                session,
                RouteStop,
                {"route_id": route.id, "seq": seq},
                checkpoint_id=checkpoint_ids[s.checkpoint],
                offset_min=s.offset_min,
                window_min=s.window_min,
            )
    zone = ZoneInfo(spec.site.timezone)
    for t in spec.tariffs:
        _tariff(session, site.id, t, zone)
    _late_fee(session, site.id, spec.late_fee, now)
    _parking(session, site.id, spec, home_ids, now)
    for member in spec.staff:
        if session.scalar(select(User.id).where(User.username == member.username)) is None:
            _, password = users.create_user(
                session,
                username=member.username,
                full_name=member.full_name,
                role=member.role,
                now=now,
            )
            result.new_accounts[member.username] = password
    _departments(session, site.id, spec)
    _duty(session, site.id, spec, building_ids)
    _plans(session, site.id, spec, building_ids, device_ids, now)
    _assets(session, site.id, spec, building_ids, device_ids, now)
    _maintenance_plans(session, site.id, spec, now)
    result.counts = {
        "buildings": len(spec.buildings),
        "homes": len(home_ids),
        "devices": len(device_ids),
        "meters": len(spec.meters),
        "common_meters": len(spec.common_meters),
        "checkpoints": len(checkpoint_ids),
        "patrol_routes": len(spec.patrol_routes),
        "tariffs": len(spec.tariffs),
        "parking_spaces": len(spec.parking_spaces),
        "parking_contracts": len(spec.parking_contracts),
        "staff": len(spec.staff),
        "departments": len(spec.departments),
        "duty": len(spec.duty),
        "plans": len(spec.plans),
        "assets": len(spec.assets),
        "maintenance_plans": len(spec.maintenance_plans),
    }
    session.flush()
    return result


def _departments(session: Session, site_id: int, spec: SiteFile) -> None:
    """The listed departments, their heads as the file says; others (an admin's) stay."""
    for d in spec.departments:
        head = session.scalars(select(User).where(User.username == d.head)).one()
        name = d.name or DEPARTMENT_LABELS[d.kind]
        _upsert(
            session, Department, {"site_id": site_id, "kind": d.kind}, name=name, head_id=head.id
        )


def _duty(session: Session, site_id: int, spec: SiteFile, building_ids: dict[str, int]) -> None:
    """The roster is replaced as a whole: it has no identity beyond the file's list."""
    for shift in session.scalars(select(DutyShift).where(DutyShift.site_id == site_id)):
        session.delete(shift)
    for d in spec.duty:
        user_id = session.scalar(select(User.id).where(User.username == d.username))
        session.add(
            DutyShift(
                site_id=site_id,
                user_id=user_id,
                category=d.category,
                building_id=building_ids[d.building] if d.building else None,
                starts=d.starts,
                ends=d.ends,
                weekdays=d.weekdays,
            )
        )


def _upsert(session: Session, model: type[T], keys: dict[str, object], **values: object) -> T:
    row = session.scalars(select(model).filter_by(**keys)).one_or_none()
    if row is None:
        row = model(**keys, **values)
        session.add(row)
    else:
        for name, value in values.items():
            setattr(row, name, value)
    session.flush()
    return row


def _owner(
    session: Session,
    username: str,
    name: str,
    phone: str | None,
    id_number: str | None,
    now: datetime,
    result: LoadResult,
) -> Owner:
    user = session.scalars(select(User).where(User.username == username)).one_or_none()
    if user is None:
        user, password = users.create_user(
            session, username=username, full_name=name, role=Role.OWNER, now=now
        )
        result.new_accounts[username] = password
    owner = session.scalars(select(Owner).where(Owner.user_id == user.id)).one_or_none()
    if owner is None:
        owner = Owner(user_id=user.id, name=name, phone=phone, id_number=id_number)
        session.add(owner)
    else:
        owner.name, owner.phone, owner.id_number = name, phone, id_number
    session.flush()
    return owner


def _late_fee(session: Session, site_id: int, spec: LateFeeSpec | None, now: datetime) -> None:
    """The terms as the file states them; a file without `late_fee` turns the fee off."""
    row = session.scalar(select(LateFeeTerms).where(LateFeeTerms.site_id == site_id))
    if spec is None:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        row = LateFeeTerms(site_id=site_id)
        session.add(row)
    terms = (spec.daily_rate, spec.grace_days, spec.cap_ratio)
    if (row.daily_rate, row.grace_days, row.cap_ratio) != terms:
        row.daily_rate, row.grace_days, row.cap_ratio = terms
        row.updated_at = now


def floor_of_code(code: str) -> int | None:
    """A home's floor from its number, as Chinese estates number them: "1201" is on 12, "101"
    on 1; a code that is not a number of three digits or more tells nothing."""
    return int(code[:-2]) if code.isdigit() and len(code) >= 3 else None


def _parking(
    session: Session, site_id: int, spec: SiteFile, home_ids: dict[str, int], now: datetime
) -> None:
    """The file's spaces (fees updated) and contracts, each once by space, home and start; the
    ones finance added in the app stay."""
    space_ids: dict[str, int] = {}
    for p in spec.parking_spaces:
        row = _upsert(
            session,
            ParkingSpace,
            {"site_id": site_id, "code": p.code},
            kind=p.kind,
            monthly_fee=p.monthly_fee,
            location=p.location,
        )
        space_ids[p.code] = row.id
    for c in spec.parking_contracts:
        space_id, home_id = space_ids[c.space], home_ids[c.home]
        existing = session.scalars(
            select(ParkingContract).filter_by(
                space_id=space_id, home_id=home_id, starts_on=c.starts_on
            )
        ).one_or_none()
        if existing is None:
            parking.add_contract(
                session,
                space_id=space_id,
                home_id=home_id,
                starts_on=c.starts_on,
                ends_on=c.ends_on,
                by=None,
                now=now,
            )
        else:
            existing.ends_on = c.ends_on


def _tariff(session: Session, site_id: int, spec: TariffSpec, zone: ZoneInfo) -> None:
    existing = session.scalars(
        select(Tariff).filter_by(site_id=site_id, utility=spec.utility, version=spec.version)
    ).one_or_none()
    if existing is not None:
        return  # a published tariff version never changes; a new price is a new version
    tariff = Tariff(
        site_id=site_id,
        utility=spec.utility,
        version=spec.version,
        unit=spec.unit,
        tier_period=spec.tier_period,
        months=months_text(spec.months),
        effective_from=datetime.combine(spec.effective_from, time(), zone),
        home_type=spec.home_type,
        floor_from=spec.floor_from,
        floor_to=spec.floor_to,
    )
    tariff.tiers = [
        TariffTier(seq=i, up_to=t.up_to, unit_price=t.unit_price, band=t.band)
        for i, t in enumerate(spec.tiers, start=1)
    ]
    session.add(tariff)


def site_by_code_or_raise(session: Session, code: str) -> Site:
    site = session.scalars(select(Site).where(Site.code == code)).one_or_none()
    if site is None:
        raise NotFound(f"site {code!r} is not loaded")
    return site


def _plans(
    session: Session,
    site_id: int,
    spec: SiteFile,
    building_ids: dict[str, int],
    device_ids: dict[str, int],
    now: datetime,
) -> None:
    """The plans the site file names (read and checked by `parse_site_file`), and the devices
    it places on them; a device placed in the app but not in the file stays where it is."""
    plan_ids: dict[str, int] = {}
    for plan in spec.plans:
        checked = spec.plan_images.get(plan.file)
        if checked is None:
            raise ConfigError(f"plans: {plan.file!r} was not read (use parse_site_file)")
        row = site_plans.save_plan(
            session,
            checked,
            site_id=site_id,
            building_id=building_ids[plan.building] if plan.building else None,
            floor=plan.floor,
            name=plan.name,
            by=None,
            now=now,
        )
        plan_ids[plan.file] = row.id
    for d in spec.devices:
        if d.placement is not None:
            device = session.get(Device, device_ids[d.code])
            assert device is not None
            site_plans.place(
                session,
                device,
                plan_id=plan_ids[d.placement.plan],
                x=d.placement.x,
                y=d.placement.y,
            )


def _assets(
    session: Session,
    site_id: int,
    spec: SiteFile,
    building_ids: dict[str, int],
    device_ids: dict[str, int],
    now: datetime,
) -> None:
    """The ledger the site file lists: an asset already there is updated (each change kept in
    its history), its devices linked, its documents added once; assets added in the app stay."""
    for a in spec.assets:
        data = assets.AssetData(
            code=a.code,
            name=a.name,
            asset_class=a.asset_class,
            building_id=building_ids[a.building] if a.building else None,
            location=a.location,
            vendor=a.vendor,
            model=a.model,
            serial=a.serial,
            install_date=a.install_date,
            warranty_end=a.warranty_end,
            contractor=a.contractor,
            status=a.status,
        )
        asset = assets.upsert(session, site_id=site_id, data=data, by=None, now=now)
        assets.set_devices(session, asset, [device_ids[d] for d in a.devices], by=None, now=now)
        for doc in a.documents:
            checked = spec.asset_documents.get(doc.file)
            if checked is None:
                raise ConfigError(f"assets: {doc.file!r} was not read (use parse_site_file)")
            asset_documents.add_document(
                session,
                asset,
                checked,
                kind=doc.kind,
                title=doc.title,
                file_name=doc.file,
                expires_on=doc.expires_on,
                by=None,
                now=now,
            )


def _maintenance_plans(session: Session, site_id: int, spec: SiteFile, now: datetime) -> None:
    """The plans the site file lists, by code: changed ones updated (tasks already made keep
    their window and checklist); plans added in the app stay."""
    for p in spec.maintenance_plans:
        asset = assets.by_code(session, site_id, p.asset) if p.asset else None
        fields = p.model_dump(exclude={"asset"}) | {"asset_id": asset.id if asset else None}
        plans.upsert(session, site_id=site_id, data=PlanData(**fields), by=None, now=now)
