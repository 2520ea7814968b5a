"""Who may call each route: the route x role matrix, checked against the running app.

Every route the app serves has a row here; `test_route_matrix.py` fails for a route without one,
for a row without a route, and for any role the app answers differently from its row. A row
names the roles that get past the role check (they may still get 404 for an object that is not
theirs: that is tested per feature), or says why the route is open without a token.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.domain import Role

ADMIN, OPERATOR, TECHNICIAN, GUARD = Role.ADMIN, Role.OPERATOR, Role.TECHNICIAN, Role.GUARD
FINANCE, SERVICE, OWNER = Role.FINANCE, Role.CUSTOMER_SERVICE, Role.OWNER
EVERYONE = frozenset(Role)


@dataclass(frozen=True)
class Open:
    """No token: the route authenticates otherwise, or serves nothing private."""

    why: str


Access = frozenset[Role] | Open


def roles(*allowed: Role) -> frozenset[Role]:
    return frozenset(allowed)


MATRIX: dict[str, Access] = {
    # the OpenAPI document and its pages, the web pages and their files
    "GET /api/v1/openapi.json": Open("the API's public contract"),
    "GET /api/v1/docs": Open("the API's public contract"),
    "GET /api/v1/docs/oauth2-redirect": Open("the API docs' login helper"),
    "GET /{path:path}": Open("the web app's files; its data comes from the API with a token"),
    # accounts
    "POST /api/v1/auth/token": Open("logging in"),
    "POST /api/v1/auth/password-reset/request": Open("an owner who forgot the password"),
    "POST /api/v1/auth/password-reset/confirm": Open("the SMS code is the credential"),
    "GET /api/v1/auth/registration/homes": Open("an applicant picks a home; no one's name"),
    "POST /api/v1/auth/registration": Open("an owner applying for an account"),
    "POST /api/v1/auth/registration/verify": Open("the SMS code is the credential"),
    "GET /api/v1/registrations": roles(SERVICE, ADMIN),
    "POST /api/v1/registrations/{registration_id}/confirm": roles(SERVICE, ADMIN),
    "POST /api/v1/registrations/{registration_id}/reject": roles(SERVICE, ADMIN),
    "POST /api/v1/auth/refresh": Open("the refresh token is the credential"),
    "POST /api/v1/auth/logout": EVERYONE,
    "GET /api/v1/auth/me": EVERYONE,
    "PATCH /api/v1/auth/me": EVERYONE,
    "POST /api/v1/auth/password": EVERYONE,
    "POST /api/v1/auth/staff": roles(ADMIN),
    "GET /api/v1/accounts": roles(ADMIN),
    "POST /api/v1/accounts/{user_id}/deactivate": roles(ADMIN),
    "POST /api/v1/accounts/{user_id}/activate": roles(ADMIN),
    "POST /api/v1/accounts/{user_id}/reset-password": roles(ADMIN),
    "PATCH /api/v1/accounts/{user_id}": roles(ADMIN),
    "GET /api/v1/audit": roles(ADMIN),
    # alerts and the live feed
    "GET /api/v1/alerts": roles(ADMIN, OPERATOR, GUARD),
    "GET /api/v1/alerts/{alert_id}": roles(ADMIN, OPERATOR, GUARD),
    "POST /api/v1/alerts/{alert_id}/acknowledge": roles(ADMIN, OPERATOR),
    "POST /api/v1/alerts/{alert_id}/close": roles(ADMIN, OPERATOR),
    "GET /api/v1/alerts/{alert_id}/comments": roles(ADMIN, OPERATOR, GUARD),
    "POST /api/v1/alerts/{alert_id}/comments": roles(ADMIN, OPERATOR),
    "POST /api/v1/alerts/{alert_id}/work-order": roles(ADMIN, OPERATOR),
    "WS /api/v1/live": EVERYONE - {FINANCE},
    # satisfaction surveys
    "GET /api/v1/surveys": roles(OWNER, SERVICE, ADMIN),
    "GET /api/v1/surveys/{survey_id}": roles(OWNER, SERVICE, ADMIN),
    "POST /api/v1/surveys/{survey_id}/answers": roles(OWNER),
    "GET /api/v1/surveys/by-token/{token}": Open("the SMS link's token is the credential"),
    "POST /api/v1/surveys/by-token/{token}": Open("the SMS link's token is the credential"),
    # complaints and suggestions
    "GET /api/v1/complaints": roles(ADMIN, SERVICE, OWNER),
    "POST /api/v1/complaints": roles(OWNER, SERVICE),
    "GET /api/v1/complaints/{complaint_id}": roles(ADMIN, SERVICE, OWNER),
    "POST /api/v1/complaints/{complaint_id}/photos": roles(OWNER, SERVICE),
    "GET /api/v1/complaints/{complaint_id}/photos/{photo_id}": roles(ADMIN, SERVICE, OWNER),
    "POST /api/v1/complaints/{complaint_id}/review": roles(SERVICE),
    "POST /api/v1/complaints/{complaint_id}/assign": roles(SERVICE),
    "POST /api/v1/complaints/{complaint_id}/contacts": roles(SERVICE),
    "POST /api/v1/complaints/{complaint_id}/result": roles(SERVICE),
    "POST /api/v1/complaints/{complaint_id}/out-of-scope": roles(SERVICE),
    "POST /api/v1/complaints/{complaint_id}/confirm": roles(OWNER, SERVICE),
    "POST /api/v1/complaints/{complaint_id}/reopen": roles(OWNER, SERVICE),
    # work orders
    "GET /api/v1/work-orders": roles(ADMIN, OPERATOR, SERVICE, TECHNICIAN, OWNER),
    "POST /api/v1/work-orders": roles(OWNER, SERVICE),
    "GET /api/v1/work-orders/{order_id}": roles(ADMIN, OPERATOR, SERVICE, TECHNICIAN, OWNER),
    "GET /api/v1/work-orders/{order_id}/photo": roles(ADMIN, OPERATOR, SERVICE, TECHNICIAN, OWNER),
    "GET /api/v1/work-orders/{order_id}/photos/{photo_id}": roles(
        ADMIN, OPERATOR, SERVICE, TECHNICIAN, OWNER
    ),
    "GET /api/v1/work-orders/{order_id}/candidates": roles(ADMIN, OPERATOR, SERVICE),
    "GET /api/v1/work-orders/{order_id}/history": roles(
        ADMIN, OPERATOR, SERVICE, TECHNICIAN, OWNER
    ),
    "POST /api/v1/work-orders/{order_id}/accept": roles(ADMIN, OPERATOR, SERVICE),
    "POST /api/v1/work-orders/{order_id}/assign": roles(ADMIN, OPERATOR, SERVICE),
    "POST /api/v1/work-orders/{order_id}/start": roles(TECHNICIAN),
    "POST /api/v1/work-orders/{order_id}/arrive": roles(TECHNICIAN),
    "POST /api/v1/work-orders/{order_id}/contact": roles(TECHNICIAN),
    "POST /api/v1/work-orders/{order_id}/pause": roles(TECHNICIAN),
    "POST /api/v1/work-orders/{order_id}/resume": roles(TECHNICIAN),
    "POST /api/v1/work-orders/{order_id}/complete": roles(TECHNICIAN),
    "POST /api/v1/work-orders/{order_id}/confirm": roles(OWNER, SERVICE),
    "POST /api/v1/work-orders/{order_id}/refuse": roles(OWNER, SERVICE),
    "POST /api/v1/work-orders/{order_id}/cancel": roles(OWNER, SERVICE),
    "PUT /api/v1/work-orders/{order_id}/record": roles(TECHNICIAN),
    "POST /api/v1/work-orders/{order_id}/record/confirm": roles(OPERATOR, ADMIN),
    "PUT /api/v1/work-orders/{order_id}/asset": roles(SERVICE, OPERATOR, ADMIN),
    "GET /api/v1/homes": roles(OWNER, SERVICE, ADMIN, OPERATOR),
    "GET /api/v1/staff": roles(ADMIN, OPERATOR, SERVICE),
    # households
    "GET /api/v1/homes/{home_id}/household": roles(OWNER, SERVICE, ADMIN),
    "POST /api/v1/homes/{home_id}/household/members": roles(OWNER, SERVICE),
    "PUT /api/v1/homes/{home_id}/household/members/{member_id}": roles(OWNER, SERVICE),
    "DELETE /api/v1/homes/{home_id}/household/members/{member_id}": roles(OWNER, SERVICE),
    "POST /api/v1/homes/{home_id}/household/vehicles": roles(OWNER, SERVICE),
    "DELETE /api/v1/homes/{home_id}/household/vehicles/{vehicle_id}": roles(OWNER, SERVICE),
    "GET /api/v1/ownership-changes": roles(SERVICE, ADMIN),
    "POST /api/v1/homes/{home_id}/ownership-changes": roles(SERVICE),
    "POST /api/v1/ownership-changes/{change_id}/apply": roles(SERVICE),
    # notices and notifications
    "POST /api/v1/notices": roles(ADMIN, SERVICE),
    "GET /api/v1/notices": roles(ADMIN, SERVICE, OWNER),
    "GET /api/v1/notices/audiences": roles(ADMIN, SERVICE),
    "GET /api/v1/notices/{notice_id}": roles(ADMIN, SERVICE, OWNER),
    "POST /api/v1/notices/{notice_id}/read": roles(OWNER),
    "GET /api/v1/notices/{notice_id}/receipts": roles(ADMIN, SERVICE),
    "POST /api/v1/notices/{notice_id}/withdraw": roles(ADMIN, SERVICE),
    "GET /api/v1/notifications": EVERYONE,
    "POST /api/v1/notifications/{item_id}/read": EVERYONE,
    "GET /api/v1/notifications/outbox": roles(ADMIN, OPERATOR),
    # the hub itself
    "GET /api/v1/status": roles(ADMIN, OPERATOR),
    "GET /api/v1/dead-letters": roles(ADMIN, OPERATOR),
    "GET /metrics": roles(ADMIN),  # or the HUB_METRICS_TOKEN scraper
    # devices and site plans
    "GET /api/v1/devices": roles(ADMIN, OPERATOR),
    "GET /api/v1/devices/{device_id}": roles(ADMIN, OPERATOR),
    "GET /api/v1/devices/{device_id}/readings": roles(ADMIN, OPERATOR),
    "POST /api/v1/devices/{device_id}/commands": roles(ADMIN, OPERATOR),
    "PUT /api/v1/devices/{device_id}/placement": roles(ADMIN),
    "POST /api/v1/devices/{device_id}/retire": roles(ADMIN),
    "POST /api/v1/devices/{device_id}/replace": roles(ADMIN),
    "GET /api/v1/devices/{device_id}/swaps": roles(ADMIN, OPERATOR),
    "GET /api/v1/commands": roles(ADMIN, OPERATOR),
    "POST /api/v1/site-plans": roles(ADMIN),
    "GET /api/v1/site-plans": roles(ADMIN, OPERATOR),
    "GET /api/v1/site-plans/{plan_id}/image": roles(ADMIN, OPERATOR),
    "GET /api/v1/sites": roles(ADMIN, OPERATOR, SERVICE, TECHNICIAN),
    "GET /api/v1/sites/{site_id}": roles(ADMIN, OPERATOR, SERVICE, TECHNICIAN),
    # the equipment ledger (设施台账): read by who looks after equipment, changed by admins
    "GET /api/v1/assets": roles(ADMIN, OPERATOR, TECHNICIAN, SERVICE),
    "POST /api/v1/assets": roles(ADMIN),
    "GET /api/v1/assets/expiring-documents": roles(ADMIN, OPERATOR, TECHNICIAN, SERVICE),
    "GET /api/v1/assets/export.xlsx": roles(ADMIN, OPERATOR, TECHNICIAN, SERVICE),
    "POST /api/v1/assets/import": roles(ADMIN),
    "GET /api/v1/assets/{asset_id}": roles(ADMIN, OPERATOR, TECHNICIAN, SERVICE),
    "PATCH /api/v1/assets/{asset_id}": roles(ADMIN),
    "PUT /api/v1/assets/{asset_id}/devices": roles(ADMIN),
    "POST /api/v1/assets/{asset_id}/documents": roles(ADMIN),
    "GET /api/v1/assets/{asset_id}/documents": roles(ADMIN, OPERATOR, TECHNICIAN, SERVICE),
    "GET /api/v1/assets/{asset_id}/documents/{document_id}/file": roles(
        ADMIN, OPERATOR, TECHNICIAN, SERVICE
    ),
    "GET /api/v1/assets/{asset_id}/label.svg": roles(ADMIN, OPERATOR, TECHNICIAN, SERVICE),
    # preventive maintenance (保养计划): plans by admins; a technician sees and does their own tasks
    "GET /api/v1/maintenance/plans": roles(ADMIN, OPERATOR),
    "POST /api/v1/maintenance/plans": roles(ADMIN),
    "GET /api/v1/maintenance/plans/{plan_id}": roles(ADMIN, OPERATOR),
    "PUT /api/v1/maintenance/plans/{plan_id}": roles(ADMIN),
    "DELETE /api/v1/maintenance/plans/{plan_id}": roles(ADMIN),
    "GET /api/v1/maintenance/tasks": roles(ADMIN, OPERATOR, TECHNICIAN),
    "GET /api/v1/maintenance/tasks/{task_id}": roles(ADMIN, OPERATOR, TECHNICIAN),
    "POST /api/v1/maintenance/tasks/{task_id}/start": roles(TECHNICIAN),
    "POST /api/v1/maintenance/tasks/{task_id}/items/{position}/photo": roles(TECHNICIAN),
    "GET /api/v1/maintenance/tasks/{task_id}/items/{position}/photo": roles(
        ADMIN, OPERATOR, TECHNICIAN
    ),
    "POST /api/v1/maintenance/tasks/{task_id}/complete": roles(TECHNICIAN),
    "POST /api/v1/maintenance/tasks/{task_id}/assign": roles(ADMIN, OPERATOR),
    "POST /api/v1/maintenance/tasks/{task_id}/cancel": roles(ADMIN),
    # equipment failure analytics (设备故障分析): for who keeps the equipment running
    "GET /api/v1/asset-analytics": roles(ADMIN, OPERATOR, TECHNICIAN),
    "GET /api/v1/asset-analytics/stalled-counters": roles(ADMIN, OPERATOR, TECHNICIAN),
    "GET /api/v1/asset-analytics/export.csv": roles(ADMIN, OPERATOR, TECHNICIAN),
    "GET /api/v1/asset-analytics/report.pdf": roles(ADMIN, OPERATOR, TECHNICIAN),
    "GET /api/v1/assets/{asset_id}/work-orders": roles(ADMIN, OPERATOR, TECHNICIAN, SERVICE),
    "GET /api/v1/assets/{asset_id}/timeline": roles(ADMIN, OPERATOR, TECHNICIAN, SERVICE),
    # billing
    "GET /api/v1/bills": roles(OWNER, FINANCE, ADMIN, SERVICE),
    "GET /api/v1/bills/arrears": roles(FINANCE, ADMIN),
    "GET /api/v1/bills/arrears/aging": roles(FINANCE, ADMIN),
    "POST /api/v1/bills/arrears/demand-letters": roles(FINANCE, ADMIN),
    "GET /api/v1/bills/arrears/demand-letters": roles(FINANCE, ADMIN),
    "GET /api/v1/bills/arrears/demand-letters/{letter_id}/pdf": roles(
        OWNER, FINANCE, ADMIN, SERVICE
    ),
    "GET /api/v1/reports/collection": roles(FINANCE, ADMIN),
    "GET /api/v1/reports/collection.csv": roles(FINANCE, ADMIN),
    "GET /api/v1/reports/collection.xlsx": roles(FINANCE, ADMIN),
    # budget vs actual: any staff may head a department (the service shows them only theirs)
    "GET /api/v1/departments": EVERYONE - {OWNER},
    "POST /api/v1/departments": roles(ADMIN),
    "PUT /api/v1/departments/{department_id}/head": roles(ADMIN),
    "GET /api/v1/budgets": EVERYONE - {OWNER},
    "POST /api/v1/budgets": EVERYONE - {OWNER},
    "GET /api/v1/budgets/{budget_id}": EVERYONE - {OWNER},
    "PUT /api/v1/budgets/{budget_id}/lines": EVERYONE - {OWNER},
    "POST /api/v1/budgets/{budget_id}/submit": EVERYONE - {OWNER},
    "POST /api/v1/budgets/{budget_id}/approve": roles(FINANCE),
    "POST /api/v1/budgets/{budget_id}/return": roles(FINANCE),
    "GET /api/v1/cost-entries": roles(FINANCE, ADMIN),
    "POST /api/v1/cost-entries": roles(FINANCE),
    "POST /api/v1/cost-entries/{entry_id}/reverse": roles(FINANCE),
    "GET /api/v1/reports/budget": EVERYONE - {OWNER},
    "GET /api/v1/reports/budget.csv": EVERYONE - {OWNER},
    "GET /api/v1/reports/budget.xlsx": EVERYONE - {OWNER},
    "GET /api/v1/bills/{bill_id}": roles(OWNER, FINANCE, ADMIN, SERVICE),
    "GET /api/v1/bills/{bill_id}/pdf": roles(OWNER, FINANCE, ADMIN, SERVICE),
    "GET /api/v1/bills/{bill_id}/receipt.pdf": roles(OWNER, FINANCE, ADMIN, SERVICE),
    "POST /api/v1/bills/{bill_id}/pay": roles(OWNER),
    "POST /api/v1/bills/{bill_id}/credit-note": roles(FINANCE, ADMIN),
    "POST /api/v1/bills/{bill_id}/rebill": roles(FINANCE, ADMIN),
    "GET /api/v1/credit-notes": roles(OWNER, FINANCE, ADMIN, SERVICE),
    "GET /api/v1/credit-notes/{note_id}": roles(OWNER, FINANCE, ADMIN, SERVICE),
    "POST /api/v1/meters/{meter_id}/readings/{reading_id}/corrections": roles(
        FINANCE, TECHNICIAN, ADMIN
    ),
    "GET /api/v1/meters/{meter_id}/corrections": roles(FINANCE, TECHNICIAN, ADMIN),
    "GET /api/v1/meters/{meter_id}/readings": roles(FINANCE, TECHNICIAN, ADMIN),
    # a home's account (户账): money in and out by finance; an owner reads their own home's
    "GET /api/v1/homes/{home_id}/account": roles(OWNER, FINANCE, ADMIN),
    "GET /api/v1/homes/{home_id}/allocation": roles(FINANCE, ADMIN),
    "POST /api/v1/homes/{home_id}/payments": roles(FINANCE),
    "POST /api/v1/homes/{home_id}/prepayments": roles(FINANCE),
    "POST /api/v1/homes/{home_id}/refunds": roles(FINANCE),
    "POST /api/v1/homes/{home_id}/deposits": roles(FINANCE),
    "POST /api/v1/deposits/{deposit_id}/refunds": roles(FINANCE),
    "GET /api/v1/deposits": roles(FINANCE, ADMIN),
    "GET /api/v1/payments/{payment_id}/receipt.pdf": roles(OWNER, FINANCE, ADMIN),
    "POST /api/v1/reconciliation/statements": roles(FINANCE, ADMIN),
    "GET /api/v1/reconciliation/days": roles(FINANCE, ADMIN),
    "GET /api/v1/reconciliation/days/{provider}/{day}": roles(FINANCE, ADMIN),
    "POST /api/v1/reconciliation/days/{provider}/{day}/notes": roles(FINANCE, ADMIN),
    "POST /api/v1/reconciliation/days/{provider}/{day}/sign-off": roles(FINANCE, ADMIN),
    "POST /api/v1/reconciliation/days/{provider}/{day}/reopen": roles(FINANCE, ADMIN),
    "GET /api/v1/reconciliation/days/{provider}/{day}/report.csv": roles(FINANCE, ADMIN),
    "GET /api/v1/reconciliation/days/{provider}/{day}/report.xlsx": roles(FINANCE, ADMIN),
    "GET /api/v1/reconciliation/sandbox-statement": roles(FINANCE, ADMIN),
    "POST /api/v1/payments/notify/{provider}": Open("the provider's signature is the credential"),
    "GET /api/v1/payments/sandbox/{out_trade_no}": Open("the sandbox's pay page; 404 otherwise"),
    "POST /api/v1/payments/sandbox/{out_trade_no}/confirm": Open("the sandbox's pay button"),
    "POST /api/v1/billing/runs": roles(FINANCE, ADMIN),
    "GET /api/v1/billing/late-readings": roles(FINANCE, ADMIN),
    "GET /api/v1/usage": roles(OWNER),  # an owner's own meters; staff read the bills' lines
    "GET /api/v1/tariffs": roles(FINANCE, ADMIN),
    "POST /api/v1/tariffs": roles(FINANCE, ADMIN),
    "PUT /api/v1/tariffs/{tariff_id}": roles(FINANCE, ADMIN),
    # other fees: parking and one-off charges (finance writes, admins read, owners their own)
    "GET /api/v1/fees/homes": roles(FINANCE, ADMIN),
    "PUT /api/v1/fees/homes/{home_id}": roles(FINANCE),
    "GET /api/v1/parking/spaces": roles(FINANCE, ADMIN),
    "POST /api/v1/parking/spaces": roles(FINANCE),
    "GET /api/v1/parking/contracts": roles(FINANCE, ADMIN),
    "POST /api/v1/parking/contracts": roles(FINANCE),
    "POST /api/v1/parking/contracts/{contract_id}/end": roles(FINANCE),
    "GET /api/v1/homes/{home_id}/parking": roles(OWNER, FINANCE, ADMIN),
    "GET /api/v1/homes/{home_id}/charges": roles(OWNER, FINANCE, ADMIN),
    "POST /api/v1/homes/{home_id}/charges": roles(FINANCE),
    "POST /api/v1/charges/{charge_id}/withdraw": roles(FINANCE),
    # the rules file
    "GET /api/v1/rules-file": roles(ADMIN),
    "POST /api/v1/rules-file/check": roles(ADMIN),
    "PUT /api/v1/rules-file": roles(ADMIN),
    "GET /api/v1/sla-file": roles(ADMIN),
    "POST /api/v1/sla-file/check": roles(ADMIN),
    "PUT /api/v1/sla-file": roles(ADMIN),
    # patrol
    "GET /api/v1/patrol/routes": roles(ADMIN, OPERATOR, GUARD),
    "POST /api/v1/patrol/rounds": roles(GUARD),
    "GET /api/v1/patrol/rounds": roles(ADMIN, OPERATOR, GUARD),
    "GET /api/v1/patrol/rounds/current": roles(GUARD),
    "POST /api/v1/patrol/scans": roles(GUARD),
    "POST /api/v1/patrol/scans/photo": roles(GUARD),
    "GET /api/v1/patrol/scans": roles(ADMIN, OPERATOR, GUARD),
    # satisfaction and service analysis (满意度分析)
    "GET /api/v1/service-analysis": roles(ADMIN, SERVICE),
    "GET /api/v1/service-analysis/export.csv": roles(ADMIN, SERVICE),
    "GET /api/v1/service-analysis/export.xlsx": roles(ADMIN, SERVICE),
}
