"""The embedded MQTT broker (amqtt) for the zero-setup demo and for tests on a bare machine.

MQTT 3.1.1 only, about 2,800 msg/s: fine for one estate's demo, not for production, where
Mosquitto or EMQX is named by HUB_MQTT_URL instead.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from typing import Any

from amqtt.broker import Broker

from hub.errors import ServiceUnavailable

logging.getLogger("amqtt").setLevel(logging.WARNING)
logging.getLogger("transitions").setLevel(logging.WARNING)


def ensure_port_free(host: str, port: int, what: str) -> None:
    """Fail with a clear message (not a traceback) when `port` is already taken."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ServiceUnavailable(
                f"{what} cannot listen on {host}:{port}: the port is already in use "
                f"({exc.strerror}). Stop the other program or choose another port."
            ) from None


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


class _SnapshotDict(dict[str, Any]):
    """amqtt 0.12 iterates its subscription table across awaits (when a client connects), so a
    concurrent (un)subscribe raised "dictionary changed size during iteration" and left that
    client connected but never served. Iterating a snapshot makes the walk safe."""

    def __iter__(self) -> Any:
        return iter(list(self.keys()))

    def items(self) -> Any:
        return list(super().items())


def _config(host: str, port: int) -> dict[str, Any]:
    return {
        "listeners": {"default": {"type": "tcp", "bind": f"{host}:{port}"}},
        "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
    }


class EmbeddedBroker:
    """An amqtt broker on `host:port`, started and stopped on the caller's event loop."""

    def __init__(self, host: str = "127.0.0.1", port: int = 1884) -> None:
        self.host, self.port = host, port
        self._broker: Broker | None = None

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"

    async def start(self) -> None:
        ensure_port_free(self.host, self.port, "the embedded MQTT broker")
        self._broker = Broker(_config(self.host, self.port))
        self._broker._subscriptions = _SnapshotDict()
        await self._broker.start()

    async def stop(self) -> None:
        """Stop listening and hang up on every client, then shut down.

        amqtt 0.12 cancels each client's reader inside an `asyncio.wait_for`, which on Python
        3.11 can swallow the cancellation and leave `shutdown` waiting for ever; a reader that
        sees its connection closed ends by itself. Listeners go first so no client is let in
        again halfway through.
        """
        if self._broker is not None:
            for server in self._broker._servers.values():
                if server.instance is not None:
                    server.instance.close()
            for _, handler in list(self._broker._sessions.values()):
                if handler is not None and handler.writer is not None:
                    await handler.writer.close()
            await self._broker.shutdown()
            self._broker = None


class BrokerThread:
    """The embedded broker on a loop of its own thread, for synchronous callers (tests, CLI)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.broker = EmbeddedBroker(host, port or free_port(host))
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, daemon=True, name="embedded-broker"
        )

    @property
    def url(self) -> str:
        return self.broker.url

    def start(self) -> BrokerThread:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.broker.start(), self._loop).result(timeout=30)
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.broker.stop(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
