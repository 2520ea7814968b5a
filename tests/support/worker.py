"""Running the hub worker against a real broker in tests, and waiting on conditions."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator, Callable, Sequence
from typing import TypeVar

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from adapters.mqtt.url import parse_mqtt_url
from hub.context import HubContext
from hub.settings import Settings
from hub.worker import HubWorker

T = TypeVar("T")


def paho_client(url: str, client_id: str | None = None, *, clean: bool = True) -> mqtt.Client:
    address = parse_mqtt_url(url)
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=client_id or f"test-{secrets.token_hex(4)}",
        clean_session=clean,
    )
    client.connect(address.host, address.port)
    return client


def publish(url: str, messages: Sequence[tuple[str, str | bytes, bool]]) -> None:
    """Publish at QoS 1 and wait until the broker has each message."""
    client = paho_client(url)
    client.loop_start()
    try:
        for topic, payload, retain in messages:
            client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(timeout=5)
    finally:
        client.disconnect()
        client.loop_stop()


def crash_with_last_will(url: str, status_topic: str) -> None:
    """A device that says `online`, then loses its connection without saying goodbye."""
    client = paho_client(url)
    client.will_set(status_topic, "offline", qos=1, retain=True)
    client.reconnect()  # the will is sent with CONNECT
    client.loop_start()
    client.publish(status_topic, "online", qos=1, retain=True).wait_for_publish(timeout=5)
    client.loop_stop()
    sock = client.socket()
    assert sock is not None
    sock.close()  # no DISCONNECT: the broker publishes the will


def forget_session(url: str, client_id: str) -> None:
    """Drop the worker's persistent session from the broker (tests only)."""
    client = paho_client(url, client_id, clean=True)
    client.loop_start()
    client.disconnect()
    client.loop_stop()


async def eventually(check: Callable[[], T | None], what: str, within: float = 10.0) -> T:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        result = await asyncio.to_thread(check)
        if result:
            return result
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {within} s waiting for {what}")
        await asyncio.sleep(0.05)


def make_worker(context: HubContext, url: str, prefix: str) -> HubWorker:
    return HubWorker(context, url, Settings().rules_file, topic_prefix=prefix, tick_seconds=3600)


@contextlib.asynccontextmanager
async def running(worker: HubWorker, *, forget: bool = True) -> AsyncIterator[HubWorker]:
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        await asyncio.wait_for(worker.connected.wait(), 10)
        yield worker
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
        if forget and worker.client_id:
            await asyncio.to_thread(forget_session, worker.mqtt_url, worker.client_id)
