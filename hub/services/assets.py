"""The equipment ledger (设施台账): assets, the devices that report on them, and every edit kept
as history.

An edit writes one `AssetChange` per field whose value changed (old and new as text) and one
audit record, so the ledger can say who changed what even after the asset was edited again.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from hub.domain import AssetClass, AssetStatus
from hub.errors import Conflict, InvalidInput, NotFound
from hub.services import audit
from hub.storage.models import Asset, AssetChange, Building, Device, Site, User


@dataclass(frozen=True)
class AssetData:
    """The editable fields of an asset, as a form or a spreadsheet row gives them."""

    code: str
    name: str
    asset_class: AssetClass
    building_id: int | None = None
    location: str = ""
    vendor: str = ""
    model: str = ""
    serial: str = ""
    install_date: date | None = None
    warranty_end: date | None = None
    contractor: str = ""
    status: AssetStatus = AssetStatus.IN_SERVICE


EDITABLE = tuple(f.name for f in fields(AssetData))


@dataclass(frozen=True)
class AssetFilter:
    """What the ledger list is narrowed by; every field optional."""

    site_id: int | None = None
    building_id: int | None = None
    asset_class: AssetClass | None = None
    status: AssetStatus | None = None
    search: str | None = None  # code, name, location, serial, vendor, model

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.site_id is not None:
            found.append(Asset.site_id == self.site_id)
        if self.building_id is not None:
            found.append(Asset.building_id == self.building_id)
        if self.asset_class is not None:
            found.append(Asset.asset_class == self.asset_class)
        if self.status is not None:
            found.append(Asset.status == self.status)
        if self.search:
            escaped = self.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            pattern = f"%{escaped.lower()}%"
            columns = (Asset.code, Asset.name, Asset.location, Asset.serial, Asset.vendor)
            found.append(
                or_(*(func.lower(c).like(pattern, escape="\\") for c in (*columns, Asset.model)))
            )
        return found


def as_text(value: object) -> str:
    """A field's value as the history shows it: enums by value, dates ISO, None empty."""
    if value is None:
        return ""
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def check(data: AssetData) -> None:
    """Rules a single asset must keep whatever else is in the ledger."""
    if not data.code.strip():
        raise InvalidInput("asset: the code is empty; 设备编号不能为空", code="asset_code_empty")
    if not data.name.strip():
        raise InvalidInput("asset: the name is empty; 设备名称不能为空", code="asset_name_empty")
    if data.install_date and data.warranty_end and data.warranty_end < data.install_date:
        raise InvalidInput(
            "asset: the warranty ends before the install date; 保修截止早于安装日期",
            code="asset_warranty_before_install",
        )


def changed_fields(asset: Asset, data: AssetData) -> dict[str, tuple[str, str]]:
    """The fields `data` would change on `asset`, as (old, new) text."""
    found = {}
    for name in EDITABLE:
        old, new = getattr(asset, name), getattr(data, name)
        if old != new:
            found[name] = (as_text(old), as_text(new))
    return found


def data_of(asset: Asset) -> AssetData:
    return AssetData(**{name: getattr(asset, name) for name in EDITABLE})


def site_or_raise(session: Session, site_id: int) -> Site:
    site = session.get(Site, site_id)
    if site is None:
        raise NotFound(f"estate {site_id} not found")
    return site


def get_or_raise(session: Session, asset_id: int) -> Asset:
    asset = session.get(Asset, asset_id)
    if asset is None:
        raise NotFound(f"asset {asset_id} not found")
    return asset


def by_code(session: Session, site_id: int, code: str) -> Asset | None:
    return session.scalars(
        select(Asset).where(Asset.site_id == site_id, Asset.code == code)
    ).one_or_none()


def _check_place(session: Session, site_id: int, data: AssetData, asset_id: int | None) -> None:
    check(data)
    other = by_code(session, site_id, data.code)
    if other is not None and other.id != asset_id:
        raise Conflict(
            f"asset: code {data.code!r} is taken in this estate; 设备编号已存在",
            code="asset_code_taken",
        )
    if data.building_id is not None:
        building = session.get(Building, data.building_id)
        if building is None or building.site_id != site_id:
            raise InvalidInput(
                f"asset: building {data.building_id} is not in estate {site_id}; 楼栋不属于该小区",
                code="asset_building_other_estate",
            )


def create(
    session: Session, *, site_id: int, data: AssetData, by: User | None, now: datetime
) -> Asset:
    """A new asset; `by` None: the site file or an import run by the hub itself."""
    site_or_raise(session, site_id)
    _check_place(session, site_id, data, None)
    asset = Asset(site_id=site_id, created_at=now, updated_at=now, **_values(data))
    session.add(asset)
    session.flush()
    audit.record(
        session,
        at=now,
        user_id=by.id if by else None,
        action="create_asset",
        target=f"asset:{asset.id}",
        detail=data.code,
    )
    return asset


