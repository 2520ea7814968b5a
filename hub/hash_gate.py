"""A bound on argon2 work at once: each hash takes tens of MiB, so parallel guesses must wait
in a short queue, and beyond it are turned away (503) instead of exhausting memory."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from hub.errors import ServiceUnavailable

RETRY_AFTER_S = 2


class HashGate:
    """At most `concurrency` holders at once and `queue` more waiting; the rest are refused."""

    def __init__(self, *, concurrency: int, queue: int) -> None:
        self._slots = threading.BoundedSemaphore(max(1, concurrency))
        self._admitted = threading.BoundedSemaphore(max(1, concurrency) + max(0, queue))

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one hashing slot, waiting in the queue if need be; ServiceUnavailable if full."""
        if not self._admitted.acquire(blocking=False):
            raise ServiceUnavailable(
                "the hub is busy checking passwords, try again shortly", retry_after=RETRY_AFTER_S
            )
        try:
            with self._slots:
                yield
        finally:
            self._admitted.release()
