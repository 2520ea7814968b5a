"""The process runner: starts the hub's parts as tasks of one event loop and stops them together.

`hub run` starts the worker (ingest + rules + timers), the dispatcher and the API; `hub worker`
only a worker, for one partition of the sites; `hub demo` adds the embedded broker, the simulated
devices and the edge gateway. A part that fails stops the others, and Ctrl-C or SIGTERM stops
everything cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Coroutine, Generator
from typing import Any

import uvicorn

from adapters.mqtt.broker import ensure_port_free
from api.app import create_app, create_metrics_app
from hub.context import HubContext
from hub.dispatcher import Dispatcher
from hub.partitions import Partition
from hub.services import sla_policy
from hub.worker import HubWorker

log = logging.getLogger(__name__)


class _QuietServer(uvicorn.Server):
    """uvicorn without its own signal handling: the runner owns Ctrl-C."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


class ApiServer:
    """A FastAPI app served by uvicorn inside the runner's loop: the hub's whole API by default.

    Its lifespan runs: with PostgreSQL that is the live-feed relay (events from other processes).
    """

    def __init__(
        self, context: HubContext, host: str, port: int, *, metrics_only: bool = False
    ) -> None:
        what = "the worker's /metrics" if metrics_only else "the web API"
        ensure_port_free(host, port, what)
        app = create_metrics_app(context) if metrics_only else create_app(context)
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")
        self._server = _QuietServer(config)
        self.url = f"http://{host}:{port}"

    async def run(self, stop: asyncio.Event) -> None:
        serving = asyncio.create_task(self._server.serve())
        waiting = asyncio.create_task(stop.wait())
        await asyncio.wait({serving, waiting}, return_when=asyncio.FIRST_COMPLETED)
        self._server.should_exit = True
        waiting.cancel()
        await serving


async def run_parts(
    parts: dict[str, Coroutine[Any, Any, None]], stop: asyncio.Event, seconds: float | None
) -> None:
    """Run named parts until `stop` is set, `seconds` pass, a signal arrives, or one fails."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    tasks = {asyncio.create_task(coro, name=name): name for name, coro in parts.items()}
    timer = asyncio.create_task(asyncio.sleep(seconds if seconds is not None else float("inf")))
    stopper = asyncio.create_task(stop.wait())
    await asyncio.wait({*tasks, timer, stopper}, return_when=asyncio.FIRST_COMPLETED)
    stop.set()
    _, pending = await asyncio.wait(tasks, timeout=15)
    for task in pending:
        log.warning("%s did not stop in time; cancelling it", tasks[task])
        task.cancel()
    failures = [
        (tasks[task], task.exception())
        for task in tasks
        if task.done() and not task.cancelled() and task.exception() is not None
    ]
    for name, error in failures[1:]:  # the first is raised, for the caller to report
        log.error("%s stopped with an error too: %s", name, error)
    timer.cancel()
    stopper.cancel()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(sig)
    if failures:
        raise failures[0][1]  # type: ignore[misc]


def hub_parts(
    context: HubContext,
    mqtt_url: str,
    api: ApiServer,
    stop: asyncio.Event,
    *,
    partition: Partition | None = None,
) -> dict[str, Coroutine[Any, Any, None]]:
    """The hub proper, as `hub run` and `hub demo` both start it: worker, dispatcher, API.

    `partition`: the worker serves only its share of the sites (`hub run --partition 1/N`, next
    to `hub worker` for the others); the dispatcher and the API are whole-hub parts, run once.
    """
    sla_policy.load(context.settings.sla_file)  # a bad SLA file stops the start, named
    worker = HubWorker(context, mqtt_url, context.settings.rules_file, partition=partition)
    return {
        "worker": worker.run(stop),
        "dispatcher": Dispatcher(context, mqtt_url).run(stop),
        "api": api.run(stop),
    }
