"""The payment provider the settings name, built once per call from keys in the settings."""

from __future__ import annotations

from adapters.payments.base import PaymentProvider
from adapters.payments.sandbox import SandboxProvider
from hub.errors import ConfigError, NotFound
from hub.settings import Settings

SANDBOX = "sandbox"
SANDBOX_PAY_PATH = "/api/v1/payments/sandbox"
# Their notifications are verified (adapters/payments/wechat.py, alipay.py); starting a payment
# with them (WeChat Native order, Alipay page pay) is not built yet.
NOT_YET = ("wechat", "alipay")


def provider_name(settings: Settings) -> str:
    """HUB_PAYMENT_PROVIDER, or the sandbox when it is unset (demo, tests)."""
    return settings.payment_provider.strip().lower() or SANDBOX


def configured_provider(settings: Settings) -> PaymentProvider:
    """The provider owners pay through; a name the hub cannot start payments with stops it."""
    name = provider_name(settings)
    if name == SANDBOX:
        return SandboxProvider(settings.secret("payment_sandbox_key"), pay_path=SANDBOX_PAY_PATH)
    if name in NOT_YET:
        raise ConfigError(
            f"HUB_PAYMENT_PROVIDER={name}: the hub verifies {name} notifications but cannot "
            "start payments with it yet; use sandbox (no money moves)"
        )
    raise ConfigError(f"HUB_PAYMENT_PROVIDER={name}: unknown provider; use sandbox")


def provider_named(settings: Settings, name: str) -> PaymentProvider:
    """The configured provider if `name` is it: notifications for any other are not ours."""
    provider = configured_provider(settings)
    if provider.name != name:
        raise NotFound(f"payment provider {name} is not configured here")
    return provider


def sandbox(settings: Settings) -> SandboxProvider:
    """The sandbox, only when it is the configured provider (its pages vanish otherwise)."""
    provider = configured_provider(settings)
    if not isinstance(provider, SandboxProvider):
        raise NotFound("the payment sandbox is not enabled")
    return provider


def production_provider(settings: Settings) -> PaymentProvider:
    """The provider for `hub run`: named explicitly, so a forgotten setting never leaves owners
    "paying" a sandbox where no money moves."""
    if not settings.payment_provider.strip():
        raise ConfigError(
            "hub run: HUB_PAYMENT_PROVIDER is not set, so owners would pay through the sandbox, "
            "where no money moves; set HUB_PAYMENT_PROVIDER=sandbox to run with it anyway"
        )
    return configured_provider(settings)
