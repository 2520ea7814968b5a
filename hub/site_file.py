"""The site file: an estate described as data (YAML), validated before anything is written."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from hub.config_files import parse_yaml
from hub.domain import DeviceKind, Role, Utility
from hub.errors import ConfigError, HubError

if TYPE_CHECKING:
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
    owners: list[OwnerSpec] = []


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


class MeterSpec(_Strict):
    device: str
    home: str = Field(description="BUILDING/HOME")
    utility: Utility
    reading_key: str
    unit: str


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


class TierSpec(_Strict):
    up_to: Decimal | None = None
    unit_price: Decimal = Field(ge=0)


class TariffSpec(_Strict):
    utility: Utility
    version: int = Field(ge=1)
    effective_from: date
    unit: str
    tiers: list[TierSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _tiers_ascend(self) -> TariffSpec:
        bounds = [tier.up_to for tier in self.tiers]
        if any(bound is None for bound in bounds[:-1]):
            raise ValueError("only the last tier may be open-ended (no up_to)")
        limits = [bound for bound in bounds if bound is not None]
        if limits != sorted(set(limits)):
            raise ValueError("tier limits (up_to) must strictly increase")
        return self


class StaffSpec(_Strict):
    username: str
    full_name: str
    role: Role


class DutySpec(_Strict):
    """A daily shift of the duty roster, in the site's timezone."""

    username: str
    category: str
    building: str | None = Field(default=None, description="building code; none: every building")
    starts: time = Field(alias="from")
    ends: time = Field(alias="to")
    weekdays: str = Field(default="1234567", pattern=r"^[1-7]{1,7}$")


class SiteFile(_Strict):
    site: SiteInfo
    buildings: list[BuildingSpec] = []
    devices: list[DeviceSpec] = []
    meters: list[MeterSpec] = []
    checkpoints: list[CheckpointSpec] = []
    patrol_routes: list[RouteSpec] = []
    tariffs: list[TariffSpec] = []
    staff: list[StaffSpec] = []
    duty: list[DutySpec] = []
    plans: list[PlanSpec] = []
    # The plans' checked images by `file`, read by `parse_site_file` from beside the site file
    _plan_images: dict[str, Any] = PrivateAttr(default_factory=dict)

    @property
    def plan_images(self) -> dict[str, CheckedPlan]:
        return self._plan_images

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
        problems += _gateway_problems(self.devices)
        problems += _plan_problems(self.plans, self.devices, buildings)
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
        where = Path(plan.file)
        if where.is_absolute() or ".." in where.parts:
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


def parse_site_file(path: Path) -> SiteFile:
    """Read and validate a site file and the plan images it names; `ConfigError` names the file
    and the fields at fault."""
    spec = parse_yaml(path, SiteFile)
    from hub.services import site_plans  # the upload checks; they need OpenCV, loaded here only
    from hub.settings import get_settings

    for n, plan in enumerate(spec.plans):
        try:
            with (path.parent / plan.file).open("rb") as stream:
                checked = site_plans.read_plan(stream, settings=get_settings())
        except (OSError, HubError) as exc:
            raise ConfigError(f"{path}: plans.{n}.file {plan.file!r}: {exc}") from None
        spec.plan_images[plan.file] = checked
    return spec
