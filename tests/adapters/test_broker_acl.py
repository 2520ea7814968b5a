"""Forged devices cannot hurt the hub: a real Mosquitto with the files `hub devices credentials`
writes lets each device publish on its own topics only, and nobody in without a password.

"Not received" needs no waiting: MQTT keeps one client's messages in order, so once the hub has
the device's own reading, a forged one sent before it would already have arrived.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import shutil
import stat
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiomqtt
import pytest
from typer.testing import CliRunner

from adapters.mqtt.command_publisher import CommandPublisher
from adapters.mqtt.mosquitto import BrokerAuth, PrivateMosquitto, mosquitto_binary
from adapters.mqtt.publisher import DevicePublisher
from adapters.mqtt.subscriber import ReceivedMessage, Subscriber
from hub.cli import app
from hub.context import HubContext
from hub.services import broker_credentials
from hub.services.broker_credentials import SiteDevices
from hub.services.site import LoadResult
from hub.site_file import SAMPLE_SITE

pytestmark = pytest.mark.skipif(mosquitto_binary() is None, reason="mosquitto is not installed")
PREFIX = "estate"  # the settings' default topic prefix, which the command uses
SITE, DEVICE_A, DEVICE_B = "green-garden", "leak-b1-101", "leak-b1-102"


def _credentials(out: Path, *options: str) -> str:
    result = CliRunner().invoke(
        app,
        ["devices", "credentials", "--out", str(out), "--site-file", str(SAMPLE_SITE), *options],
    )
    assert result.exit_code == 0, result.output
    return result.output


def _password(out: Path, username: str) -> str:
    for line in (out / "accounts" / f"{username}.env").read_text().splitlines():
        if line.startswith("MQTT_PASSWORD="):
            return line.partition("=")[2]
    raise AssertionError(f"no password for {username}")


@pytest.fixture
def files(tmp_path: Path) -> Path:
    out = tmp_path / "broker"
    _credentials(out)
    return out


@pytest.fixture
def broker(tmp_path: Path, files: Path) -> Iterator[PrivateMosquitto]:
    auth = BrokerAuth(files / "passwd", files / "acl")
    with PrivateMosquitto(tmp_path / "mosquitto", auth=auth) as running:
        yield running


def _url(broker: PrivateMosquitto, files: Path, username: str) -> str:
    return f"mqtt://{username}:{_password(files, username)}@127.0.0.1:{broker.port}"


def _client(broker: PrivateMosquitto, files: Path | None, username: str | None) -> aiomqtt.Client:
    password = _password(files, username) if files and username else None
    return aiomqtt.Client("127.0.0.1", broker.port, username=username, password=password)


@pytest.fixture
async def hub(broker: PrivateMosquitto, files: Path) -> AsyncIterator[Subscriber]:
    up = asyncio.Event()
    subscriber = Subscriber(
        _url(broker, files, "hub"), PREFIX, on_connection=lambda ok: ok and up.set()
    )
    await subscriber.start()
    await asyncio.wait_for(up.wait(), 20)
    yield subscriber
    await subscriber.stop()


async def _until(subscriber: Subscriber, topic: str) -> list[ReceivedMessage]:
    """Everything the hub hears up to and including a message on `topic`."""
    heard: list[ReceivedMessage] = []
    while not any(message.topic == topic for message in heard):
        heard += await asyncio.wait_for(subscriber.batch(100), 20)
    return heard


async def test_a_device_publishes_its_own_readings_but_not_another_devices(
    hub: Subscriber, broker: PrivateMosquitto, files: Path
) -> None:
    own = f"{PREFIX}/{SITE}/{DEVICE_A}/telemetry"
    forged = f"{PREFIX}/{SITE}/{DEVICE_B}/telemetry"
    # The broker acknowledges the forged leak (it has routed or dropped it by then), then hangs
    # up on the forger; anything routed to the hub is queued before what comes after.
    forger = _client(broker, files, f"{SITE}.{DEVICE_A}")
    with contextlib.suppress(aiomqtt.MqttError):
        async with forger:
            await forger.publish(forged, b'{"water_leak":true}', qos=1)
    assert forger._disconnected.exception() is not None  # hung up on, as said
    url = _url(broker, files, f"{SITE}.{DEVICE_A}")
    async with DevicePublisher(url, PREFIX, SITE, DEVICE_A) as device_a:
        await device_a.telemetry({"water_leak": False})
    topics = [message.topic for message in await _until(hub, own)]
    assert forged not in topics
    assert topics.count(own) == 1


async def test_the_edge_gateway_speaks_for_its_site(
    hub: Subscriber, broker: PrivateMosquitto, files: Path
) -> None:
    url = _url(broker, files, f"edge-{SITE}")
    async with DevicePublisher(url, PREFIX, SITE, "em-b1-101") as meter:
        await meter.telemetry({"energy_kwh": 1234.5})
    topic = f"{PREFIX}/{SITE}/em-b1-101/telemetry"
    heard = [message.payload for message in await _until(hub, topic) if message.topic == topic]
    assert heard == [b'{"energy_kwh":1234.5}']


async def test_commands_reach_only_their_device(broker: PrivateMosquitto, files: Path) -> None:
    mine = f"{PREFIX}/{SITE}/{DEVICE_A}/command"
    commands = CommandPublisher(_url(broker, files, "hub"))
    async with _client(broker, files, f"{SITE}.{DEVICE_A}") as device_a:
        await device_a.subscribe(f"{PREFIX}/{SITE}/+/command", qos=1)
        await commands.publish(f"{PREFIX}/{SITE}/{DEVICE_B}/command", {"action": "open"})
        await commands.publish(mine, {"action": "close"})
        message = await asyncio.wait_for(anext(aiter(device_a.messages)), 20)
    await commands.close()
    assert (str(message.topic), message.payload) == (mine, b'{"action":"close"}')


@pytest.mark.parametrize("who", ["anonymous", "wrong password"])
async def test_strangers_are_refused(broker: PrivateMosquitto, who: str) -> None:
    client = (
        _client(broker, None, None)
        if who == "anonymous"
        else aiomqtt.Client("127.0.0.1", broker.port, username="hub", password="guess")
    )
    with pytest.raises(aiomqtt.MqttCodeError, match=r"[Nn]ot authori[sz]ed"):
        async with client:
            pass


def test_running_again_keeps_passwords_and_rotate_renews_one(files: Path) -> None:
    before = {path.name: path.read_text() for path in (files / "accounts").iterdir()}
    output = _credentials(files, "--rotate", f"{SITE}.{DEVICE_A}")
    after = {path.name: path.read_text() for path in (files / "accounts").iterdir()}
    changed = sorted(name for name in after if after[name] != before[name])
    assert changed == [f"{SITE}.{DEVICE_A}.env"]
    assert "1 rotated" in output
    for path in [files / "passwd", *(files / "accounts").iterdir()]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_rotating_an_unknown_account_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "devices",
            "credentials",
            "--out",
            str(tmp_path),
            "--site-file",
            str(SAMPLE_SITE),
            "--rotate",
            "nobody",
        ],
    )
    assert result.exit_code == 1
    assert "no broker account nobody" in result.output


def test_the_acl_confines_each_account() -> None:
    sites = [
        SiteDevices("north", (("gw-1", broker_credentials.DeviceKind.GATEWAY),)),
        SiteDevices("south", (("leak-1", broker_credentials.DeviceKind.LEAK_SENSOR),)),
    ]
    acl = broker_credentials.acl_text(broker_credentials.accounts_for("estate", sites))
    blocks = {block.splitlines()[0]: block.splitlines()[1:] for block in acl.split("\n\n")[1:]}
    assert blocks["user south.leak-1"] == [
        "topic write estate/south/leak-1/telemetry",
        "topic write estate/south/leak-1/event",
        "topic write estate/south/leak-1/status",
        "topic read estate/south/leak-1/command",
    ]
    assert "topic write estate/north/+/telemetry" in blocks["user north.gw-1"]
    assert blocks["user hub"] == ["topic write estate/+/+/command", "topic read estate/#"]


def test_without_a_site_file_the_accounts_follow_the_database(
    site: LoadResult, tmp_path: Path
) -> None:
    result = CliRunner().invoke(app, ["devices", "credentials", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    names = sorted(path.stem for path in (tmp_path / "accounts").iterdir())
    assert names[:3] == ["edge-green-garden", "green-garden.cpr-north", "green-garden.em-b1-101"]
    assert "hub" in names and len(names) == 14  # the hub, the edge gateway, 12 devices
    assert "user green-garden.gate-north" in (tmp_path / "acl").read_text()


def test_an_empty_database_is_refused_with_a_hint(context: HubContext, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["devices", "credentials", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "hub site load" in result.output


@pytest.mark.skipif(shutil.which("mosquitto_passwd") is None, reason="no mosquitto_passwd")
def test_hashes_match_what_mosquitto_passwd_writes(tmp_path: Path) -> None:
    passwd = tmp_path / "passwd"
    subprocess.run(["mosquitto_passwd", "-c", "-b", str(passwd), "dev", "s3cret"], check=True)
    line = passwd.read_text().strip()
    salt = base64.b64decode(line.split("$")[3])
    assert f"dev:{broker_credentials.password_hash('s3cret', salt=salt)}" == line


def test_the_shipped_sample_acl_is_what_the_command_writes(files: Path) -> None:
    """deploy/acl.sample shows installers the sample estate's ACL; it must not drift."""
    shipped = Path(__file__).resolve().parents[2] / "deploy" / "acl.sample"
    assert shipped.read_text() == (files / "acl").read_text()
