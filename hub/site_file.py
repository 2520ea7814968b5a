"""The site file: an estate described as data (YAML), validated before anything is written."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from hub.config_files import parse_yaml
from hub.domain import (
    METERED,
    PRICED,
    AssetClass,
    AssetDocumentKind,
    AssetStatus,
    DepartmentKind,
    DeviceKind,
    HomeType,
    ParkingKind,
    Role,
    ShareBasis,
    TierPeriod,
    TouBand,
    Utility,
)
from hub.errors import ConfigError, HubError, InvalidInput
from hub.services.maintenance.plans import PlanData
from hub.services.tariffs import Block, check_blocks, check_floor_band

if TYPE_CHECKING:
    from hub.services.asset_documents import CheckedDocument
    from hub.services.site_plans import CheckedPlan

SAMPLE_SITE = Path(__file__).resolve().parent / "samples" / "site.yaml"


DEVICE_CODE = r"^[A-Za-z0-9_.-]+$"  # a device code is a topic level: no '/', '+', '#' or space


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SiteInfo(_Strict):
    code: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    name: str
    timezone: str = "Asia/Shanghai"


class OwnerSpec(_Strict):
    username: str
    name: str
    phone: str | None = None
    id_number: str | None = None


class HomeSpec(_Strict):
    code: str
    unit: str = Field(default="", max_length=32, description="单元 within the building, e.g. 1单元")
    area_m2: Decimal = Field(gt=0)
    type: HomeType = Field(default=HomeType.RESIDENTIAL, description="住宅, 商铺, 办公, 车库/储藏")
    floor: int | None = Field(
        default=None, ge=-10, le=200, description='none: read from the code, "1201" is floor 12'
    )
    billed_from: date | None = Field(default=None, description="交房/入住: the first day billed")
    billed_until: date | None = Field(default=None, description="迁出/售出: the last day billed")
    owners: list[OwnerSpec] = []

    @model_validator(mode="after")
    def _dates_in_order(self) -> HomeSpec:
        if self.billed_from and self.billed_until and self.billed_until < self.billed_from:
            raise ValueError(f"home {self.code}: billed_until is before billed_from")
        return self


class BuildingSpec(_Strict):
    code: str
    name: str
    homes: list[HomeSpec] = []


class PlacementSpec(_Strict):
    plan: str = Field(description="the `file` of one of the site file's plans")
    x: float = Field(ge=0, le=1, description="fraction of the plan's width, from the left")
    y: float = Field(ge=0, le=1, description="fraction of the plan's height, from the top")


class DeviceSpec(_Strict):
    code: str = Field(pattern=DEVICE_CODE)
    kind: DeviceKind
    name: str
    building: str | None = None
    home: str | None = Field(default=None, description="BUILDING/HOME, e.g. B1/101")
    location: str = ""
    heartbeat_s: int = Field(default=300, gt=0)
    gateway: str | None = Field(default=None, description="code of the edge gateway device")
    placement: PlacementSpec | None = None


class _MeterFields(_Strict):
    device: str
    utility: Utility
    reading_key: str
    unit: str
    register_max: Decimal | None = Field(
        default=None,
        gt=0,
        description="the register's highest value, e.g. 99999.9: past it the meter starts at 0",
    )
    registers: dict[TouBand, str] | None = Field(
        default=None,
        description="time-of-use registers of a multi-register meter: band -> reading key",
    )

    @field_validator("utility")
    @classmethod
    def _metered(cls, utility: Utility) -> Utility:
        if utility not in METERED:
            raise ValueError(f"a meter measures {' or '.join(sorted(METERED))}")
        return utility


class MeterSpec(_MeterFields):
    home: str = Field(description="BUILDING/HOME")


class CommonMeterSpec(_MeterFields):
    """A common-area meter (公摊): shared among its device's building, or the whole estate."""

    share: ShareBasis = Field(description="area, household or consumption")


class CheckpointSpec(_Strict):
    code: str
    name: str
    reader: str | None = Field(default=None, description="code of a checkpoint_reader device")


class StopSpec(_Strict):
    checkpoint: str
    offset_min: int = Field(ge=0)
    window_min: int = Field(gt=0)


class RouteSpec(_Strict):
    code: str
    name: str
    stops: list[StopSpec] = Field(min_length=1)


class PlanSpec(_Strict):
    """The estate's site plan (no building) or a building's floor plan, a file beside the site
    file: SVG (no scripts or links out), PNG or JPEG, checked as an upload is."""

    file: str = Field(description="relative to the site file, e.g. plans/site.svg")
    name: str
    building: str | None = Field(default=None, description="building code; none: the site plan")
    floor: str = Field(default="", max_length=32, description='e.g. "1F"')


