"""The service desk in use for the demo estate: owners' repair requests in every state of the
flow (the rated ones with their surveys answered, the others' still open) and complaints in
several, made through the services at times set back from `now`, so the
desk, the board, the owners' pages and the satisfaction analysis have something to show.

Seeded once, on a database with no owner requests or complaints yet; a second run (or an estate
already in use) is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.complaint_states import ComplaintKind, ContactMethod, Department
from hub.domain import WorkOrderSource
from hub.services import complaints, sla_policy, surveys, work_orders
from hub.services.survey_policy import QuestionKind
from hub.services.users import owner_home_ids
from hub.storage.models import Complaint, Survey, User, WorkOrder

Step = Callable[[int, datetime], object]


def seed(session: Session, *, now: datetime) -> bool:
    """Seed the desk's demo requests and complaints; False when the estate already has some."""
    if session.scalar(select(WorkOrder.id).where(WorkOrder.source == WorkOrderSource.OWNER)):
        return False
    if session.scalar(select(Complaint.id)):
        return False
    desk = _Desk(session, now)
    desk.repairs()
    desk.complaints()
    return True


class _Desk:
    """The demo's people and the steps they take, each `minutes` before now."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session, self.now = session, now
        named = {u.username: u for u in session.scalars(select(User))}
        self.service, self.tech = named["service"], named["tech"]
        self.owners = [named[n] for n in ("owner101", "owner102", "owner201")]

    def at(self, minutes: int) -> datetime:
        return self.now - timedelta(minutes=minutes)

    def _home(self, owner: User) -> int:
        return min(owner_home_ids(self.session, owner))

    def _request(self, owner: User, title: str, category: str, minutes: int) -> int:
        return work_orders.submit_owner_request(
            self.session,
            owner=owner,
            home_id=self._home(owner),
            category=category,
            title=title,
            description="",
            contact=None,
            photo_path=None,
            now=self.at(minutes),
        ).id

    def _repair(
        self,
        owner: User,
        title: str,
        category: str,
        minutes: int,
        steps: Sequence[tuple[Step, int]],
    ) -> None:
        """A request `minutes` ago, then each step its own minutes ago."""
        order_id = self._request(owner, title, category, minutes)
        for step, ago in steps:
            step(order_id, self.at(ago))

    def accept(self, order_id: int, at: datetime) -> object:
        return work_orders.accept(self.session, order_id, by=self.service, now=at)

    def assign(self, order_id: int, at: datetime) -> object:
        s, tech = self.session, self.tech.id
        return work_orders.assign(s, order_id, technician_id=tech, by=self.service, now=at)

    def start(self, order_id: int, at: datetime) -> object:
        return work_orders.start(self.session, order_id, by=self.tech, now=at)

    def complete(self, order_id: int, at: datetime) -> object:
        report = "已修复，更换配件 Fixed, part replaced"
        return work_orders.complete(self.session, order_id, report=report, by=self.tech, now=at)

    def _owner_of(self, order_id: int) -> User:
        order = self.session.get(WorkOrder, order_id)
        return next(o for o in self.owners if order is not None and o.id == order.requested_by_id)

    def rated(self, stars: int) -> Step:
        def confirm(order_id: int, at: datetime) -> object:
            owner = self._owner_of(order_id)
            work_orders.confirm(
                self.session,
                order_id,
                attitude=5,
                quality=stars,
                comment="师傅很专业 Very professional" if stars >= 4 else "",
                by=owner,
                now=at,
            )
            return self.answer_survey(order_id, stars, at)

        return confirm

    def answer_survey(self, order_id: int, stars: int, at: datetime) -> object:
        """The survey sent on completion, answered with `stars` on every score question."""
        survey = self.session.scalars(select(Survey).where(Survey.work_order_id == order_id)).one()
        questions = sla_policy.current().survey.questions
        scores = {q.key: stars for q in questions if q.kind is QuestionKind.SCORE}
        return surveys.answer(self.session, survey, scores, now=at)

    def refuse(self, order_id: int, at: datetime) -> object:
        reason = "还在漏水 Still leaking"
        owner = self._owner_of(order_id)
        return work_orders.refuse(self.session, order_id, reason=reason, by=owner, now=at)

    def repairs(self) -> None:
        """One request in each state; the oldest unaccepted one has run over its 30 minutes."""
        a, b, c = self.owners
        acc, asg, st, done = self.accept, self.assign, self.start, self.complete
        r = self._repair
        r(a, "卧室灯不亮 Bedroom light out", "electrical", 5, [])
        r(b, "阳台门关不严 Balcony door will not shut", "doors", 55, [])  # accept breached
        r(c, "楼道窗户破损 Broken stairwell window", "public_area", 40, [(acc, 25)])
        r(a, "马桶水箱漏水 Cistern leaks", "plumbing", 120, [(acc, 110), (asg, 100)])
        r(b, "插座没电 Socket dead", "electrical", 200, [(acc, 190), (asg, 180), (st, 150)])
        worked = [(acc, 1490), (asg, 1480), (st, 1440), (done, 1380)]
        r(c, "水龙头滴水 Tap drips", "plumbing", 1500, worked)
        for i, (owner, stars) in enumerate(((a, 5), (b, 4), (c, 3))):
            m = 3 * 1440 + i * 600
            worked = [(acc, m - 10), (asg, m - 20), (st, m - 60), (done, m - 180)]
            title = f"空调滴水 Air conditioner drips ({i + 1})"
            r(owner, title, "other", m, [*worked, (self.rated(stars), m - 240)])
        m = 2 * 1440
        worked = [(acc, m - 10), (asg, m - 20), (st, m - 60), (done, m - 120)]
        r(a, "厨房下水慢 Kitchen drain slow", "plumbing", m, [*worked, (self.refuse, 1440)])

    def complaints(self) -> None:
        """Complaints at each stage, one reopened by its owner."""
        a, b, c = self.owners
        s = self.service
        self._complaint(a, ComplaintKind.SANITATION, "垃圾桶三天没清 Bins not emptied", 20)
        assigned = self._complaint(b, ComplaintKind.SERVICE_COMPLAINT, "保安态度差 Rude guard", 300)
        complaints.review(self.session, assigned, category="服务态度", by=s, now=self.at(280))
        complaints.assign(
            self.session, assigned, department=Department.SECURITY, by=s, now=self.at(275)
        )
        for owner, minutes, reopen in ((c, 3000, False), (a, 2500, True), (b, 2000, None)):
            cid = self._complaint(owner, ComplaintKind.OTHER, "楼下噪音 Noise downstairs", minutes)
            self._handled(cid, minutes)
            if reopen is None:
                continue  # awaiting the owner's confirmation
            if reopen:
                complaints.reopen(
                    self.session, cid, reason="还是很吵 Still noisy", by=owner, now=self.at(60)
                )
            else:
                complaints.confirm(self.session, cid, by=owner, now=self.at(minutes - 600))

    def _complaint(self, owner: User, kind: ComplaintKind, text: str, minutes: int) -> int:
        return complaints.submit(
            self.session,
            owner=owner,
            home_id=self._home(owner),
            kind=kind,
            description=text,
            contact=None,
            now=self.at(minutes),
        ).id

    def _handled(self, cid: int, minutes: int) -> None:
        s, session = self.service, self.session
        complaints.review(session, cid, category="邻里噪音", by=s, now=self.at(minutes - 30))
        dept = Department.CUSTOMER_SERVICE
        complaints.assign(session, cid, department=dept, by=s, now=self.at(minutes - 35))
        complaints.log_contact(
            session,
            cid,
            method=ContactMethod.CALL,
            summary="已电话联系业主 Called the owner",
            at=None,
            by=s,
            now=self.at(minutes - 60),
        )
        result = "已上门提醒楼下住户 Reminded the neighbours"
        complaints.record_result(session, cid, result=result, by=s, now=self.at(minutes - 300))
