"""The FastAPI application: REST under /api/v1, the live feed, and the pages."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from api import errors, live
from api.pages import routes as pages
from api.routers import (
    alerts,
    auth,
    billing,
    metrics,
    notices,
    notifications,
    patrol,
    system,
    work_orders,
)
from hub.context import HubContext

API_PREFIX = "/api/v1"


def create_app(context: HubContext) -> FastAPI:
    app = FastAPI(
        title="Estate Hub",
        version="0.1.0",
        docs_url=f"{API_PREFIX}/docs",
        openapi_url=f"{API_PREFIX}/openapi.json",
    )
    app.state.hub = context
    errors.install(app)
    api = APIRouter(prefix=API_PREFIX)
    for router in (
        auth.router,
        alerts.router,
        work_orders.router,
        work_orders.homes_router,
        work_orders.staff_router,
        notices.router,
        system.router,
        live.router,
        billing.router,
        patrol.router,
        notifications.router,
    ):
        api.include_router(router)
    app.include_router(api)
    app.include_router(metrics.router)  # /metrics, where Prometheus looks by default
    pages.install(app)
    return app
