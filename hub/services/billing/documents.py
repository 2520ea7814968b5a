"""Bills, receipts and demand letters as PDF (WeasyPrint), from the same data the API sends, so
the paper and the screen never disagree: each line with the readings and tariff version behind
it, the home's 12-month use, for a paid bill its numbered electronic receipt (电子收据), and for
long arrears the written demand (催缴函) with the bills it covers."""

from __future__ import annotations

from base64 import b64encode
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session
from weasyprint import HTML

from hub.domain import BillStatus
from hub.errors import Conflict
from hub.services.allocation import paid_amounts
from hub.services.bill_views import (
    AllocationOut,
    BillLineOut,
    BillOut,
    CreditNoteOut,
    PaymentOut,
)
from hub.services.billing.bills import payments_of
from hub.services.billing.demand_letters import letter_number
from hub.services.billing.text import decimal_text, home_label, receipt_number
from hub.services.billing.usage_chart import usage_png
from hub.services.home_accounts import balance_of, to_balance
from hub.storage.models import Bill, DemandLetter, Home, Payment, Site
from hub.storage.models.billing import PaymentMethod

METHODS = {
    PaymentMethod.SANDBOX: "在线支付（沙箱）Online (sandbox)",
    PaymentMethod.WECHAT: "微信支付 WeChat Pay",
    PaymentMethod.ALIPAY: "支付宝 Alipay",
    PaymentMethod.CASH: "现金 Cash",
    PaymentMethod.BANK_TRANSFER: "银行转账 Bank transfer",
}
STYLE = """
@page { size: A4; margin: 16mm 14mm; }
body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; font-size: 9.5pt;
       color: #1d2129; }
h1 { font-size: 16pt; margin: 0 0 2mm; }
.meta { color: #4e5969; margin-bottom: 5mm; }
table { width: 100%; border-collapse: collapse; }
th, td { border-bottom: 0.3mm solid #e5e6eb; padding: 1.6mm 1.2mm; text-align: left;
         vertical-align: top; }
th { background: #f2f3f5; font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; }
.readings { color: #86909c; font-size: 8pt; }
.total td { font-weight: 700; font-size: 11pt; border-bottom: none; }
.status { font-weight: 700; }
.chart { margin-top: 6mm; width: 100%; }
.foot { margin-top: 6mm; color: #4e5969; font-size: 8.5pt; }
"""


STATUS = {
    BillStatus.PAID: "已缴 Paid",
    BillStatus.PARTLY_PAID: "部分缴纳 Partly paid",
    BillStatus.UNPAID: "未缴 Unpaid",
    BillStatus.CREDITED: "已冲销 Credited",
}
PREPAID_APPLIED = "预缴抵扣 Prepaid applied"


def bill_pdf(session: Session, bill: Bill) -> bytes:
    view = BillOut.of(session, bill)
    _, site = _where(session, bill)
    zone = ZoneInfo(site.timezone)
    lines = "".join(_line_row(line, zone) for line in view.lines)
    chart = b64encode(usage_png(session, bill.home_id, bill.period)).decode()
    paid = "".join(
        f'<tr><td colspan="3">{_paid_by(row)} · {_local(row.at, zone)}</td>'
        f'<td class="num">¥{escape(row.amount)}</td></tr>'
        for row in view.allocations
    )
    how = (
        "请在 App「我的账单」在线支付，或到物业服务中心缴纳。Pay in the app or at the office."
        if bill.status is not BillStatus.PAID
        else "已缴清，收据见各笔付款 Paid: each payment has its receipt."
    )
    status, note = STATUS[bill.status], view.credit_note
    if note is not None:
        status = f"已冲销 Credited {escape(note.number)}"
        how = _credited(note, zone)
    body = f"""
<h1>物业账单 Bill {escape(view.period)}</h1>
<div class="meta">{escape(site.name)} · {escape(view.home)} · 账单号 No. {view.id} ·
出账 Issued {_local(view.issued_at, zone)} · <span class="status">{status}</span>
{_replaces(view)}</div>
<table>
<tr><th>项目 Item</th><th class="num">数量 Qty</th><th class="num">单价 Price</th>
<th class="num">金额 Amount</th></tr>
{lines}
<tr class="total"><td colspan="3">合计 Total</td><td class="num">¥{escape(view.total)}</td></tr>
{paid}
<tr><td colspan="3">已缴 Paid</td><td class="num">¥{escape(view.paid)}</td></tr>
<tr class="total"><td colspan="3">未缴 Outstanding</td>
<td class="num">¥{escape(view.outstanding)}</td></tr>
</table>
<img class="chart" alt="12-month use" src="data:image/png;base64,{chart}">
<div class="foot">{how}<br>每一行注明所用读数与价格版本，可逐项核对。
Every line names the readings and the tariff version it used.</div>
"""
    return render_pdf(f"Bill {view.period} {view.home}", body)


