"""Complaints and suggestions (投诉建议) in the built app: the owner submits one on the phone
(360x740), follows it, and sends a poor result back with a reason; an out-of-scope close shows
its reason; customer service works the queue on the console (1440x900), overdue first, from
review to result, and records a phoned-in complaint. Screenshots go to docs/screenshots/ for
docs/service-desk.md and docs/owners.md."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from hub.clock import FakeClock
from hub.complaint_states import ComplaintKind, ContactMethod, Department
from hub.context import HubContext
from hub.services import complaints, uploads
from hub.services.users import owner_home_ids
from hub.storage.models import Complaint, User
from tests.api.conftest import JPEG
from tests.web.conftest import DESKTOP, PHONE, OpenAs, shot

pytestmark = pytest.mark.browser

BINS = "垃圾桶三天没清 Bins not emptied for three days"


def _user(context: HubContext, username: str) -> User:
    with context.db.session() as session:
        found = session.scalars(select(User).where(User.username == username)).one()
        session.expunge(found)
        return found


def _submitted(context: HubContext, clock: FakeClock, text: str, owner: str = "owner101") -> int:
    """A complaint `owner` submitted in the app, as the phone page would."""
    account = _user(context, owner)
    with context.db.session() as session:
        home = next(iter(owner_home_ids(session, account)))
        return complaints.submit(
            session,
            owner=account,
            home_id=home,
            kind=ComplaintKind.SANITATION,
            description=text,
            contact="13812345678",
            now=clock.now(),
        ).id


def _with_photo(context: HubContext, clock: FakeClock, complaint_id: int) -> None:
    """The owner's photo of it, checked and stored as the API does."""
    owner = _user(context, "owner101")
    photo = uploads.read_photo(io.BytesIO(JPEG), settings=context.settings)
    with context.db.session() as session:
        complaints.attach_photos(session, complaint_id, [photo], by=owner, now=clock.now())
    uploads.save(photo, var_dir=context.settings.var_dir)


def _handled(context: HubContext, clock: FakeClock, complaint_id: int) -> None:
    """Customer service reviews, assigns to cleaning, calls the owner and records the result."""
    service = _user(context, "service")
    with context.db.session() as session:
        now = clock.now()
        complaints.review(session, complaint_id, category="垃圾清运 refuse", by=service, now=now)
        complaints.assign(
            session, complaint_id, department=Department.CLEANING, by=service, now=now
        )
        complaints.log_contact(
            session,
            complaint_id,
            method=ContactMethod.CALL,
            summary="约好下午清运 agreed to empty them this afternoon",
            at=None,
            by=service,
            now=now,
        )
        complaints.record_result(
            session, complaint_id, result="已清运 bins emptied", by=service, now=now
        )


def _at_hub_time(page: Page, clock: FakeClock) -> None:
    """The browser's clock reads the hub's (the deadlines count from the hub's times)."""
    page.clock.set_fixed_time(clock.now())


