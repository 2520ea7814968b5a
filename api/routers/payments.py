"""Where payment providers talk to the hub: their signed notifications, and the sandbox's
own pay page.

These routes carry no hub login: a provider proves itself by its signature, and the sandbox
page is reached only through the unguessable trade number an owner's intent returned.
"""

from __future__ import annotations

from html import escape
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Request
from fastapi.responses import HTMLResponse, Response

from adapters.payments.sandbox import deliver
from api.deps import ContextDep, SessionDep
from api.web_app import SECURITY_HEADERS
from hub.services import payments
from hub.services.payment_providers import provider_named, sandbox
from hub.services.reconciliation.sandbox import settle

router = APIRouter(prefix="/payments", tags=["payments"])

TradeNo = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{6,32}$")]
NOTIFY_PATH = "/api/v1/payments/notify/sandbox"


async def _raw_body(request: Request) -> bytes:
    """The body exactly as sent: signatures are over these bytes, not a parsed form of them.
    Its size is capped before it is read (`api.body_guard`)."""
    return await request.body()


RawBody = Annotated[bytes, Depends(_raw_body)]


@router.post("/notify/{provider}", response_class=Response)
def notify(
    provider: str, request: Request, body: RawBody, session: SessionDep, context: ContextDep
) -> Response:
    """A provider's payment notification: verified, matched to an intent, recorded."""
    verifier = provider_named(context.settings, provider)
    result = payments.handle_notification(
        session,
        verifier=verifier,
        headers=dict(request.headers),
        body=body,
        now=context.clock.now(),
    )
    answer = verifier.answer(result.accepted, result.message)
    return Response(answer.content, status_code=answer.status_code, media_type=answer.media_type)


# Inline (the policy allows inline styles, not scripts): the page stands alone, phone-sized.
_STYLE = (
    "body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#f7f8fa;color:#111827}"
    "main{max-width:420px;margin:0 auto;padding:24px 16px}h1{font-size:20px}"
    ".msg{color:#64748b;font-size:14px}.money{font-size:28px;font-weight:600}"
    "button.primary{width:100%;padding:12px;border:0;border-radius:8px;background:#1677ff;"
    "color:#fff;font-size:16px}a{color:#1677ff}"
)


def _page(title: str, *content: str) -> HTMLResponse:
    html = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main><h1>{escape(title)}</h1>{''.join(content)}</main></body></html>"
    )
    return HTMLResponse(html, headers=SECURITY_HEADERS)


@router.get("/sandbox/{out_trade_no}", response_class=HTMLResponse)
def sandbox_page(out_trade_no: TradeNo, session: SessionDep, context: ContextDep) -> HTMLResponse:
    """The sandbox's checkout: the amount and a 付款 Pay button (no money moves)."""
    sandbox(context.settings)
    intent = payments.pending_intent_or_raise(session, out_trade_no)
    trade = escape(intent.out_trade_no)
    return _page(
        "沙箱支付 Sandbox payment",
        '<p class="msg">测试环境，不会扣款 Test environment: no money moves.</p>',
        f"<p>订单 Trade <code>{trade}</code></p>",
        f'<p class="money" data-amount>¥{intent.amount:.2f}</p>',
        f'<form method="post" action="/api/v1/payments/sandbox/{trade}/confirm">'
        f'<button class="primary" type="submit">付款 Pay ¥{intent.amount:.2f}</button></form>',
    )


@router.post("/sandbox/{out_trade_no}/confirm", response_class=HTMLResponse)
def sandbox_confirm(
    out_trade_no: TradeNo,
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    context: ContextDep,
) -> HTMLResponse:
    """The payer confirmed: the sandbox takes the money (its own books, which its statement
    lists) and after answering posts its signed notification to the
    hub's notify URL, as a provider's server would."""
    provider = sandbox(context.settings)
    intent = payments.pending_intent_or_raise(session, out_trade_no)
    headers, body = settle(session, provider, intent, now=context.clock.now())
    base = context.settings.payment_notify_url or str(request.base_url)
    background.add_task(deliver, base.rstrip("/") + NOTIFY_PATH, headers, body)
    return _page(
        "付款已提交 Payment sent",
        f'<p class="money">¥{intent.amount:.2f}</p>',
        "<p>支付结果将通知物业 The estate is being notified; "
        f'<a href="/m/owner/bills/{intent.bill_id}" data-test="back">'
        "返回账单 back to the bill</a>.</p>",
    )
