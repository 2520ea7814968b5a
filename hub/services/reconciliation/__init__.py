"""Daily reconciliation (对账) of each provider's statement against the payments the hub
booked: import a statement, match it, note the differences, sign the day off.

`formats` reads the files, `matching` is the pure matching rule, `days` imports and shows a
day, `closing` notes, signs off and re-opens, `report` is the day-close report, `sandbox` the
sandbox provider's own ledger and statement.
"""
