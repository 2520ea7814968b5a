"""Which parser reads which provider's statement, and the size a statement may have."""

from __future__ import annotations

from collections.abc import Callable

from adapters.payments.alipay_statement import parse_trade_details
from adapters.payments.sandbox_statement import parse_statement
from adapters.payments.statement import Statement
from adapters.payments.wechat_statement import parse_trade_bill
from hub.errors import InvalidInput, TooLarge

PARSERS: dict[str, Callable[[bytes], Statement]] = {
    "sandbox": parse_statement,
    "wechat": parse_trade_bill,
    "alipay": parse_trade_details,
}
PROVIDERS = tuple(PARSERS)


def parse(provider: str, data: bytes, *, limit: int) -> Statement:
    """The statement in `data`, read with `provider`'s format."""
    if len(data) > limit:
        raise TooLarge(
            f"statement: larger than the limit of {limit} bytes; 对账单文件太大",
            code="statement_too_large",
        )
    if provider not in PARSERS:
        raise InvalidInput(f"provider {provider!r}: one of {', '.join(PROVIDERS)}")
    return PARSERS[provider](data)