def test_owner_submits_follows_and_reopens_a_poor_result(
    open_as: OpenAs, context: HubContext, clock: FakeClock
) -> None:
    page = open_as("owner101", "/m/owner", PHONE)
    page.locator("[data-test=complaints-entry]").click()
    page.wait_for_url("**/m/owner/complaints")
    page.locator("[data-test=new-complaint]").click()
    form = page.locator("[data-test=complaint-form]")
    expect(form.locator("[data-test=fault-to-repair]")).to_be_visible()  # faults go to 报修
    form.locator("[data-kind=sanitation]").click()
    form.locator("textarea[name=description]").fill(BINS)
    form.locator("input[name=contact]").fill("13812345678")
    photo = {"name": "bins.jpg", "mimeType": "image/jpeg", "buffer": JPEG}
    form.locator("input[data-test=photos]").set_input_files([photo, {**photo, "name": "b.jpg"}])
    expect(form.locator(".owner-form__preview")).to_have_count(2)
    expect(form.locator("[data-test=send-complaint]")).to_be_enabled()
    page.wait_for_timeout(300)  # the button's and the radio's fade
    shot(page, "owner/complaint-new.png")
    form.locator("[data-test=send-complaint]").click()
    page.wait_for_url("**/m/owner/complaints/*")
    expect(page.locator("[data-test=complaint-status]")).to_have_text("待审核")
    expect(page.locator("[data-test=photos] img")).to_have_count(2)
    deadlines = page.locator("[data-test=deadlines]")
    expect(deadlines).to_contain_text("审核时限")
    expect(deadlines).to_contain_text("进行中")
    complaint_id = int(page.url.rsplit("/", 1)[1])

    clock.advance(timedelta(minutes=30))
    _handled(context, clock, complaint_id)
    page.reload()
    expect(page.locator("[data-test=complaint-status]")).to_have_text("待业主确认")
    expect(page.locator("[data-test=result]")).to_contain_text("已清运 bins emptied")
    expect(page.locator("[data-test=contacts]")).to_contain_text("约好下午清运")
    expect(deadlines).not_to_contain_text("已超时")
    shot(page, "owner/complaint-handled.png")
    page.locator("[data-test=reopen-reason] textarea").fill("还是有异味 still smells")
    page.locator("[data-test=reopen]").click()
    expect(page.locator("[data-test=complaint-status]")).to_have_text("重新处理")
    expect(page.locator("[data-test=decide]")).to_have_count(0)
    expect(page.get_by_text("还是有异味 still smells").first).to_be_visible()

    page.goto("/m/owner/complaints")
    expect(page.locator("[data-test=complaint]")).to_have_count(1)
    expect(page.locator("[data-test=complaint]")).to_contain_text("重新处理")
    shot(page, "owner/complaints.png")


def test_owner_closes_a_handled_complaint_with_stars(
    open_as: OpenAs, context: HubContext, clock: FakeClock
) -> None:
    complaint_id = _submitted(context, clock, BINS)
    _handled(context, clock, complaint_id)
    page = open_as("owner101", f"/m/owner/complaints/{complaint_id}", PHONE)
    page.locator("[data-test=rate-satisfaction] .van-rate__item").nth(3).click()  # 4 stars
    shot(page, "owner/complaint-rate.png")
    page.locator("[data-test=confirm]").click()
    expect(page.locator("[data-test=complaint-status]")).to_have_text("已办结")
    expect(page.locator("[data-test=decide]")).to_have_count(0)
    with context.db.session() as session:
        closed = session.get(Complaint, complaint_id)
        assert closed is not None and closed.satisfaction == 4


def test_owner_reads_why_a_complaint_is_out_of_scope(
    open_as: OpenAs, context: HubContext, clock: FakeClock
) -> None:
    complaint_id = _submitted(context, clock, "整个小区停水 No water in the whole estate")
    reason = "市政供水管网检修，非物业服务范围 Municipal water works, not ours"
    with context.db.session() as session:
        service = session.scalars(select(User).where(User.username == "service")).one()
        complaints.close_out_of_scope(
            session, complaint_id, reason=reason, by=service, now=clock.now()
        )
    page = open_as("owner101", f"/m/owner/complaints/{complaint_id}", PHONE)
    expect(page.locator("[data-test=out-of-scope]")).to_contain_text(reason)
    expect(page.locator("[data-test=complaint-status]")).to_have_text("非物业范围")
    expect(page.locator("[data-test=deadlines]")).to_have_count(0)  # nobody will call
    shot(page, "owner/complaint-out-of-scope.png")


