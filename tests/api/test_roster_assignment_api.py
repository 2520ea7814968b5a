"""Owners' requests and phone-ins go straight to the least loaded technician on duty, as
rule-opened orders do; with nobody on duty, the supervisors are told to dispatch by hand."""

from __future__ import annotations

from datetime import time
from typing import Any

from sqlalchemy import select

from hub.context import HubContext
from hub.storage.models import DutyShift, OutboxMessage, User
from tests.api.conftest import Submit, home_id
from tests.conftest import ApiClient

WO = "/api/v1/work-orders"


def _technician(api: ApiClient, username: str) -> None:
    created: Any = api.post(
        "/api/v1/auth/staff",
        as_user="admin",
        json={"username": username, "full_name": f"维修工 {username}", "role": "technician"},
    )
    api.accounts[username] = created.json()["initial_password"]


def _on_duty(context: HubContext, *usernames: str) -> None:
    with context.db.session() as session:
        for username in usernames:
            user = session.scalars(select(User).where(User.username == username)).one()
            session.add(
                DutyShift(
                    site_id=1,
                    user_id=user.id,
                    category="plumbing",
                    starts=time(0),
                    ends=time(23, 59),
                )
            )


def test_an_owners_request_goes_to_the_least_loaded_technician_on_duty(
    api: ApiClient, submit: Submit, context: HubContext
) -> None:
    _technician(api, "tech2")
    _on_duty(context, "tech", "tech2")
    first: Any = submit().json()
    assert (first["status"], first["assignee"]["username"]) == (
        "assigned",
        "tech",
    )  # a tie: the roster's order
    second: Any = submit().json()
    assert second["assignee"]["username"] == "tech2"  # tech has one open order, tech2 none
    third: Any = submit("owner102").json()
    assert third["assignee"]["username"] == "tech"
    history: Any = api.get(f"{WO}/{second['id']}/history", as_user="owner101").json()
    assert [(h["status"], h["by"], h["note"]) for h in history[1:]] == [
        ("accepted", None, "自动受理 accepted automatically (duty roster)"),
        ("assigned", None, "按排班派给 tech2 assigned to tech2 (duty roster)"),
    ]


def test_a_phone_in_keeps_its_acceptance_and_is_assigned(
    api: ApiClient, context: HubContext
) -> None:
    _on_duty(context, "tech")
    form = {
        "home_id": str(home_id(api, "owner101")),
        "category": "plumbing",
        "title": "电话报修 Pipe burst",
        "priority": "urgent",
    }
    order: Any = api.post(WO, as_user="service", data=form).json()
    assert (order["status"], order["assignee"]["username"]) == ("assigned", "tech")
    steps: Any = api.get(f"{WO}/{order['id']}/history", as_user="service").json()
    assert [s["status"] for s in steps] == ["submitted", "accepted", "assigned"]
    assert steps[1]["by"] == "service"  # customer service accepted it on the phone


def test_with_nobody_on_duty_the_supervisors_are_told(
    api: ApiClient, submit: Submit, context: HubContext
) -> None:
    order: Any = submit().json()
    assert (order["status"], order["assignee"]) == ("submitted", None)
    with context.db.session() as session:
        told = session.execute(
            select(User.username, OutboxMessage.title)
            .join(User, User.id == OutboxMessage.recipient_id)
            .where(OutboxMessage.source == "nobody-on-duty")
            .order_by(User.username)
        ).all()
    title = f"无人值班，请派单 Nobody on duty: #{order['id']} 厨房水龙头漏水 Kitchen tap leaks"
    assert [(name, t) for name, t in told] == [("operator", title), ("service", title)]
