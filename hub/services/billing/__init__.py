"""Monthly utility bills (账单): meter consumption priced with the tariff version in force at
the period start, plus the property fee; arrears. Paying them: hub/services/payments.py.

A bill per (home, period) is written once: a re-run of the same month skips homes already
billed. Every line keeps the meter, the two readings, the tariff version and the tier behind
it, so an owner can check the arithmetic and finance can trace any amount to its source.
A meter whose consumption cannot be trusted (no readings, reading went backwards, no reading
during the month) is not guessed at: its line says so with amount 0 and the run reports it.
A reading that arrived after the bill of its own month was issued is used by no bill (not even
as the next month's start): it is flagged for finance instead (hub/services/late_readings.py).
"""

from hub.services.billing.bills import (
    PAYMENT_TERM,
    BillFilter,
    get_bill_or_raise,
    list_arrears,
    list_bills,
    payments_of,
)
from hub.services.billing.periods import Period, parse_period, period_containing
from hub.services.billing.run import BillingProblem, BillingRunResult, run_billing
from hub.services.billing.text import UTILITY_LABELS, decimal_text, home_label

__all__ = [
    "PAYMENT_TERM",
    "UTILITY_LABELS",
    "BillFilter",
    "BillingProblem",
    "BillingRunResult",
    "Period",
    "decimal_text",
    "get_bill_or_raise",
    "home_label",
    "list_arrears",
    "list_bills",
    "parse_period",
    "payments_of",
    "period_containing",
    "run_billing",
]