def _credited(note: CreditNoteOut, zone: ZoneInfo) -> str:
    """What a credited bill's foot says instead of how to pay it."""
    rebill = (
        f"已重开为账单 No. {note.rebill_id} Re-billed as bill No. {note.rebill_id}。"
        if note.rebill_id is not None
        else "重开的账单将另行发出 A re-bill follows。"
    )
    return (
        f"本账单已于 {_local(note.created_at, zone)} 以红字冲销单 {escape(note.number)} 全额冲销"
        f"（原因：{escape(note.reason)}），无需缴纳。This bill was credited in full by credit note "
        f"{escape(note.number)} and owes nothing. {rebill}"
    )


def _replaces(view: BillOut) -> str:
    if view.replaces_id is None:
        return ""
    return f"· 重开 Re-bill of No. {view.replaces_id}"


def _paid_by(row: AllocationOut) -> str:
    if row.payment_id is None:
        return PREPAID_APPLIED
    what = "退款 Refund" if row.refund_id is not None else "付款 Payment"
    return f"{what} {escape(row.receipt_no or '')}"


def bill_receipt_pdf(session: Session, bill: Bill) -> bytes:
    """The receipt of the newest payment on a bill; none before one (409 `bill_unpaid`)."""
    paying = payments_of(session, bill)
    if not paying:
        raise Conflict(f"bill {bill.id} has no payment: it has no receipt", code="bill_unpaid")
    return receipt_pdf(session, paying[-1])


def receipt_pdf(session: Session, payment: Payment) -> bytes:
    """A payment's numbered electronic receipt: the bills it paid and the balance left."""
    home = session.get(Home, payment.home_id)
    assert home is not None  # a foreign key
    site = session.get(Site, home.building.site_id)
    assert site is not None
    out = PaymentOut.of(payment)
    zone = ZoneInfo(site.timezone)
    reference = out.transaction_id or out.reference or ""
    bills = "".join(
        f"<tr><td>{escape(bill.period)}（账单号 bill No. {bill.id}）</td>"
        f'<td class="num">¥{decimal_text(amount, 2)}</td></tr>'
        for bill, amount in sorted(paid_amounts(session, payment.id), key=lambda p: p[0].period)
    )
    body = f"""
<h1>电子收据 Receipt {escape(receipt_number(payment))}</h1>
<div class="meta">{escape(site.name)} · {escape(home_label(home))}</div>
<table>
<tr><th>金额 Amount</th><td class="num">¥{escape(out.amount)}</td></tr>
<tr><th>方式 Method</th><td>{METHODS[out.method]}</td></tr>
<tr><th>流水号 Reference</th><td>{escape(reference)}</td></tr>
<tr><th>收款时间 Paid at</th><td>{_local(out.paid_at, zone)}</td></tr>
</table>
<table>
<tr><th>所缴账单 Bills paid</th><th class="num">金额 Amount</th></tr>
{bills}
<tr><td>存入预缴余额 To the prepaid balance</td>
<td class="num">¥{decimal_text(to_balance(session, payment.id), 2)}</td></tr>
<tr class="total"><td>当前预缴余额 Prepaid balance now</td>
<td class="num">¥{decimal_text(balance_of(session, payment.home_id), 2)}</td></tr>
</table>
<div class="foot">本收据由 Estate Hub 生成，凭收据号可在物业服务中心查验。
Issued by Estate Hub; the office checks it by its number.</div>
"""
    return render_pdf(f"Receipt {receipt_number(payment)}", body)


