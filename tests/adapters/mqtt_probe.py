"""A test subscriber: records what reaches the broker and waits for a message by condition.

It drops messages outside its filter: amqtt 0.12 sends a newly connected client the retained
messages matching *other* clients' subscriptions.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import aiomqtt

from adapters.mqtt.url import parse_mqtt_url


@dataclass(frozen=True)
class Seen:
    topic: str
    payload: bytes
    retain: bool

    @property
    def text(self) -> str:
        return self.payload.decode()

    def json(self) -> Any:
        return json.loads(self.payload)


class MqttProbe:
    """`async with MqttProbe(url, "prefix/#") as probe: await probe.wait_for(...)`."""

    def __init__(self, url: str, topic_filter: str, *, session: str | None = None) -> None:
        """With `session` (a client id) the broker keeps the subscription and queues for it
        while the probe is away, as it does for the hub."""
        address = parse_mqtt_url(url)
        self._client = aiomqtt.Client(
            address.host,
            address.port,
            identifier=session or f"probe-{secrets.token_hex(4)}",
            clean_session=False if session else None,
        )
        self._filter = topic_filter
        self.seen: list[Seen] = []
        self._changed = asyncio.Condition()
        self._reader: asyncio.Task[None] | None = None

    async def _read(self) -> None:
        async for message in self._client.messages:
            if not message.topic.matches(self._filter):
                continue
            payload = message.payload
            assert isinstance(payload, bytes | bytearray)
            async with self._changed:
                self.seen.append(Seen(str(message.topic), bytes(payload), message.retain))
                self._changed.notify_all()

    async def wait_for(self, match: Callable[[Seen], bool], within_s: float = 5.0) -> Seen:
        """The first message (already seen or still to come) that `match`es, or a clear failure."""

        def first() -> Seen | None:
            return next((seen for seen in self.seen if match(seen)), None)

        async with self._changed:
            try:
                found = await asyncio.wait_for(self._changed.wait_for(first), within_s)
            except TimeoutError:
                topics = sorted({seen.topic for seen in self.seen})
                raise AssertionError(
                    f"no matching message within {within_s} s; seen topics: {topics}"
                ) from None
        assert found is not None
        return found

    def on(self, topic: str) -> list[Seen]:
        return [seen for seen in self.seen if seen.topic == topic]

    async def __aenter__(self) -> MqttProbe:
        await self._client.__aenter__()
        try:
            await self._client.subscribe(self._filter, qos=1)
        except BaseException as exc:
            await self._client.__aexit__(type(exc), exc, exc.__traceback__)
            raise
        self._reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._reader is not None:
            self._reader.cancel()
        await self._client.__aexit__(exc_type, exc, tb)


class LogWatch(logging.Handler):
    """`async with LogWatch("adapters", "unreachable") as seen: await seen.wait()`."""

    def __init__(self, logger: str, text: str) -> None:
        super().__init__()
        self._logger, self._text = logging.getLogger(logger), text
        self._seen = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if self._text in record.getMessage():
            self._seen.set()

    async def wait(self, within_s: float = 5.0) -> None:
        await asyncio.wait_for(self._seen.wait(), within_s)

    async def __aenter__(self) -> LogWatch:
        self._logger.addHandler(self)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._logger.removeHandler(self)
