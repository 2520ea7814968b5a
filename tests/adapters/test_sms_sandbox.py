"""The sandbox SMS provider writes real lines to a real file, and the settings pick it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from adapters.sms import SandboxSms, SmsError, read_sink, sms_provider
from hub.clock import FakeClock
from hub.errors import ConfigError
from hub.settings import get_settings


def test_each_message_is_one_line_with_time_phone_text_and_id(
    tmp_path: Path, clock: FakeClock
) -> None:
    sink = tmp_path / "sms" / "sink.jsonl"
    sms = SandboxSms(sink, clock)
    first = sms.send("13812345678", "【物业】您的验证码是 123456，10分钟内有效。")
    clock.advance(timedelta(seconds=5))
    second = sms.send("13700001111", "second")
    sent = read_sink(sink)
    assert [(s.id, s.phone, s.text) for s in sent] == [
        (first, "13812345678", "【物业】您的验证码是 123456，10分钟内有效。"),
        (second, "13700001111", "second"),
    ]
    assert sent[1].time - sent[0].time == timedelta(seconds=5)
    assert first != second
    assert "验证码" in sink.read_text(encoding="utf-8")  # readable Chinese, not \\u escapes


def test_no_sink_yet_means_nothing_sent(tmp_path: Path) -> None:
    assert read_sink(tmp_path / "never.jsonl") == []


def test_a_sink_that_cannot_be_written_is_a_clear_error(tmp_path: Path, clock: FakeClock) -> None:
    sink = tmp_path / "is-a-directory"
    sink.mkdir()
    with pytest.raises(SmsError, match=r"sandbox SMS sink .*is-a-directory"):
        SandboxSms(sink, clock).send("13812345678", "text")


def test_settings_choose_the_sandbox_and_its_sink(
    hub_env: Path, tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    default = sms_provider(get_settings(), clock)
    assert isinstance(default, SandboxSms) and default.sink == hub_env / "sms-sandbox.jsonl"
    monkeypatch.setenv("HUB_SMS_SINK", str(tmp_path / "elsewhere.jsonl"))
    get_settings.cache_clear()
    configured = sms_provider(get_settings(), clock)
    configured.send("13812345678", "hi")
    assert [s.text for s in read_sink(tmp_path / "elsewhere.jsonl")] == ["hi"]


def test_an_unknown_provider_is_a_config_error(
    clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUB_SMS_PROVIDER", "aliyun")
    get_settings.cache_clear()
    with pytest.raises(ConfigError, match="HUB_SMS_PROVIDER='aliyun'"):
        sms_provider(get_settings(), clock)