def demand_letter_pdf(session: Session, letter: DemandLetter) -> bytes:
    home = session.get(Home, letter.home_id)
    assert home is not None  # a foreign key
    site = session.get(Site, home.building.site_id)
    assert site is not None
    zone, number = ZoneInfo(site.timezone), letter_number(letter)
    rows = "".join(
        f"<tr><td>{escape(item.period)}</td><td>{_local(item.issued_at, zone)}</td>"
        f'<td class="num">{(letter.issued_at - item.issued_at).days}</td>'
        f'<td class="num">¥{decimal_text(item.amount, 2)}</td></tr>'
        for item in letter.bills
    )
    total = decimal_text(letter.total, 2)
    body = f"""
<h1>催缴函 Demand for payment</h1>
<div class="meta">编号 No. {escape(number)} · {escape(site.name)} ·
{_local(letter.issued_at, zone)}</div>
<p>致 To: {escape(letter.owners or "业主")}（{escape(home_label(home))}）</p>
<p>您的房屋 {escape(home_label(home))} 以下账单至今未缴，我司已多次提醒。根据物业服务合同，请于
<b>{letter.pay_by}</b> 前缴清欠费 <b>¥{total}</b>。The bills below for
{escape(home_label(home))} are unpaid despite our reminders. Under the property service
contract, please pay <b>¥{total}</b> by <b>{letter.pay_by}</b>.</p>
<table>
<tr><th>账期 Period</th><th>出账 Issued</th><th class="num">已逾 Days</th>
<th class="num">金额 Amount</th></tr>
{rows}
<tr class="total"><td colspan="3">合计 Total</td><td class="num">¥{total}</td></tr>
</table>
<div class="foot">缴费方式：App「我的账单」在线支付，或到物业服务中心缴纳。
Pay in the app (My bills) or at the management office.<br>
依据《中华人民共和国民法典》第九百四十四条，期限届满仍未缴纳的，我司可依法提起诉讼或申请仲裁；
我司不会以停止供电、供水、供热、供燃气等方式催交。Under Civil Code art. 944 we may sue or seek
arbitration after this term; we will not cut power, water, heat or gas to force payment.</div>
"""
    return render_pdf(f"Demand {number}", body)


def _where(session: Session, bill: Bill) -> tuple[Home, Site]:
    home = session.get(Home, bill.home_id)
    assert home is not None  # a foreign key
    site = session.get(Site, home.building.site_id)
    assert site is not None
    return home, site


def _line_row(line: BillLineOut, zone: ZoneInfo) -> str:
    readings = ""
    if line.start_reading is not None and line.end_reading is not None:
        readings = (
            f'<div class="readings">读数 {escape(line.start_reading.value)} '
            f"({_local(line.start_reading.ts, zone)}) → {escape(line.end_reading.value)} "
            f"({_local(line.end_reading.ts, zone)}) · 价格 v{line.tariff_version}</div>"
        )
    return (
        f"<tr><td>{escape(line.description)}{readings}</td>"
        f'<td class="num">{escape(line.quantity)} {escape(line.unit)}</td>'
        f'<td class="num">¥{escape(line.unit_price)}</td>'
        f'<td class="num">¥{escape(line.amount)}</td></tr>'
    )


def _local(ts: datetime, zone: ZoneInfo) -> str:
    return f"{ts.astimezone(zone):%Y-%m-%d %H:%M}"


def render_pdf(title: str, body: str, *, style: str = "") -> bytes:
    """An A4 PDF of `body` in the documents' style (plus `style`), Chinese fonts first."""
    html = (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{STYLE}{style}</style></head>"
        f"<body>{body}</body></html>"
    )
    pdf = HTML(string=html).write_pdf()
    assert isinstance(pdf, bytes)  # write_pdf returns the document when given no target
    return pdf
