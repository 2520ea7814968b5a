"""How amounts, homes and utilities are written on a bill."""

from __future__ import annotations

from decimal import Decimal

from hub.domain import HomeType, OneOffKind, ParkingKind, Utility
from hub.storage.models import Home, Payment

UTILITY_LABELS = {
    Utility.ELECTRICITY: "电费 Electricity",
    Utility.WATER: "水费 Water",
    Utility.PROPERTY_FEE: "物业费 Property fee",
    Utility.LATE_FEE: "滞纳金 Late fee",
    Utility.PARKING: "停车费 Parking",
    Utility.ONE_OFF: "一次性费用 One-off fee",
}

HOME_TYPE_LABELS = {
    HomeType.RESIDENTIAL: "住宅 residential",
    HomeType.SHOP: "商铺 shop",
    HomeType.OFFICE: "办公 office",
    HomeType.STORAGE: "车库/储藏 storage",
}

PARKING_KIND_LABELS = {ParkingKind.RENTED: "租赁 rented", ParkingKind.OWNED: "产权 owned"}

ONE_OFF_LABELS = {
    OneOffKind.RENOVATION: "装修管理费 Renovation management",
    OneOffKind.ACCESS_CARD: "门禁卡工本费 Access card",
    OneOffKind.OTHER: "其他 Other",
}


def decimal_text(value: Decimal, places: int = 0) -> str:
    """A decimal without trailing zeros, but with at least `places` decimals."""
    text = f"{value.normalize():f}"
    decimals = len(text.partition(".")[2])
    return f"{value:.{max(places, decimals)}f}"


def home_label(home: Home) -> str:
    return f"{home.building.code}/{home.code}"


def floor_band_text(first: int | None, last: int | None) -> str:
    """E.g. "7–∞层 floors", "1–6层 floors"; empty for no band."""
    if first is None and last is None:
        return ""
    return f"{first or 1}–{'∞' if last is None else last}层 floors"


def receipt_number(payment: Payment) -> str:
    """Finance's own 收据号 for a counter payment, else one from the payment's id."""
    return payment.receipt_no or f"EP-{payment.id:08d}"