def test_customer_service_works_the_queue_overdue_first(
    open_as: OpenAs, context: HubContext, clock: FakeClock
) -> None:
    late = _submitted(context, clock, BINS)
    _with_photo(context, clock, late)
    clock.advance(timedelta(minutes=70))  # late: its review is 10 minutes overdue
    _submitted(context, clock, "楼道灯不亮 Corridor light out", owner="owner201")
    page = open_as("service", "/console/complaints", DESKTOP)
    _at_hub_time(page, clock)
    numbers = page.locator("[data-test=queue] [data-test=queue-number]")
    expect(numbers).to_have_count(2)
    first = page.locator("[data-test=queue] .el-table__row").first
    expect(first).to_contain_text(BINS)
    expect(first).to_contain_text("超时")
    expect(first.locator("[data-test=deadline]")).to_have_text("审核已超时（10:00）")
    second = page.locator("[data-test=queue] .el-table__row").nth(1)
    expect(second.locator("[data-test=deadline]")).to_have_text("审核截止 11/10 12:10")
    expect(second).not_to_contain_text("超时")
    shot(page, "service/complaints-queue.png")

    first.click()
    panel = page.locator("[data-test=complaint-panel]")
    expect(panel.locator("[data-test=panel-photos] img")).to_have_count(1)
    panel.locator("input[data-test=category]").fill("垃圾清运 refuse")
    panel.locator("[data-test=review]").click()
    expect(panel.locator("[data-test=panel-status]")).to_have_text("待分配")
    expect(panel.locator("[data-test=department]")).to_contain_text("保洁部")  # sanitation's usual
    panel.locator("[data-test=assign]").click()
    expect(panel.locator("[data-test=panel-status]")).to_have_text("待联系业主")
    panel.locator("textarea[data-test=summary]").fill("已致电，今天下午清运 called: emptied today")
    panel.locator("[data-test=log-contact]").click()
    expect(panel.locator("[data-test=panel-status]")).to_have_text("处理中")
    expect(panel.locator("[data-test=contact-log]")).to_contain_text("已致电")
    expect(panel).to_contain_text("审核超时完成")
    expect(panel).to_contain_text("联系业主按时")
    panel.locator("textarea[data-test=result]").fill("已清运并增加一班 emptied, one more round")
    panel.locator("[data-test=record-result]").click()
    expect(panel.locator("[data-test=panel-status]")).to_have_text("待业主确认")
    expect(page.locator(".el-message")).to_have_count(0, timeout=10_000)
    shot(page, "service/complaints-panel.png")
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()

    intake = page.locator("[data-test=intake]")
    intake.locator("[data-test=intake-home]").click()
    page.keyboard.type("张伟")
    page.locator(".el-select-dropdown__item").filter(has_text="B1/101").click()
    intake.locator("textarea[data-test=intake-description]").fill("夜间施工噪音 Night works noise")
    intake.locator("[data-test=intake-submit]").click()
    expect(page.locator(".el-message--success")).to_contain_text("已登记")
    expect(page.locator("[data-test=queue]")).to_contain_text("夜间施工噪音")
    row = page.locator("[data-test=queue] .el-table__row").filter(has_text="夜间施工噪音")
    expect(row.locator("[data-test=queue-status]")).to_have_text("待审核")


def test_admin_reads_the_queue_without_the_intake_form(
    open_as: OpenAs, context: HubContext, clock: FakeClock
) -> None:
    _submitted(context, clock, BINS)
    page = open_as("admin", "/console/complaints", DESKTOP)
    expect(page.locator("[data-test=queue]")).to_contain_text(BINS)
    expect(page.locator("[data-test=intake]")).to_have_count(0)
    expect(page.locator(".console__nav a.is-active")).to_have_text("投诉建议")


def test_department_queues_on_the_desk(
    open_as: OpenAs, context: HubContext, clock: FakeClock
) -> None:
    """The seed routes send bins to cleaning and anything naming 绿化 to landscaping; the
    department buttons narrow the queue to one of them."""
    _submitted(context, clock, BINS)
    _submitted(context, clock, "绿化带里堆满垃圾 Rubbish in the hedges", owner="owner201")
    page = open_as("service", "/console/complaints", DESKTOP)
    queue = page.locator("[data-test=queue]")
    expect(queue).to_contain_text("绿化带里堆满垃圾")
    bins = queue.locator(".el-table__row").filter(has_text="垃圾桶三天没清")
    expect(bins.locator("[data-test=queue-department]")).to_have_text("建议：保洁部")
    page.locator("[data-test=department-filter]").get_by_text("绿化部").click()
    expect(queue).not_to_contain_text("垃圾桶三天没清")
    expect(queue.locator(".el-table__row")).to_have_count(1)
    expect(queue).to_contain_text("绿化带里堆满垃圾")
    shot(page, "service/complaints-department-queue.png")
    page.locator("[data-test=department-filter]").get_by_text("全部部门").click()
    expect(queue).to_contain_text("垃圾桶三天没清")
