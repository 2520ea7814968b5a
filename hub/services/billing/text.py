"""How amounts, homes and utilities are written on a bill."""

from __future__ import annotations

from decimal import Decimal

from hub.domain import Utility
from hub.storage.models import Home, Payment

UTILITY_LABELS = {
    Utility.ELECTRICITY: "电费 Electricity",
    Utility.WATER: "水费 Water",
    Utility.PROPERTY_FEE: "物业费 Property fee",
    Utility.LATE_FEE: "滞纳金 Late fee",
}


def decimal_text(value: Decimal, places: int = 0) -> str:
    """A decimal without trailing zeros, but with at least `places` decimals."""
    text = f"{value.normalize():f}"
    decimals = len(text.partition(".")[2])
    return f"{value:.{max(places, decimals)}f}"


def home_label(home: Home) -> str:
    return f"{home.building.code}/{home.code}"


def receipt_number(payment: Payment) -> str:
    """Finance's own 收据号 for a counter payment, else one from the payment's id."""
    return payment.receipt_no or f"EP-{payment.id:08d}"