class AssetDocumentSpec(_Strict):
    """A manual, certificate or warranty of an asset: a PDF, PNG or JPEG beside the site file,
    checked as an upload is."""

    file: str = Field(description="relative to the site file, e.g. docs/elevator-cert.pdf")
    kind: AssetDocumentKind
    title: str = Field(min_length=1, max_length=200)
    expires_on: date | None = Field(default=None, description="an inspection certificate's")


class AssetSpec(_Strict):
    """One piece of equipment of the ledger (设施台账); docs/maintenance.md."""

    code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    asset_class: AssetClass = Field(alias="class")
    building: str | None = Field(default=None, description="building code")
    location: str = Field(default="", max_length=200)
    vendor: str = Field(default="", max_length=200)
    model: str = Field(default="", max_length=200)
    serial: str = Field(default="", max_length=200)
    install_date: date | None = None
    warranty_end: date | None = None
    contractor: str = Field(default="", max_length=200, description="maintenance contractor")
    status: AssetStatus = AssetStatus.IN_SERVICE
    devices: list[str] = Field(default=[], description="codes of the devices reporting on it")
    documents: list[AssetDocumentSpec] = []


class TierSpec(_Strict):
    up_to: Decimal | None = None
    unit_price: Decimal = Field(ge=0)
    band: TouBand | None = Field(default=None, description="a time-of-use price: its band")


class TariffSpec(_Strict):
    utility: Utility
    version: int = Field(ge=1)
    effective_from: date
    unit: str
    tiers: list[TierSpec] = Field(min_length=1)
    tier_period: TierPeriod = Field(
        default=TierPeriod.MONTH, description="month, or year: the limits count the year's use"
    )
    months: list[int] | None = Field(
        default=None, description="a seasonal price: the calendar months 1-12 it applies to"
    )
    home_type: HomeType | None = Field(default=None, description="a property fee for one type")
    floor_from: int | None = Field(default=None, description="a property fee's floor band")
    floor_to: int | None = Field(default=None, description="none: no top floor")

    @field_validator("utility")
    @classmethod
    def _priced(cls, utility: Utility) -> Utility:
        if utility not in PRICED:
            raise ValueError(f"a tariff prices {', '.join(sorted(PRICED))}; late fees: late_fee")
        return utility

    @model_validator(mode="after")
    def _tiers_valid(self) -> TariffSpec:
        """The same rules as a price published in the console (hub/services/tariffs.py)."""
        scoped = (self.home_type, self.floor_from, self.floor_to) != (None, None, None)
        if scoped and self.utility is not Utility.PROPERTY_FEE:
            raise ValueError("home_type and floor bands scope a property_fee tariff only")
        try:
            check_blocks([Block(t.up_to, t.unit_price, t.band) for t in self.tiers])
            check_floor_band(self.floor_from, self.floor_to)
        except InvalidInput as exc:
            raise ValueError(str(exc)) from None
        return self


class ParkingSpaceSpec(_Strict):
    """A parking space (车位): rented (租赁, the fee is the rent) or owned (产权, the fee is the
    parking management fee)."""

    code: str = Field(min_length=1, max_length=64)
    kind: ParkingKind
    monthly_fee: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    location: str = Field(default="", max_length=200)


class ParkingContractSpec(_Strict):
    """A home's contract for a space, billed monthly, part months by day."""

    space: str = Field(description="the space's code")
    home: str = Field(description="BUILDING/HOME")
    starts_on: date
    ends_on: date | None = Field(default=None, description="the last day; none: open")


class StaffSpec(_Strict):
    username: str
    full_name: str
    role: Role


class DepartmentSpec(_Strict):
    """A department (部门) and its head, who prepares its yearly budget (docs/finance.md)."""

    kind: DepartmentKind
    head: str = Field(description="username of a staff account")
    name: str | None = Field(default=None, max_length=100, description="none: the kind's name")


class DutySpec(_Strict):
    """A daily shift of the duty roster, in the site's timezone."""

    username: str
    category: str
    building: str | None = Field(default=None, description="building code; none: every building")
    starts: time = Field(alias="from")
    ends: time = Field(alias="to")
    weekdays: str = Field(default="1234567", pattern=r"^[1-7]{1,7}$")


class MaintenancePlanSpec(PlanData):
    """A maintenance plan (docs/maintenance.md): for one asset by its `asset` code, or for
    every asset of an `asset_class`."""

    asset: str | None = Field(default=None, description="asset code; none: asset_class")


class LateFeeSpec(_Strict):
    """滞纳金, only where the estate's property service contract provides one."""

    daily_rate: Decimal = Field(
        gt=0, le=Decimal("0.01"), description="of the principal a day, e.g. 0.0003 (万分之三)"
    )
    grace_days: int = Field(default=0, ge=0, le=365, description="after the 30-day payment term")
    cap_ratio: Decimal = Field(
        default=Decimal(1), gt=0, le=1, description="the fee never exceeds the principal x this"
    )


