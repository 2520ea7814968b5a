"""MQTT over TLS against a real Mosquitto with a CA and certificates made here.

The hub's subscriber (paho) and the publishers (aiomqtt) connect through adapters/mqtt/url.py;
a client that does not trust the broker's CA gets a one-line reason, not a traceback.
"""

from __future__ import annotations

import asyncio
import getpass
import ipaddress
import logging
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiomqtt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from adapters.mqtt.broker import free_port
from adapters.mqtt.command_publisher import CommandPublisher
from adapters.mqtt.mosquitto import (
    DEPLOY_CONFIG,
    BrokerAuth,
    PrivateMosquitto,
    ServerTls,
    mosquitto_binary,
)
from adapters.mqtt.publisher import DevicePublisher, epoch_ms
from adapters.mqtt.subscriber import ReceivedMessage, Subscriber
from adapters.mqtt.topics import Channel
from adapters.mqtt.url import TlsFiles, parse_mqtt_url, ssl_context
from edge.config import SAMPLE_EDGE, EdgeConfig, parse_edge_config
from edge.gateway import EdgeGateway
from hub.domain import DeviceKind
from hub.errors import ConfigError, ServiceUnavailable
from hub.services import broker_credentials
from hub.services.broker_credentials import SiteDevices
from hub.settings import get_settings
from simulators.fleet import Fleet
from simulators.fleet_file import FleetSpec

pytestmark = pytest.mark.skipif(mosquitto_binary() is None, reason="mosquitto is not installed")
PREFIX = "tls-test"


@dataclass(frozen=True)
class Pki:
    ca: Path
    broker_cert: Path
    broker_key: Path
    client_cert: Path
    client_key: Path
    other_ca: Path


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _write_key(key: ec.EllipticCurvePrivateKey, path: Path) -> Path:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


def _write_cert(cert: x509.Certificate, path: Path) -> Path:
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


def _ca(common: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common))
        .issuer_name(_name(common))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _leaf(
    common: str,
    ca: tuple[ec.EllipticCurvePrivateKey, x509.Certificate],
    usage: x509.ObjectIdentifier,
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    ca_key, ca_cert = ca
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
    )
    if usage == ExtendedKeyUsageOID.SERVER_AUTH:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
    return key, builder.sign(ca_key, hashes.SHA256())


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    folder = tmp_path_factory.mktemp("pki")
    ca = _ca("Estate Hub test CA")
    broker_key, broker_cert = _leaf("127.0.0.1", ca, ExtendedKeyUsageOID.SERVER_AUTH)
    client_key, client_cert = _leaf("hub", ca, ExtendedKeyUsageOID.CLIENT_AUTH)
    _, other = _ca("Someone else's CA")
    return Pki(
        ca=_write_cert(ca[1], folder / "ca.crt"),
        broker_cert=_write_cert(broker_cert, folder / "broker.crt"),
        broker_key=_write_key(broker_key, folder / "broker.key"),
        client_cert=_write_cert(client_cert, folder / "client.crt"),
        client_key=_write_key(client_key, folder / "client.key"),
        other_ca=_write_cert(other, folder / "other-ca.crt"),
    )


def _broker(tmp_path: Path, pki: Pki, *, require_certificate: bool) -> PrivateMosquitto:
    tls = ServerTls(pki.ca, pki.broker_cert, pki.broker_key, require_certificate)
    return PrivateMosquitto(tmp_path / "mosquitto", tls=tls)


@pytest.fixture
def broker(tmp_path: Path, pki: Pki) -> Iterator[PrivateMosquitto]:
    with _broker(tmp_path, pki, require_certificate=False) as running:
        yield running


@pytest.fixture
def mutual_broker(tmp_path: Path, pki: Pki) -> Iterator[PrivateMosquitto]:
    with _broker(tmp_path, pki, require_certificate=True) as running:
        yield running


class _Connected:
    """Collects the subscriber's connection changes; `wait()` for the first connect."""

    def __init__(self) -> None:
        self.up = asyncio.Event()

    def __call__(self, connected: bool) -> None:
        if connected:
            self.up.set()


