"""Every route answers each role as the route x role matrix (route_matrix.py) says."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx2
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount, WebSocketRoute
from starlette.websockets import WebSocketDisconnect

from hub.domain import Role
from tests.api.conftest import receive
from tests.api.route_matrix import MATRIX, Access, Open
from tests.conftest import ApiClient

ACCOUNTS = {
    Role.ADMIN: "admin",
    Role.OPERATOR: "operator",
    Role.TECHNICIAN: "tech",
    Role.GUARD: "guard",
    Role.FINANCE: "finance",
    Role.CUSTOMER_SERVICE: "service",
    Role.OWNER: "owner101",
}
NO_SUCH_ID = "999999"  # object-level checks then answer 404, never a role's 403
ENDS_ITS_SESSION = {"POST /api/v1/auth/logout"}  # called with a login of its own


def served_routes(app: FastAPI) -> Iterator[str]:
    """Each route as "METHOD /path" ("WS" for sockets, "GET" for a mounted directory)."""
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, Mount):
            yield f"GET {route.path}"
        elif isinstance(route, WebSocketRoute) or context.methods is None:
            yield f"WS {context.path}"
        else:
            for method in sorted(context.methods - {"HEAD"}):
                yield f"{method} {context.path}"


def _call(api: ApiClient, route: str, token: str | None) -> httpx2.Response:
    method, path = route.split(" ", 1)
    url = re.sub(r"\{[^}]+\}", NO_SUCH_ID, path)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = {"json": {}} if method in {"POST", "PATCH", "PUT"} else {}
    return api.client.request(method, url, headers=headers, **body)  # type: ignore[arg-type]


def test_every_route_has_a_row_and_every_row_a_route(api: ApiClient) -> None:
    served = set(served_routes(api.client.app))  # type: ignore[arg-type]
    assert sorted(served - MATRIX.keys()) == [], "routes without a row in route_matrix.py"
    assert sorted(MATRIX.keys() - served) == [], "rows in route_matrix.py without a route"


def _mismatches(api: ApiClient, route: str, access: Access) -> Iterator[str]:
    """How the app's answers to `route` differ from its row, one line each."""
    anonymous = _call(api, route, None)
    if isinstance(access, Open):
        if anonymous.status_code in (401, 403) or anonymous.status_code >= 500:
            yield f"{route} is open ({access.why}) but answered {anonymous.status_code}"
        return
    if anonymous.status_code != 401:
        yield f"{route} without a token answered {anonymous.status_code}, not 401"
    for role, username in ACCOUNTS.items():
        token = api.token(username)
        if route in ENDS_ITS_SESSION:
            token = api.login(username)["access_token"]
        status = _call(api, route, token).status_code
        if role in access and (status in (401, 403) or status >= 500):
            yield f"{route} refused {role.value} ({status})"
        if role not in access and status != 403:
            yield f"{route} let {role.value} past the role check ({status})"


def test_each_role_gets_past_the_role_check_exactly_as_its_row_says(api: ApiClient) -> None:
    http = {route: access for route, access in MATRIX.items() if not route.startswith("WS ")}
    found = [line for route, access in http.items() for line in _mismatches(api, route, access)]
    assert found == []


def test_the_live_feed_takes_exactly_its_rows_roles(api: ApiClient) -> None:
    access = MATRIX["WS /api/v1/live"]
    assert not isinstance(access, Open)
    for role, username in ACCOUNTS.items():
        with api.client.websocket_connect("/api/v1/live") as ws:
            ws.send_json({"type": "auth", "token": api.token(username)})
            if role in access:
                assert receive(ws)["kind"] == "snapshot", role
            else:
                with pytest.raises(WebSocketDisconnect) as closed:
                    receive(ws)
                assert closed.value.code == 4403, role
