"""All tables, imported here so `Base.metadata` knows every one of them."""

from hub.storage.models.alerts import Alert, AlertEvent
from hub.storage.models.assets import Asset, AssetChange, AssetDocument
from hub.storage.models.audit import AuditEntry
from hub.storage.models.auth_sessions import AuthSession, RefreshToken
from hub.storage.models.billing import (
    Bill,
    BillLine,
    CreditNote,
    Payment,
    PaymentIntent,
    PaymentNotification,
    ReadingCorrection,
    Tariff,
    TariffTier,
)
from hub.storage.models.budgets import Budget, BudgetLine, CostEntry, Department
from hub.storage.models.commands import DeviceCommand
from hub.storage.models.complaints import (
    Complaint,
    ComplaintContact,
    ComplaintEvent,
    ComplaintPhoto,
)
from hub.storage.models.demand_letters import DemandLetter, DemandLetterBill
from hub.storage.models.device_swaps import DeviceSwap
from hub.storage.models.duty import DutyShift
from hub.storage.models.fees import OneOffCharge, ParkingContract, ParkingSpace
from hub.storage.models.home_accounts import (
    BalanceEntry,
    Deposit,
    PaymentAllocation,
    Refund,
)
from hub.storage.models.households import HouseholdMember, Vehicle
from hub.storage.models.late_fees import LateFeeTerms
from hub.storage.models.late_readings import LateReading
from hub.storage.models.login_throttle import LoginFailure, LoginLock
from hub.storage.models.maintenance import (
    MaintenancePlan,
    MaintenanceTask,
    MaintenanceTaskItem,
    UsageCursor,
)
from hub.storage.models.maintenance_records import (
    MaintenanceLabour,
    MaintenancePart,
    MaintenanceRecord,
)
from hub.storage.models.notices import Notice, NoticeBuilding, NoticeHome, NoticeRead
from hub.storage.models.notifications import InboxItem, OutboxMessage
from hub.storage.models.ownership_changes import ChangeKind, OwnershipChange
from hub.storage.models.password_reset import CodeClosed, PasswordResetCode
from hub.storage.models.patrol import PatrolRound, PatrolRoute, PatrolScan, PatrolStop, RouteStop
from hub.storage.models.reconciliation import (
    ProviderStatement,
    ReconciliationDay,
    ReconciliationItem,
    ReconciliationNote,
    SandboxSettlement,
)
from hub.storage.models.registrations import Registration, RegistrationState
from hub.storage.models.rule_state import RuleState
from hub.storage.models.site import (
    Building,
    Checkpoint,
    Device,
    Home,
    HomeOwnership,
    Meter,
    Owner,
    Site,
    SitePlan,
)
from hub.storage.models.sms import SmsMessage
from hub.storage.models.surveys import Survey, SurveyAnswer, SurveyState
from hub.storage.models.telemetry import DeadLetter, DeviceEvent, Reading
from hub.storage.models.users import PasswordHistory, User
from hub.storage.models.work_orders import (
    WorkOrder,
    WorkOrderEscalation,
    WorkOrderEvent,
    WorkOrderPause,
    WorkOrderPhoto,
)
from hub.storage.models.workers import WorkerHeartbeat

__all__ = [
    "Alert",
    "AlertEvent",
    "Asset",
    "AssetChange",
    "AssetDocument",
    "AuditEntry",
    "AuthSession",
    "BalanceEntry",
    "Bill",
    "BillLine",
    "Budget",
    "BudgetLine",
    "Building",
    "ChangeKind",
    "Checkpoint",
    "CodeClosed",
    "Complaint",
    "ComplaintContact",
    "ComplaintEvent",
    "ComplaintPhoto",
    "CostEntry",
    "CreditNote",
    "DeadLetter",
    "DemandLetter",
    "DemandLetterBill",
    "Department",
    "Deposit",
    "Device",
    "DeviceCommand",
    "DeviceEvent",
    "DeviceSwap",
    "DutyShift",
    "Home",
    "HomeOwnership",
    "HouseholdMember",
    "InboxItem",
    "LateFeeTerms",
    "LateReading",
    "LoginFailure",
    "LoginLock",
    "MaintenanceLabour",
    "MaintenancePart",
    "MaintenancePlan",
    "MaintenanceRecord",
    "MaintenanceTask",
    "MaintenanceTaskItem",
    "Meter",
    "Notice",
    "NoticeBuilding",
    "NoticeHome",
    "NoticeRead",
    "OneOffCharge",
    "OutboxMessage",
    "Owner",
    "OwnershipChange",
    "ParkingContract",
    "ParkingSpace",
    "PasswordHistory",
    "PasswordResetCode",
    "PatrolRound",
    "PatrolRoute",
    "PatrolScan",
    "PatrolStop",
    "Payment",
    "PaymentAllocation",
    "PaymentIntent",
    "PaymentNotification",
    "ProviderStatement",
    "Reading",
    "ReadingCorrection",
    "ReconciliationDay",
    "ReconciliationItem",
    "ReconciliationNote",
    "RefreshToken",
    "Refund",
    "Registration",
    "RegistrationState",
    "RouteStop",
    "RuleState",
    "SandboxSettlement",
    "Site",
    "SitePlan",
    "SmsMessage",
    "Survey",
    "SurveyAnswer",
    "SurveyState",
    "Tariff",
    "TariffTier",
    "UsageCursor",
    "User",
    "Vehicle",
    "WorkOrder",
    "WorkOrderEscalation",
    "WorkOrderEvent",
    "WorkOrderPause",
    "WorkOrderPhoto",
    "WorkerHeartbeat",
]
