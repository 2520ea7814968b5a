"""A bound on memory-hungry work at once (argon2 hashes, image decodes): callers wait in a short
queue, and beyond it are turned away with 503 and Retry-After instead of exhausting memory and
starving ingest in the same process."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from hub.errors import ServiceUnavailable

RETRY_AFTER_S = 2


class WorkGate:
    """At most `concurrency` holders at once and `queue` more waiting; the rest are refused
    with `busy` as the message."""

    def __init__(self, *, concurrency: int, queue: int, busy: str) -> None:
        self._slots = threading.BoundedSemaphore(max(1, concurrency))
        self._admitted = threading.BoundedSemaphore(max(1, concurrency) + max(0, queue))
        self._busy = busy

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one slot, waiting in the queue if need be; ServiceUnavailable if it is full."""
        if not self._admitted.acquire(blocking=False):
            raise ServiceUnavailable(self._busy, retry_after=RETRY_AFTER_S)
        try:
            with self._slots:
                yield
        finally:
            self._admitted.release()
