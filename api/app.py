"""The FastAPI application: REST under /api/v1, the live feed, and the pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from api import errors, live, web_app
from api.body_guard import BodyGuard
from api.open_paths import API_PREFIX
from api.responses import ERROR_RESPONSES
from api.routers import (
    accounts,
    alerts,
    asset_analytics,
    asset_history,
    assets,
    audit,
    auth,
    bill_corrections,
    billing,
    billing_reports,
    budgets,
    commands,
    complaints,
    demand_letters,
    device_swaps,
    devices,
    fees,
    home_accounts,
    households,
    maintenance,
    maintenance_records,
    metrics,
    notices,
    notifications,
    ownership_changes,
    password_reset,
    patrol,
    payments,
    reconciliation,
    registrations,
    rules_file,
    service_analysis,
    site_plans,
    sla_file,
    surveys,
    system,
    tariffs,
    usage,
    work_orders,
)
from api.strict_json import StrictJson
from hub.context import HubContext
from hub.event_relay import relaying


def create_app(context: HubContext) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        context.check_keys()  # never serve (or make a new key) with the wrong data key
        # PostgreSQL: events committed by any process (workers, CLI) reach this one's live feed.
        async with relaying(context.db.engine) as relay:
            app.state.event_relay = relay
            yield

    app = FastAPI(
        title="Estate Hub",
        version="0.1.0",
        docs_url=None,  # served by web_app with local assets, not a CDN's
        redoc_url=None,
        openapi_url=f"{API_PREFIX}/openapi.json",
        lifespan=lifespan,
    )
    app.state.hub = context
    app.state.event_relay = None
    errors.install(app)
    app.add_middleware(StrictJson)
    app.add_middleware(BodyGuard, context=context)  # outermost: before any body is read
    api = APIRouter(responses=ERROR_RESPONSES)
    for router in (
        auth.router,
        password_reset.router,
        registrations.public_router,
        registrations.router,
        ownership_changes.router,
        accounts.router,
        audit.router,
        alerts.router,
        work_orders.router,
        maintenance_records.router,
        work_orders.homes_router,
        households.router,
        work_orders.staff_router,
        complaints.router,
        notices.router,
        system.router,
        devices.router,
        assets.router,
        asset_history.router,
        maintenance.router,
        device_swaps.router,
        commands.router,
        site_plans.router,
        site_plans.sites_router,
        live.router,
        billing.router,
        bill_corrections.router,
        billing_reports.router,
        budgets.router,
        home_accounts.router,
        demand_letters.router,
        tariffs.router,
        fees.router,
        payments.router,
        reconciliation.router,
        patrol.router,
        rules_file.router,
        sla_file.router,
        notifications.router,
        usage.router,
        asset_analytics.router,
        service_analysis.router,
        surveys.router,
    ):
        api.include_router(router)
    app.include_router(api, prefix=API_PREFIX)  # a prefix spares FastAPI a walk over every route
    app.include_router(metrics.router)  # /metrics, where Prometheus looks by default
    web_app.install(app)
    return app


def create_metrics_app(context: HubContext) -> FastAPI:
    """Only `GET /metrics`, with the same scraper check: what `hub worker --metrics-port`
    serves, since each process counts its own traffic and a worker has no API."""
    app = FastAPI(
        title="Estate Hub worker metrics", docs_url=None, redoc_url=None, openapi_url=None
    )
    app.state.hub = context
    errors.install(app)
    app.include_router(metrics.router)
    return app
