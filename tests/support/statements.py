"""Statement files as the providers hand them out, built line by line for the tests: WeChat
Pay's trade bill (UTF-8, backquoted cells, summary rows), Alipay's 业务明细 (GBK, '#' lines)."""

from __future__ import annotations

from collections.abc import Sequence

WECHAT_HEADER = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,"
    "交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,"
    "充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,"
    "费率备注"
)


def wechat_row(
    at: str, transaction: str, trade: str, amount: str, *, refund: str = "", refund_no: str = ""
) -> str:
    """One trade (or, with `refund`, one refund of it) as the bill lists it."""
    state, settled = ("REFUND", "0.00") if refund else ("SUCCESS", amount)
    cells = [at, "wx2421b1c4370ec43b", "1900000109", "0", "", transaction, trade]
    cells += ["oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "NATIVE", state, "OTHERS", "CNY", settled, "0.00"]
    cells += [refund_no, f"R{trade}" if refund else "", refund or "0.00", "0.00"]
    cells += ["ORIGINAL" if refund else "", "SUCCESS" if refund else "", "物业账单", "", "0.00"]
    cells += ["0.60%", amount, refund or "0.00", ""]
    return ",".join("`" + cell for cell in cells)


def wechat_bill(rows: Sequence[str], *, count: int | None = None, refunds: str = "0.00") -> bytes:
    summary = (
        "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,"
        "申请退款总金额"
    )
    totals = (
        f"`{len(rows) if count is None else count},`0.00,`{refunds},`0.00,`0.00,`0.00,`{refunds}"
    )
    return ("\r\n".join([WECHAT_HEADER, *rows, summary, totals]) + "\r\n").encode()


ALIPAY_HEADER = (
    "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,"
    "终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,"
    "商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,"
    "退款批次号/请求号,服务费（元）,分润（元）,备注"
)


def alipay_row(at: str, transaction: str, trade: str, amount: str, *, refund_no: str = "") -> str:
    """One 交易 row, or with `refund_no` a 退款 row (its amount given negative)."""
    kind = "退款" if refund_no else "交易"
    cells = [f"{transaction}\t", f"{trade}\t", f"{kind}\t", "物业账单", at, at, "\t", "\t"]
    cells += ["\t", "\t", "**明(138******00)\t", amount, amount, "0.00", "0.00", "0.00", "0.00"]
    cells += ["0.00", "", "0.00\t", "0.00", f"{refund_no}\t", "0.00", "0.00", ""]
    return ",".join(cells)


def alipay_details(
    rows: Sequence[str], *, day: str = "2026年11月10日", payments: int | None = None
) -> bytes:
    """A whole 业务明细 file, GBK as Alipay writes it."""
    refunds = sum("退款" in row for row in rows)
    paid = len(rows) - refunds if payments is None else payments
    lines = [
        "#支付宝业务明细查询",
        "#账号：[20880211096256330156]",
        f"#起始日期：[{day} 00:00:00]   终止日期：[{day} 23:59:59]",
        "#-----------------------------------------业务明细列表----------------------------------------",
        ALIPAY_HEADER,
        *rows,
        "#-----------------------------------------业务明细列表结束------------------------------------",
        f"#交易合计：{paid}笔，商家实收共：0.00元，商家优惠共：0.00元",
        f"#退款合计：{refunds}笔，商家实收退款共：0.00元，商家优惠退款共：0.00元",
        "#导出时间：[2026年11月11日 09:13:16]",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("gbk")