class BillingSpec(_Strict):
    """How the billing run treats this estate's meters."""

    estimate_missing: bool = Field(
        default=False,
        description="估抄: a meter without a reading in the month is billed an estimate from "
        "its average daily use, trued up at its next real reading (off: not billed)",
    )


class SiteFile(_Strict):
    site: SiteInfo
    buildings: list[BuildingSpec] = []
    devices: list[DeviceSpec] = []
    meters: list[MeterSpec] = []
    common_meters: list[CommonMeterSpec] = []
    checkpoints: list[CheckpointSpec] = []
    patrol_routes: list[RouteSpec] = []
    tariffs: list[TariffSpec] = []
    late_fee: LateFeeSpec | None = None  # none: the contract has no late fee
    billing: BillingSpec = BillingSpec()
    parking_spaces: list[ParkingSpaceSpec] = []
    parking_contracts: list[ParkingContractSpec] = []
    staff: list[StaffSpec] = []
    departments: list[DepartmentSpec] = []
    duty: list[DutySpec] = []
    plans: list[PlanSpec] = []
    assets: list[AssetSpec] = []
    maintenance_plans: list[MaintenancePlanSpec] = []
    # The plans' checked images and the assets' documents by `file`, read by `parse_site_file`
    # from beside the site file
    _plan_images: dict[str, Any] = PrivateAttr(default_factory=dict)
    _asset_documents: dict[str, Any] = PrivateAttr(default_factory=dict)

    @property
    def plan_images(self) -> dict[str, CheckedPlan]:
        return self._plan_images

    @property
    def asset_documents(self) -> dict[str, CheckedDocument]:
        return self._asset_documents

    @model_validator(mode="after")
    def _references_resolve(self) -> SiteFile:
        homes = {f"{b.code}/{h.code}" for b in self.buildings for h in b.homes}
        buildings = {b.code for b in self.buildings}
        devices = {d.code: d for d in self.devices}
        problems: list[str] = []
        for d in self.devices:
            if d.home and d.home not in homes:
                problems.append(f"devices.{d.code}.home: no home {d.home!r}")
            if d.building and d.building not in buildings:
                problems.append(f"devices.{d.code}.building: no building {d.building!r}")
        for m in self.meters:
            if m.home not in homes:
                problems.append(f"meters.{m.device}.home: no home {m.home!r}")
            if m.device not in devices:
                problems.append(f"meters.{m.device}.device: no such device")
        home_meters = {m.device for m in self.meters}
        for common in self.common_meters:
            device = devices.get(common.device)
            if device is None:
                problems.append(f"common_meters.{common.device}.device: no such device")
            if common.device in home_meters or (device is not None and device.home):
                problems.append(f"common_meters.{common.device}: a common meter belongs to no home")
        checkpoints = {c.code for c in self.checkpoints}
        for c in self.checkpoints:
            if c.reader and c.reader not in devices:
                problems.append(f"checkpoints.{c.code}.reader: no device {c.reader!r}")
        for r in self.patrol_routes:
            problems += [
                f"patrol_routes.{r.code}.stops: no checkpoint {s.checkpoint!r}"
                for s in r.stops
                if s.checkpoint not in checkpoints
            ]
        problems += _parking_problems(self.parking_spaces, self.parking_contracts, homes)
        problems += _gateway_problems(self.devices)
        problems += _plan_problems(self.plans, self.devices, buildings)
        problems += _asset_problems(self.assets, set(devices), buildings)
        problems += _maintenance_problems(self.maintenance_plans, {a.code for a in self.assets})
        problems += _department_problems(self.departments, {s.username for s in self.staff})
        technicians = {s.username for s in self.staff if s.role is Role.TECHNICIAN}
        for n, shift in enumerate(self.duty):
            if shift.username not in technicians:
                problems.append(f"duty.{n}.username: {shift.username!r} is not a technician")
            if shift.building and shift.building not in buildings:
                problems.append(f"duty.{n}.building: no building {shift.building!r}")
            if shift.starts == shift.ends:
                problems.append(f"duty.{n}: from and to are the same time")
        if problems:
            raise ValueError("; ".join(problems))
        return self


def _department_problems(departments: list[DepartmentSpec], staff: set[str]) -> list[str]:
    problems = [
        f"departments.{d.kind.value}.head: {d.head!r} is not in staff"
        for d in departments
        if d.head not in staff
    ]
    kinds = [d.kind for d in departments]
    problems += [f"departments.{k.value}: listed twice" for k in set(kinds) if kinds.count(k) > 1]
    return problems