@pytest.fixture
async def listening(broker: PrivateMosquitto, pki: Pki) -> AsyncIterator[Subscriber]:
    connected = _Connected()
    subscriber = Subscriber(
        broker.url, PREFIX, on_connection=connected, tls=TlsFiles(ca_file=pki.ca)
    )
    await subscriber.start()
    await asyncio.wait_for(connected.up.wait(), 20)
    yield subscriber
    await subscriber.stop()


async def _telemetry(subscriber: Subscriber) -> ReceivedMessage:
    while True:
        for message in await asyncio.wait_for(subscriber.batch(10), 20):
            if message.topic.endswith("/telemetry"):
                return message


async def test_a_reading_travels_over_tls(
    listening: Subscriber, broker: PrivateMosquitto, pki: Pki
) -> None:
    async with DevicePublisher(
        broker.url, PREFIX, "site-a", "leak-1", tls=TlsFiles(ca_file=pki.ca)
    ) as device:
        await device.telemetry({"water_leak": True})
    message = await _telemetry(listening)
    assert message.topic == f"{PREFIX}/site-a/leak-1/telemetry"
    assert message.payload == b'{"water_leak":true}'


async def test_the_url_names_the_ca_file(
    listening: Subscriber, broker: PrivateMosquitto, pki: Pki
) -> None:
    url = f"{broker.url}?ca_file={pki.ca}"
    async with DevicePublisher(url, PREFIX, "site-a", "pump-1") as device:
        await device.telemetry({"pressure_bar": 3.2})
    assert (await _telemetry(listening)).topic == f"{PREFIX}/site-a/pump-1/telemetry"


@pytest.mark.parametrize("ca", ["other", "system"])
async def test_an_untrusted_broker_is_refused_with_a_reason(
    broker: PrivateMosquitto, pki: Pki, ca: str
) -> None:
    tls = TlsFiles(ca_file=pki.other_ca if ca == "other" else None)
    publisher = CommandPublisher(broker.url, tls=tls)
    with pytest.raises(ServiceUnavailable) as refused:
        await publisher.publish(f"{PREFIX}/site-a/pump-1/command", {"action": "stop"})
    assert "TLS: the broker's certificate was not accepted" in str(refused.value)
    assert "check the CA file" in str(refused.value)
    assert "Traceback" not in str(refused.value)


class _Heard(logging.Handler):
    def __init__(self, needle: str) -> None:
        super().__init__()
        self.needle, self.found, self.lines = needle, threading.Event(), list[str]()

    def emit(self, record: logging.LogRecord) -> None:
        line = record.getMessage()
        self.lines.append(line)
        if self.needle in line and record.exc_info is None:
            self.found.set()


async def test_the_hub_subscriber_logs_why_it_cannot_connect(
    broker: PrivateMosquitto, pki: Pki
) -> None:
    heard = _Heard("TLS: the broker's certificate was not accepted")
    logger = logging.getLogger("adapters.mqtt.subscriber")
    logger.addHandler(heard)
    subscriber = Subscriber(broker.url, PREFIX, tls=TlsFiles(ca_file=pki.other_ca))
    try:
        await subscriber.start()
        assert await asyncio.to_thread(heard.found.wait, 20), heard.lines
    finally:
        await subscriber.stop()
        logger.removeHandler(heard)


async def test_a_client_certificate_is_required_and_accepted(
    mutual_broker: PrivateMosquitto, pki: Pki
) -> None:
    with_cert = TlsFiles(pki.ca, pki.client_cert, pki.client_key)
    connected = _Connected()
    subscriber = Subscriber(mutual_broker.url, PREFIX, on_connection=connected, tls=with_cert)
    await subscriber.start()
    try:
        await asyncio.wait_for(connected.up.wait(), 20)
        commands = CommandPublisher(mutual_broker.url, tls=with_cert)
        await commands.publish(f"{PREFIX}/site-a/pump-1/command", {"action": "stop"})
        await commands.close()
        # TLS 1.3 finishes the handshake before the broker checks the client: the broker then
        # hangs up unanswered, so a short timeout is what this client waits
        without = CommandPublisher(mutual_broker.url, tls=TlsFiles(ca_file=pki.ca), timeout_s=1)
        with pytest.raises(ServiceUnavailable, match="could not publish a command"):
            await without.publish(f"{PREFIX}/site-a/pump-1/command", {"action": "stop"})
    finally:
        await subscriber.stop()