def update(
    session: Session, asset: Asset, changes: Mapping[str, object], *, by: User | None, now: datetime
) -> list[AssetChange]:
    """Apply `changes` (field name to new value, only fields given); one history row per field
    that really changed, none (and no audit) when nothing did."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput(f"asset: unknown fields {sorted(unknown)}", code="invalid_input")
    data = replace(data_of(asset), **changes)  # type: ignore[arg-type]
    _check_place(session, asset.site_id, data, asset.id)
    diff = changed_fields(asset, data)
    if not diff:
        return []
    rows = [
        AssetChange(asset_id=asset.id, at=now, by_id=by.id if by else None, field=f, old=o, new=n)
        for f, (o, n) in diff.items()
    ]
    session.add_all(rows)
    for name in diff:
        setattr(asset, name, getattr(data, name))
    asset.updated_at = now
    if "building_id" in diff:
        session.expire(asset, ["building"])  # loaded for the old building
    audit.record(
        session,
        at=now,
        user_id=by.id if by else None,
        action="update_asset",
        target=f"asset:{asset.id}",
        detail=", ".join(sorted(diff)),
    )
    session.flush()
    return rows


def upsert(
    session: Session,
    *,
    site_id: int,
    data: AssetData,
    by: User | None,
    now: datetime,
    only: Collection[str] = EDITABLE,
) -> Asset:
    """The asset of `data.code` in the estate, its fields named in `only` updated to `data`
    (with history), or a new asset."""
    asset = by_code(session, site_id, data.code)
    if asset is None:
        return create(session, site_id=site_id, data=data, by=by, now=now)
    update(session, asset, changes_to(asset, data, only), by=by, now=now)
    return asset


def changes_to(
    asset: Asset, data: AssetData, only: Collection[str] = EDITABLE
) -> dict[str, object]:
    """The fields of `only` whose value in `data` differs from the asset's."""
    return {name: getattr(data, name) for name in changed_fields(asset, data) if name in only}


def _values(data: AssetData) -> dict[str, object]:
    return {name: getattr(data, name) for name in EDITABLE}


def search(session: Session, where: AssetFilter) -> list[Asset]:
    """The ledger by estate and code."""
    query = select(Asset).where(*where.conditions()).order_by(Asset.site_id, Asset.code)
    return list(session.scalars(query))


def linked_devices(session: Session, asset_id: int) -> list[Device]:
    return list(
        session.scalars(select(Device).where(Device.asset_id == asset_id).order_by(Device.code))
    )


def set_devices(
    session: Session, asset: Asset, device_ids: Sequence[int], *, by: User | None, now: datetime
) -> list[Device]:
    """Link exactly `device_ids` to the asset (same estate only); devices no longer named are
    unlinked. A device reports on one asset: linking it here moves it from another."""
    wanted = list(dict.fromkeys(device_ids))
    found = {d.id: d for d in session.scalars(select(Device).where(Device.id.in_(wanted)))}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise NotFound(f"devices {missing} not found")
    foreign = [d.code for d in found.values() if d.site_id != asset.site_id]
    if foreign:
        raise InvalidInput(
            f"asset: devices {foreign} are in another estate; 设备不属于该小区",
            code="asset_device_other_estate",
        )
    losing = {d.asset_id for d in found.values() if d.asset_id not in (None, asset.id)}
    before = {a: _codes(session, a) for a in {asset.id, *losing} if a is not None}
    for device in linked_devices(session, asset.id):
        if device.id not in found:
            device.asset_id = None
    for device in found.values():
        device.asset_id = asset.id
    session.flush()
    for asset_id, old in before.items():
        _devices_changed(session, asset_id, old, by=by, now=now)
    return linked_devices(session, asset.id)


def _codes(session: Session, asset_id: int) -> str:
    return ", ".join(d.code for d in linked_devices(session, asset_id))


def _devices_changed(
    session: Session, asset_id: int, old: str, *, by: User | None, now: datetime
) -> None:
    """History and audit for an asset whose linked devices are no longer `old`."""
    new = _codes(session, asset_id)
    if new == old:
        return
    who = by.id if by else None
    session.add(
        AssetChange(asset_id=asset_id, at=now, by_id=who, field="devices", old=old, new=new)
    )
    get_or_raise(session, asset_id).updated_at = now
    audit.record(
        session,
        at=now,
        user_id=who,
        action="link_asset_devices",
        target=f"asset:{asset_id}",
        detail=new,
    )
    session.flush()


def history(session: Session, asset_id: int) -> list[tuple[AssetChange, str | None]]:
    """The asset's changes, newest first, each with its author's username (None: the hub)."""
    query = (
        select(AssetChange, User.username)
        .outerjoin(User, User.id == AssetChange.by_id)
        .where(AssetChange.asset_id == asset_id)
        .order_by(AssetChange.at.desc(), AssetChange.id.desc())
    )
    return [(change, username) for change, username in session.execute(query)]
