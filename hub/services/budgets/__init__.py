"""Budget vs actual (预算与实际): departments' yearly budgets, finance's approval, cost entries,
the actuals and the report. See docs/finance.md."""
