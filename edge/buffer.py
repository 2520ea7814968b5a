"""The gateway's store-and-forward buffer: a SQLite file of messages not yet acknowledged.

Every poll lands here first and leaves only after the broker acknowledged it (QoS 1), so a broker
outage or a restart of the edge process loses nothing: the rows wait, oldest first, with the
payload (and its original timestamp) as it will be published (telemetry that waited gets the
`"replayed": true` mark as it leaves: `Buffered.to_send`). The file is bounded: when
it is full the oldest messages make room for new ones, and each drop is counted and logged.
One gateway owns a file at a time (SQLite's exclusive locking mode).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType

from adapters.mqtt.topics import Channel
from hub.errors import ConfigError

LOG = logging.getLogger(__name__)
WARN_EVERY_S = 60.0  # while full, repeat the warning (with the running count) at most this often
REPLAY_AFTER = timedelta(minutes=1)  # sent this long after a newer poll: the message waited

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    device TEXT NOT NULL,
    channel TEXT NOT NULL,
    ts_ms INTEGER NOT NULL,
    payload TEXT NOT NULL,
    size INTEGER NOT NULL
)
"""


@dataclass(frozen=True)
class Buffered:
    """One message waiting for the broker; `ts_ms` is when it was polled."""

    id: int
    device: str
    channel: Channel
    ts_ms: int
    payload: str
    from_before_restart: bool = False

    def to_send(self, latest_poll: datetime | None) -> str:
        """The payload, marked `"replayed": true` if it waited for the broker (kept over a
        restart, or polled well before the gateway's latest poll): the hub trusts a replay's old
        `ts` longer than a live message's (docs/topics.md). Only telemetry carries the mark."""
        polled = datetime.fromtimestamp(self.ts_ms / 1000, UTC)
        waited = self.from_before_restart or (
            latest_poll is not None and latest_poll - polled > REPLAY_AFTER
        )
        if self.channel is not Channel.TELEMETRY or not waited:
            return self.payload
        return f'{self.payload[:-1]},"replayed":true}}'  # {"ts": ..., "values": {...}} + mark


class StoreBuffer:
    """`append` what to publish, `oldest()` to forward next, `remove` once the broker has it."""

    def __init__(self, path: Path, *, max_rows: int, max_bytes: int) -> None:
        self.path, self.max_rows, self.max_bytes = path, max_rows, max_bytes
        self.dropped = 0  # since this process opened the file
        self._in_flight: int | None = None  # being sent: never dropped under the sender's feet
        self._full_since: float | None = None
        self._warned_at = 0.0
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            self._db.execute("PRAGMA locking_mode=EXCLUSIVE")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")  # survives a crash of the process
            self._db.execute(_SCHEMA)
            self._db.execute("BEGIN EXCLUSIVE")  # takes the lock, held until close
            self._db.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            self._db.close()
            raise ConfigError(
                f"edge buffer {path}: {exc} (is another gateway using this file? "
                "give each gateway its own buffer.path)"
            ) from None
        self.rows, self.bytes = 0, 0
        self._count()
        self._restored = self._db.execute("SELECT coalesce(max(id), 0) FROM outbox").fetchone()[0]
        if self.rows:
            LOG.warning(
                "edge buffer %s holds %d message(s) from before the restart; they go first",
                path,
                self.rows,
            )

    def append(self, device: str, channel: Channel, ts_ms: int, payload: str) -> None:
        """Keep a message; when full, drop the oldest (not the one being sent) to make room."""
        size = len(payload.encode())
        if size > self.max_bytes:
            raise ValueError(f"a {size}-byte message cannot fit a {self.max_bytes}-byte buffer")
        try:
            with self._db:
                self._db.execute("BEGIN")
                self._make_room(size)
                self._db.execute(
                    "INSERT INTO outbox (device, channel, ts_ms, payload, size) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (device, channel.value, ts_ms, payload, size),
                )
        except sqlite3.Error:
            self._count()  # rolled back: the counts come from the file again
            raise
        self.rows += 1
        self.bytes += size

    def _count(self) -> None:
        self.rows, self.bytes = self._db.execute(
            "SELECT count(*), coalesce(sum(size), 0) FROM outbox"
        ).fetchone()

    def _make_room(self, size: int) -> None:
        first: tuple[str, int] | None = None
        dropped = 0
        while self.rows + 1 > self.max_rows or self.bytes + size > self.max_bytes:
            oldest = self._db.execute(
                "SELECT id, device, ts_ms, size FROM outbox WHERE id IS NOT ? ORDER BY id LIMIT 1",
                (self._in_flight,),
            ).fetchone()
            if oldest is None:  # only the message in flight is left: it is on its way
                break
            row_id, device, ts_ms, row_size = oldest
            self._db.execute("DELETE FROM outbox WHERE id = ?", (row_id,))
            self.rows -= 1
            self.bytes -= row_size
            dropped += 1
            first = first or (device, ts_ms)
        if dropped:
            self.dropped += dropped
            self._warn_full(dropped, first)
        elif self._full_since is not None and self._below(0.9):
            self._full_since = None
            LOG.warning(
                "edge buffer %s has room again (%d messages); %d dropped since start",
                self.path,
                self.rows,
                self.dropped,
            )

    def _below(self, share: float) -> bool:
        return self.rows < share * self.max_rows and self.bytes < share * self.max_bytes

    def _warn_full(self, dropped: int, first: tuple[str, int] | None) -> None:
        now = time.monotonic()
        if self._full_since is not None and now - self._warned_at < WARN_EVERY_S:
            return
        self._full_since = self._full_since or now
        self._warned_at = now
        device, ts_ms = first or ("?", 0)
        polled = datetime.fromtimestamp(ts_ms / 1000, UTC).isoformat(timespec="seconds")
        LOG.warning(
            "edge buffer %s is full (%d messages, %d bytes; limits %d messages, %d bytes): "
            "dropped the oldest %d message(s), from %s polled at %s; %d dropped since start. "
            "The broker has been unreachable too long: raise buffer.max_rows / max_bytes or "
            "bring the broker back",
            self.path,
            self.rows,
            self.bytes,
            self.max_rows,
            self.max_bytes,
            dropped,
            device,
            polled,
            self.dropped,
        )

    def oldest(self) -> Buffered | None:
        """The next message to send; it is not dropped until `remove`d or another is taken."""
        row = self._db.execute(
            "SELECT id, device, channel, ts_ms, payload FROM outbox ORDER BY id LIMIT 1"
        ).fetchone()
        if row is None:
            self._in_flight = None
            return None
        self._in_flight = row[0]
        return Buffered(row[0], row[1], Channel(row[2]), row[3], row[4], row[0] <= self._restored)

    def remove(self, message: Buffered) -> None:
        """The broker acknowledged `message`: forget it."""
        with self._db:
            gone = self._db.execute(
                "DELETE FROM outbox WHERE id = ? RETURNING size", (message.id,)
            ).fetchone()
        if gone is not None:
            self.rows -= 1
            self.bytes -= gone[0]
        if self._in_flight == message.id:
            self._in_flight = None

    def __len__(self) -> int:
        return int(self.rows)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> StoreBuffer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
