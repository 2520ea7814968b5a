"""A bound on image decoding at once: a 40-megapixel photo takes over 100 MiB while it is
decoded, so uploads wait in a short queue and beyond it are turned away (503), leaving memory
and CPU to ingest and the API."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from hub.errors import ServiceUnavailable

RETRY_AFTER_S = 2


class DecodeGate:
    """At most `concurrency` decodes at once and `queue` more waiting; the rest are refused."""

    def __init__(self, *, concurrency: int, queue: int) -> None:
        self._slots = threading.BoundedSemaphore(max(1, concurrency))
        self._admitted = threading.BoundedSemaphore(max(1, concurrency) + max(0, queue))

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one decoding slot, waiting in the queue if need be; ServiceUnavailable if full."""
        if not self._admitted.acquire(blocking=False):
            raise ServiceUnavailable(
                "the hub is busy reading other photos, try again shortly; 系统繁忙, 请稍后重试",
                retry_after=RETRY_AFTER_S,
            )
        try:
            with self._slots:
                yield
        finally:
            self._admitted.release()
