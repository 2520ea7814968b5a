"""Domain vocabulary: roles, kinds and the state machines of alerts and work orders.

States are enums; each machine has one transition table, and an illegal move raises
`InvalidTransition` instead of silently writing a state nobody planned for.
"""

from __future__ import annotations

from enum import StrEnum

from hub.errors import InvalidTransition


class Role(StrEnum):
    ADMIN = "admin"
    OPERATOR = "operator"
    TECHNICIAN = "technician"
    GUARD = "guard"
    FINANCE = "finance"
    CUSTOMER_SERVICE = "customer_service"
    OWNER = "owner"


STAFF_ROLES = frozenset(Role) - {Role.OWNER}


class DeviceKind(StrEnum):
    ELECTRICITY_METER = "electricity_meter"
    WATER_METER = "water_meter"
    LEAK_SENSOR = "leak_sensor"
    SMOKE_SENSOR = "smoke_sensor"
    TEMPERATURE_SENSOR = "temperature_sensor"
    PUMP = "pump"
    GATE = "gate"
    CHECKPOINT_READER = "checkpoint_reader"
    CAMERA = "camera"
    GATEWAY = "gateway"  # an edge gateway speaking for the devices behind it


class Utility(StrEnum):
    """What a bill line charges for (its fee type): a metered utility, the property fee,
    parking, a one-off charge or a late fee."""

    ELECTRICITY = "electricity"
    WATER = "water"
    PROPERTY_FEE = "property_fee"
    LATE_FEE = "late_fee"  # 滞纳金: only where the contract provides it; no tariff, no meter
    PARKING = "parking"  # 停车费: a parking contract's monthly fee; no tariff, no meter
    ONE_OFF = "one_off"  # 一次性费用: a charge finance added to one home, billed once


METERED = frozenset({Utility.ELECTRICITY, Utility.WATER})  # what a meter can measure
PRICED = METERED | {Utility.PROPERTY_FEE}  # what a tariff prices


class HomeType(StrEnum):
    """What a home is used as (房屋类型): a property fee tariff may price one type only."""

    RESIDENTIAL = "residential"  # 住宅
    SHOP = "shop"  # 商铺
    OFFICE = "office"  # 办公
    STORAGE = "storage"  # 车库/储藏


class ParkingKind(StrEnum):
    """A parking space (车位) rented from the estate, or owned with a management fee."""

    RENTED = "rented"  # 租赁: the monthly fee is the rent
    OWNED = "owned"  # 产权: the monthly fee is the parking management fee


class OneOffKind(StrEnum):
    """What a one-off charge (一次性费用) is for."""

    RENOVATION = "renovation"  # 装修管理费
    ACCESS_CARD = "access_card"  # 门禁卡工本费
    OTHER = "other"  # 其他


class TouBand(StrEnum):
    """A time-of-use period (分时电价) of a multi-register meter: 尖峰, 峰, 平, 谷."""

    SHARP = "sharp"
    PEAK = "peak"
    FLAT = "flat"
    VALLEY = "valley"


class TierPeriod(StrEnum):
    """What a tariff's block limits count: a month's use, or the year's so far (Beijing's
    yearly electricity blocks of 2,880 / 4,800 kWh)."""

    MONTH = "month"
    YEAR = "year"


class ShareBasis(StrEnum):
    """How a common-area meter's month (公摊) is shared among the homes it serves."""

    AREA = "area"  # by floor area
    HOUSEHOLD = "household"  # equally per home
    CONSUMPTION = "consumption"  # by each home's own use of the utility that month


class Severity(StrEnum):
    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"
    WARNING = "warning"