def test_mqtts_defaults_to_8883_and_takes_the_settings_files(pki: Pki) -> None:
    address = parse_mqtt_url("mqtts://hub:s%40cret@broker.example", TlsFiles(ca_file=pki.ca))
    assert (address.host, address.port, address.username, address.password) == (
        "broker.example",
        8883,
        "hub",
        "s@cret",
    )
    assert address.tls == TlsFiles(ca_file=pki.ca)
    assert address.where == "mqtts://broker.example:8883"
    assert parse_mqtt_url("mqtt://broker.example", TlsFiles(ca_file=pki.ca)).tls is None


def test_the_hub_settings_name_the_tls_files(pki: Pki, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_MQTT_CA_FILE", str(pki.ca))
    monkeypatch.setenv("HUB_MQTT_CERT_FILE", str(pki.client_cert))
    monkeypatch.setenv("HUB_MQTT_KEY_FILE", str(pki.client_key))
    get_settings.cache_clear()
    try:
        subscriber = Subscriber("mqtts://127.0.0.1", PREFIX)
    finally:
        get_settings.cache_clear()
    assert subscriber.address.tls == TlsFiles(pki.ca, pki.client_cert, pki.client_key)


def test_bad_tls_files_are_named(pki: Pki, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"cannot use CA file .*missing\.crt"):
        ssl_context(TlsFiles(ca_file=tmp_path / "missing.crt"))
    with pytest.raises(ConfigError, match="needs its key file"):
        ssl_context(TlsFiles(ca_file=pki.ca, cert_file=pki.client_cert))
    with pytest.raises(ValueError, match="unknown option"):
        parse_mqtt_url("mqtts://broker.example?cafile=/x")


@pytest.fixture
def guarded(tmp_path: Path, pki: Pki) -> Iterator[tuple[PrivateMosquitto, Path]]:
    """TLS and accounts together, as deploy/mosquitto.conf ships them."""
    out = tmp_path / "broker-files"
    site = SiteDevices("green-garden", (("em-b1-101", DeviceKind.ELECTRICITY_METER),))
    broker_credentials.write_files(out, broker_credentials.accounts_for(PREFIX, [site]))
    tls = ServerTls(pki.ca, pki.broker_cert, pki.broker_key)
    auth = BrokerAuth(out / "passwd", out / "acl")
    with PrivateMosquitto(tmp_path / "mosquitto", tls=tls, auth=auth) as running:
        yield running, out


def _login(broker: PrivateMosquitto, out: Path, username: str) -> str:
    text = (out / "accounts" / f"{username}.env").read_text()
    password = text.split("MQTT_PASSWORD=")[1].splitlines()[0]
    return f"mqtts://{username}:{password}@127.0.0.1:{broker.port}"


async def test_the_edge_gateway_and_the_simulators_log_in_over_tls(
    guarded: tuple[PrivateMosquitto, Path], pki: Pki
) -> None:
    broker, out = guarded
    connected = _Connected()
    hub = Subscriber(
        _login(broker, out, "hub"), PREFIX, on_connection=connected, tls=TlsFiles(pki.ca)
    )
    await hub.start()
    try:
        await asyncio.wait_for(connected.up.wait(), 20)
        edge_url = _login(broker, out, "edge-green-garden")
        sample = parse_edge_config(SAMPLE_EDGE)
        config = EdgeConfig.model_validate(
            {**sample.model_dump(), "prefix": PREFIX, "mqtt_url": edge_url, "mqtt_ca_file": pki.ca}
        )
        async with EdgeGateway(config) as gateway:
            ts = datetime.now(UTC)
            gateway.buffer.append("em-b1-101", Channel.TELEMETRY, epoch_ms(ts), '{"energy_kwh":42}')
            assert await gateway.forward() == 1
        assert (await _telemetry(hub)).payload == b'{"energy_kwh":42}'

        fleet = FleetSpec.model_validate(
            {"site": "green-garden", "mqtt_devices": [{"kind": "pump", "device": "pump-1"}]}
        )
        simulated = Fleet(fleet, edge_url, PREFIX, tls=TlsFiles(pki.ca))
        async with simulated.runners["pump-1"].publisher as pump:
            await pump.telemetry({"pressure_bar": 3.1})
        assert (await _telemetry(hub)).topic == f"{PREFIX}/green-garden/pump-1/telemetry"
    finally:
        await hub.stop()


def test_the_edge_file_refuses_a_missing_ca_file(tmp_path: Path) -> None:
    sample = parse_edge_config(SAMPLE_EDGE)
    with pytest.raises(ValueError, match="cannot use CA file"):
        EdgeConfig.model_validate(
            {
                **sample.model_dump(),
                "mqtt_url": "mqtts://broker.example",
                "mqtt_ca_file": tmp_path / "nope.crt",
            }
        )


async def test_the_shipped_config_serves_tls_and_loopback_with_passwords(
    tmp_path: Path, pki: Pki
) -> None:
    """deploy/mosquitto.conf itself, with its /etc paths and ports pointed at this test's."""
    certs, estate, data = tmp_path / "certs", tmp_path / "estate", tmp_path / "data"
    certs.mkdir()
    for source, name in [
        (pki.ca, "ca.crt"),
        (pki.broker_cert, "broker.crt"),
        (pki.broker_key, "broker.key"),
    ]:
        (certs / name).write_bytes(source.read_bytes())
    site = SiteDevices("green-garden", ())
    broker_credentials.write_files(estate, broker_credentials.accounts_for(PREFIX, [site]))
    broker = PrivateMosquitto(data)
    tls_port, loopback_port = broker.port, free_port()
    shipped = (
        DEPLOY_CONFIG.read_text()
        .replace("/etc/mosquitto/certs/", f"{certs}/")
        .replace("/etc/mosquitto/estate/", f"{estate}/")
        .replace("/var/lib/mosquitto/", f"{data}/")
        .replace("listener 8883\n", f"listener {tls_port}\n")
        .replace("listener 1883 127.0.0.1\n", f"listener {loopback_port} 127.0.0.1\n")
    )
    broker.config_path.write_text(f"{shipped}\nuser {getpass.getuser()}\n")
    with broker:
        hub_url = _login(broker, estate, "hub")
        connected = _Connected()
        hub = Subscriber(hub_url, PREFIX, on_connection=connected, tls=TlsFiles(pki.ca))
        await hub.start()
        try:
            await asyncio.wait_for(connected.up.wait(), 20)
        finally:
            await hub.stop()
        loopback = hub_url.replace("mqtts://", "mqtt://").replace(
            f":{tls_port}", f":{loopback_port}"
        )
        commands = CommandPublisher(loopback, tls=TlsFiles())
        await commands.publish(f"{PREFIX}/green-garden/pump-1/command", {"action": "stop"})
        await commands.close()
        anonymous = CommandPublisher(f"mqtt://127.0.0.1:{loopback_port}", tls=TlsFiles())
        with pytest.raises(ServiceUnavailable, match=r"[Nn]ot authori[sz]ed"):
            await anonymous.publish(f"{PREFIX}/green-garden/pump-1/command", {"action": "stop"})


async def test_a_burst_arrives_whole_through_the_read_ahead(
    listening: Subscriber, broker: PrivateMosquitto, pki: Pki
) -> None:
    """The subscriber reads 64 KiB at a time from the TLS socket; nothing is left behind in it."""
    topic = f"{PREFIX}/site-a/em-1/telemetry"
    async with aiomqtt.Client(
        "127.0.0.1", broker.port, tls_context=ssl_context(TlsFiles(pki.ca))
    ) as device:
        await asyncio.gather(*(device.publish(topic, f'{{"n":{n}}}', qos=1) for n in range(2000)))
    heard: list[bytes] = []
    while len(heard) < 2000:
        batch = await asyncio.wait_for(listening.batch(500), 20)
        heard += [message.payload for message in batch if message.topic == topic]
        listening.ack(batch)
    assert sorted(heard) == sorted(f'{{"n":{n}}}'.encode() for n in range(2000))
