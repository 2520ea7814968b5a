"""The payment provider the settings name, built once per call from keys in the settings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key

from adapters.payments.alipay import AlipayApp, AlipayProvider
from adapters.payments.base import PaymentProvider
from adapters.payments.sandbox import SandboxProvider
from hub.errors import ConfigError, NotFound
from hub.settings import Settings

SANDBOX = "sandbox"
SANDBOX_PAY_PATH = "/api/v1/payments/sandbox"
NOTIFY_PATH = "/api/v1/payments/notify"
# Its notifications are verified (adapters/payments/wechat.py); starting a WeChat Pay payment
# (the Native order API) is not built yet.
NOT_YET = ("wechat",)


def provider_name(settings: Settings) -> str:
    """HUB_PAYMENT_PROVIDER, or the sandbox when it is unset (demo, tests)."""
    return settings.payment_provider.strip().lower() or SANDBOX


def configured_provider(settings: Settings) -> PaymentProvider:
    """The provider owners pay through; a name the hub cannot start payments with stops it."""
    name = provider_name(settings)
    if name == SANDBOX:
        return SandboxProvider(settings.secret("payment_sandbox_key"), pay_path=SANDBOX_PAY_PATH)
    if name == "alipay":
        return _alipay(settings)
    if name in NOT_YET:
        raise ConfigError(
            f"HUB_PAYMENT_PROVIDER={name}: the hub verifies {name} notifications but cannot "
            "start payments with it yet; use sandbox (no money moves)"
        )
    raise ConfigError(f"HUB_PAYMENT_PROVIDER={name}: unknown provider; use sandbox or alipay")


def _alipay(settings: Settings) -> AlipayProvider:
    missing = [
        f"HUB_{field.upper()}"
        for field in (
            "payment_alipay_app_id",
            "payment_alipay_private_key_file",
            "payment_alipay_public_key_file",
            "payment_notify_url",
        )
        if not getattr(settings, field)
    ]
    if missing:
        raise ConfigError(f"HUB_PAYMENT_PROVIDER=alipay needs {', '.join(missing)}")
    assert settings.payment_alipay_private_key_file and settings.payment_alipay_public_key_file
    private_key = _rsa_key(
        settings.payment_alipay_private_key_file, lambda data: load_pem_private_key(data, None)
    )
    public_key = _rsa_key(settings.payment_alipay_public_key_file, load_pem_public_key)
    if not isinstance(private_key, RSAPrivateKey) or not isinstance(public_key, RSAPublicKey):
        raise ConfigError("the Alipay key files must hold an RSA private and public key (RSA2)")
    app = AlipayApp(
        app_id=settings.payment_alipay_app_id,
        private_key=private_key,
        notify_url=settings.payment_notify_url.rstrip("/") + f"{NOTIFY_PATH}/alipay",
        gateway=settings.payment_alipay_gateway,
    )
    return AlipayProvider(app, public_key)


def _rsa_key(path: Path, load: Callable[[bytes], object]) -> object:
    """The key in a PEM file; an unreadable one is a ConfigError naming the file."""
    try:
        return load(path.read_bytes())
    except (OSError, ValueError, TypeError) as exc:
        raise ConfigError(f"{path}: not a readable PEM key ({exc})") from None


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