class Priority(StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


class AlertState(StrEnum):
    ACTIVE_UNACKNOWLEDGED = "active_unacknowledged"
    ACTIVE_ACKNOWLEDGED = "active_acknowledged"
    CLEARED_UNACKNOWLEDGED = "cleared_unacknowledged"
    CLEARED_ACKNOWLEDGED = "cleared_acknowledged"

    @property
    def is_active(self) -> bool:
        return self in (AlertState.ACTIVE_UNACKNOWLEDGED, AlertState.ACTIVE_ACKNOWLEDGED)


ACTIVE_ALERT_STATES = (AlertState.ACTIVE_UNACKNOWLEDGED, AlertState.ACTIVE_ACKNOWLEDGED)
# Waiting for a person: active, or cleared by itself before anyone acknowledged it. An alarm
# leaves the control room's list only once someone has acknowledged (or closed) it.
OPEN_ALERT_STATES = (*ACTIVE_ALERT_STATES, AlertState.CLEARED_UNACKNOWLEDGED)
UNACKNOWLEDGED_ALERT_STATES = (AlertState.ACTIVE_UNACKNOWLEDGED, AlertState.CLEARED_UNACKNOWLEDGED)

_ALERT_MOVES: dict[tuple[AlertState, str], AlertState] = {
    (AlertState.ACTIVE_UNACKNOWLEDGED, "acknowledge"): AlertState.ACTIVE_ACKNOWLEDGED,
    (AlertState.ACTIVE_UNACKNOWLEDGED, "clear"): AlertState.CLEARED_UNACKNOWLEDGED,
    (AlertState.ACTIVE_ACKNOWLEDGED, "clear"): AlertState.CLEARED_ACKNOWLEDGED,
    (AlertState.CLEARED_UNACKNOWLEDGED, "acknowledge"): AlertState.CLEARED_ACKNOWLEDGED,
    # a person closes with a note: an event alarm (nothing will ever clear it), a condition
    # they have dealt with, or a cleared one; closing also acknowledges
    (AlertState.ACTIVE_UNACKNOWLEDGED, "close"): AlertState.CLEARED_ACKNOWLEDGED,
    (AlertState.ACTIVE_ACKNOWLEDGED, "close"): AlertState.CLEARED_ACKNOWLEDGED,
    (AlertState.CLEARED_UNACKNOWLEDGED, "close"): AlertState.CLEARED_ACKNOWLEDGED,
}


def next_alert_state(state: AlertState, action: str) -> AlertState:
    """The state after `action` ("acknowledge", "clear" or "close"), or `InvalidTransition`."""
    try:
        return _ALERT_MOVES[(state, action)]
    except KeyError:
        raise InvalidTransition(f"cannot {action} an alert that is {state.value}") from None


class AlertEventKind(StrEnum):
    """One line of an alarm's history (who did what, when)."""

    RAISED = "raised"
    ACKNOWLEDGED = "acknowledged"
    CLEARED = "cleared"
    CLOSED = "closed"
    COMMENTED = "commented"
    LINKED = "linked"  # a work order was created for it or linked to it


class WorkOrderStatus(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


OPEN_WORK_ORDER_STATES = (
    WorkOrderStatus.SUBMITTED,
    WorkOrderStatus.ACCEPTED,
    WorkOrderStatus.ASSIGNED,
    WorkOrderStatus.IN_PROGRESS,
)

WORK_ORDER_TRANSITIONS: dict[WorkOrderStatus, frozenset[WorkOrderStatus]] = {
    WorkOrderStatus.SUBMITTED: frozenset({WorkOrderStatus.ACCEPTED, WorkOrderStatus.CANCELLED}),
    WorkOrderStatus.ACCEPTED: frozenset({WorkOrderStatus.ASSIGNED, WorkOrderStatus.CANCELLED}),
    WorkOrderStatus.ASSIGNED: frozenset(
        {WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.ASSIGNED, WorkOrderStatus.CANCELLED}
    ),
    WorkOrderStatus.IN_PROGRESS: frozenset({WorkOrderStatus.COMPLETED}),
    WorkOrderStatus.COMPLETED: frozenset({WorkOrderStatus.CONFIRMED, WorkOrderStatus.IN_PROGRESS}),
    WorkOrderStatus.CONFIRMED: frozenset(),
    WorkOrderStatus.CANCELLED: frozenset(),
}


def check_work_order_move(current: WorkOrderStatus, target: WorkOrderStatus) -> None:
    """Raise `InvalidTransition` unless the table allows `current -> target` (no skipped step)."""
    if target not in WORK_ORDER_TRANSITIONS[current]:
        raise InvalidTransition(
            f"a work order that is {current.value} cannot become {target.value}"
        )


class WorkOrderSource(StrEnum):
    RULE = "rule"
    OWNER = "owner"
    STAFF = "staff"


class ScanSource(StrEnum):
    PHONE_CODE = "phone_code"
    PHONE_PHOTO = "phone_photo"
    READER = "reader"


class MemberKind(StrEnum):
    """Who else belongs to a home's household besides its owners (业主信息: 关联信息)."""

    FAMILY = "family"
    TENANT = "tenant"
    EMERGENCY_CONTACT = "emergency_contact"


class DeliveryStatus(StrEnum):
    """An outbox notification: waiting, delivered once, or given up after its attempts."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class CommandStatus(StrEnum):
    """A device command: stored, published to the device, answered, or failed (timed out)."""

    PENDING = "pending"
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    FAILED = "failed"


class BillStatus(StrEnum):
    """Read from the money allocated to the bill: none, some, or its whole total."""

    UNPAID = "unpaid"
    PARTLY_PAID = "partly_paid"
    PAID = "paid"
    CREDITED = "credited"  # 冲销: a credit note cancelled it; it owes nothing


OWING = frozenset({BillStatus.UNPAID, BillStatus.PARTLY_PAID})  # something outstanding (欠费)


class AssetClass(StrEnum):
    """What a piece of equipment in the ledger (设施台账) is."""

    ELEVATOR = "elevator"
    WATER_PUMP = "water_pump"
    FIRE_ALARM_PANEL = "fire_alarm_panel"
    FIRE_PUMP = "fire_pump"
    TRANSFORMER = "transformer"
    GENERATOR = "generator"
    ACCESS_GATE = "access_gate"
    CAMERA = "camera"
    BOILER = "boiler"
    HVAC = "hvac"
    LIGHTING = "lighting"
    OTHER = "other"


class AssetStatus(StrEnum):
    IN_SERVICE = "in_service"
    UNDER_REPAIR = "under_repair"
    STANDBY = "standby"
    RETIRED = "retired"


class AssetDocumentKind(StrEnum):
    MANUAL = "manual"
    INSPECTION_CERTIFICATE = "inspection_certificate"
    WARRANTY = "warranty"
    OTHER = "other"


class FailureCause(StrEnum):
    """Why equipment failed, as the technician's maintenance record (维修记录) says."""

    WEAR = "wear"  # wear and ageing
    MISUSE = "misuse"
    POWER = "power"  # supply faults, surges
    WATER_INGRESS = "water_ingress"
    VANDALISM = "vandalism"
    DESIGN = "design"  # a design or installation fault
    UNKNOWN = "unknown"


class RepairRemedy(StrEnum):
    """What the technician did about it, as the maintenance record says."""

    REPLACE_PART = "replace_part"
    REPAIR = "repair"
    ADJUST = "adjust"
    CLEAN = "clean"
    RESET = "reset"
    NO_FAULT_FOUND = "no_fault_found"


class MaintenanceTrigger(StrEnum):
    """What brings a maintenance plan's next task (保养计划): the calendar or the asset's use."""

    CALENDAR = "calendar"
    USAGE = "usage"


class CalendarUnit(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"  # from the anchor's day, clamped to the month's end (31 Jan -> 28 Feb)


class UsageCounter(StrEnum):
    """How a usage plan counts from the readings of the asset's devices."""

    RUNNING_HOURS = "running_hours"  # hours a boolean metric spent at 1 (a pump's `running`)
    STARTS = "starts"  # 0 -> 1 transitions of a boolean metric
    COUNTER = "counter"  # increments of a cumulative counter metric


class ChecklistKind(StrEnum):
    PASS_FAIL = "pass_fail"
    MEASURE = "measure"  # a value with a unit, checked against min/max


class MaintenanceTaskStatus(StrEnum):
    """A maintenance task; overdue is not a state but `due_by` passed while not done."""

    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


OPEN_MAINTENANCE_STATES = (MaintenanceTaskStatus.SCHEDULED, MaintenanceTaskStatus.IN_PROGRESS)

MAINTENANCE_TRANSITIONS: dict[MaintenanceTaskStatus, frozenset[MaintenanceTaskStatus]] = {
    MaintenanceTaskStatus.SCHEDULED: frozenset(
        {MaintenanceTaskStatus.IN_PROGRESS, MaintenanceTaskStatus.CANCELLED}
    ),
    MaintenanceTaskStatus.IN_PROGRESS: frozenset(
        {MaintenanceTaskStatus.DONE, MaintenanceTaskStatus.CANCELLED}
    ),
    MaintenanceTaskStatus.DONE: frozenset(),
    MaintenanceTaskStatus.CANCELLED: frozenset(),
}


def check_maintenance_move(current: MaintenanceTaskStatus, target: MaintenanceTaskStatus) -> None:
    """Raise `InvalidTransition` unless the table allows `current -> target`."""
    if target not in MAINTENANCE_TRANSITIONS[current]:
        raise InvalidTransition(
            f"a maintenance task that is {current.value} cannot become {target.value}",
            code="pm_task_wrong_state",
        )


class DepartmentKind(StrEnum):
    """An estate's departments (部门), each preparing a yearly budget."""

    ENGINEERING = "engineering"  # 工程
    SECURITY = "security"  # 安保
    CUSTOMER_SERVICE = "customer_service"  # 客服
    CLEANING = "cleaning"  # 保洁
    GREENING = "greening"  # 绿化
    ADMIN = "admin"  # 财务/行政: also where the estate's income is budgeted


class BudgetCategory(StrEnum):
    """What a budget line plans: income (收入) or a cost (支出)."""

    PROPERTY_FEE = "property_fee"  # 物业费
    UTILITIES = "utilities"  # 水电
    PARKING = "parking"  # 停车
    OTHER_INCOME = "other_income"  # 其他收入
    LABOUR = "labour"  # 人工
    REPAIRS = "repairs"  # 维修 (repairs and parts)
    COMMON_ENERGY = "common_energy"  # 公共能耗
    CLEANING = "cleaning"  # 保洁
    GREENING = "greening"  # 绿化
    SECURITY = "security"  # 安保
    ADMIN = "admin"  # 行政
    OTHER_COST = "other_cost"  # 其他


INCOME = frozenset(
    {
        BudgetCategory.PROPERTY_FEE,
        BudgetCategory.UTILITIES,
        BudgetCategory.PARKING,
        BudgetCategory.OTHER_INCOME,
    }
)


class BudgetStatus(StrEnum):
    """draft -> submitted -> approved | returned (-> submitted again); approved -> superseded
    once a later version is approved."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    SUPERSEDED = "superseded"