def _maintenance_problems(plans: list[MaintenancePlanSpec], assets: set[str]) -> list[str]:
    problems = []
    seen: set[str] = set()
    for plan in plans:
        where = f"maintenance_plans.{plan.code}"
        if plan.code in seen:
            problems.append(f"{where}: the code is listed twice")
        seen.add(plan.code)
        if plan.asset_id is not None:
            problems.append(f"{where}.asset_id: name the asset by its code (asset)")
        if (plan.asset is None) == (plan.asset_class is None):
            problems.append(f"{where}: name one asset or one asset_class")
        if plan.asset is not None and plan.asset not in assets:
            problems.append(f"{where}.asset: no asset {plan.asset!r}")
    return problems


def _parking_problems(
    spaces: list[ParkingSpaceSpec], contracts: list[ParkingContractSpec], homes: set[str]
) -> list[str]:
    codes = [space.code for space in spaces]
    problems = [
        f"parking_spaces.{code}: the code is listed twice"
        for code in sorted(set(codes))
        if codes.count(code) > 1
    ]
    for n, contract in enumerate(contracts):
        if contract.space not in codes:
            problems.append(f"parking_contracts.{n}.space: no space {contract.space!r}")
        if contract.home not in homes:
            problems.append(f"parking_contracts.{n}.home: no home {contract.home!r}")
        if contract.ends_on is not None and contract.ends_on < contract.starts_on:
            problems.append(f"parking_contracts.{n}: ends_on is before starts_on")
    return problems


def _gateway_problems(devices: list[DeviceSpec]) -> list[str]:
    kinds = {d.code: d.kind for d in devices}
    return [
        f"devices.{d.code}.gateway: {d.gateway!r} is not a gateway device"
        for d in devices
        if d.gateway is not None and kinds.get(d.gateway) is not DeviceKind.GATEWAY
    ]


def _plan_problems(
    plans: list[PlanSpec], devices: list[DeviceSpec], buildings: set[str]
) -> list[str]:
    problems = []
    for n, plan in enumerate(plans):
        if not _beside(plan.file):
            problems.append(f"plans.{n}.file: {plan.file!r} must be beside the site file")
        if plan.building and plan.building not in buildings:
            problems.append(f"plans.{n}.building: no building {plan.building!r}")
    files = {plan.file for plan in plans}
    problems += [
        f"devices.{d.code}.placement.plan: no plan {d.placement.plan!r} in plans"
        for d in devices
        if d.placement is not None and d.placement.plan not in files
    ]
    return problems


def _beside(file: str) -> bool:
    where = Path(file)
    return not where.is_absolute() and ".." not in where.parts


def _asset_problems(assets: list[AssetSpec], devices: set[str], buildings: set[str]) -> list[str]:
    problems = []
    codes: set[str] = set()
    linked: set[str] = set()
    for a in assets:
        where = f"assets.{a.code}"
        if a.code in codes:
            problems.append(f"{where}: the code is listed twice")
        codes.add(a.code)
        if a.building and a.building not in buildings:
            problems.append(f"{where}.building: no building {a.building!r}")
        if a.install_date and a.warranty_end and a.warranty_end < a.install_date:
            problems.append(f"{where}.warranty_end: before install_date")
        for d in a.devices:
            if d not in devices:
                problems.append(f"{where}.devices: no device {d!r}")
            elif d in linked:
                problems.append(f"{where}.devices: {d!r} reports on another asset already")
            linked.add(d)
        problems += [
            f"{where}.documents: {doc.file!r} must be beside the site file"
            for doc in a.documents
            if not _beside(doc.file)
        ]
    return problems


def parse_site_file(path: Path) -> SiteFile:
    """Read and validate a site file and the plan images it names; `ConfigError` names the file
    and the fields at fault."""
    spec = parse_yaml(path, SiteFile)
    # the upload checks; they need OpenCV, loaded here only
    from hub.services import asset_documents, site_plans
    from hub.settings import get_settings

    for n, plan in enumerate(spec.plans):
        try:
            with (path.parent / plan.file).open("rb") as stream:
                checked = site_plans.read_plan(stream, settings=get_settings())
        except (OSError, HubError) as exc:
            raise ConfigError(f"{path}: plans.{n}.file {plan.file!r}: {exc}") from None
        spec.plan_images[plan.file] = checked
    for asset in spec.assets:
        for doc in asset.documents:
            try:
                with (path.parent / doc.file).open("rb") as stream:
                    document = asset_documents.read_document(stream, settings=get_settings())
            except (OSError, HubError) as exc:
                raise ConfigError(
                    f"{path}: assets.{asset.code}.documents {doc.file!r}: {exc}"
                ) from None
            spec.asset_documents[doc.file] = document
    return spec
