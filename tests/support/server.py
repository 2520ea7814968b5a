"""The hub's app served by uvicorn in a thread, for tests that need real HTTP both ways."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from adapters.mqtt.broker import free_port
from api.app import create_app
from hub.context import HubContext


@contextmanager
def serving(context: HubContext) -> Iterator[str]:
    """Serve `context`'s hub on a free port; yields its base URL."""
    server = uvicorn.Server(
        uvicorn.Config(create_app(context), host="127.0.0.1", port=free_port(), log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(10)
