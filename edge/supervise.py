"""Run a set of worker loops until a stop event, then wind them down without hanging.

Shared by the gateway (one poller per device) and the simulator fleet (one loop per device), which
both run inside `hub demo` as plain asyncio tasks: setting `stop` ends them gracefully, and
cancelling the task ends them too. Workers get their own `halt` event rather than `stop`, so a
cancelled run never sets an event its caller shares with other tasks.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

Worker = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


def _crashed(task: asyncio.Future[Any]) -> bool:
    return not task.cancelled() and task.exception() is not None


async def supervise(
    workers: Sequence[Worker],
    stop: asyncio.Event | None,
    *,
    close: Callable[[], Awaitable[None]],
    grace_s: float = 5.0,
) -> None:
    """Run each `worker(halt)` until `stop` is set, a worker crashes, or this task is cancelled.

    A worker that simply returns (a finished fault schedule) does not end the run. At the end
    `halt` is set and workers get `grace_s` to return; then `close()` runs (it must make a worker
    blocked on a dead broker give up) and whatever still runs is cancelled. A crash is re-raised.
    """
    halt = asyncio.Event()
    tasks = [asyncio.create_task(worker(halt)) for worker in workers]
    stopped = asyncio.create_task((stop or asyncio.Event()).wait())
    pending: set[asyncio.Future[Any]] = {stopped, *tasks}
    try:
        while stopped in pending:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            if any(_crashed(task) for task in done):
                break
    finally:
        halt.set()
        stopped.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=grace_s)
        await close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in tasks:
        if _crashed(task):
            raise task.exception()  # type: ignore[misc]


async def sleep_unless(seconds: float, event: asyncio.Event, *more: asyncio.Event) -> None:
    """Sleep `seconds`, or less when one of the events is set meanwhile."""
    waiters = [asyncio.create_task(e.wait()) for e in (event, *more)]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


async def until_signalled(
    run: Callable[[asyncio.Event], Awaitable[None]], duration_s: float | None = None
) -> None:
    """`run(stop)` with `stop` set by Ctrl-C, SIGTERM or after `duration_s` (the CLIs' main)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    if duration_s is not None:
        loop.call_later(duration_s, stop.set)
    await run(stop)
