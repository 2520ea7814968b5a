"""The sandbox provider: each message becomes one JSON line in a sink file and goes nowhere else.

Tests and the demo read the codes owners would have received with `read_sink`.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from adapters.sms.base import SmsError
from hub.clock import Clock


@dataclass(frozen=True)
class SentSms:
    id: str
    time: datetime
    phone: str
    text: str


class SandboxSms:
    """Appends `{"time", "phone", "text", "id"}` to `sink`, one line per message."""

    def __init__(self, sink: Path, clock: Clock) -> None:
        self.sink = sink
        self.clock = clock
        self._lock = threading.Lock()  # one line at a time from the dispatcher's threads

    def send(self, phone: str, text: str) -> str:
        message_id = f"sandbox-{uuid.uuid4().hex}"
        record = {"time": self.clock.now().isoformat(), "phone": phone, "text": text}
        line = json.dumps({**record, "id": message_id}, ensure_ascii=False)
        try:
            self.sink.parent.mkdir(parents=True, exist_ok=True)
            with self._lock, self.sink.open("a", encoding="utf-8") as sink:
                sink.write(line + "\n")
        except OSError as exc:
            raise SmsError(f"sandbox SMS sink {self.sink}: {exc.strerror or exc}") from exc
        return message_id


def read_sink(sink: Path) -> list[SentSms]:
    """Every message the sandbox has sent to `sink`, oldest first; none before the first."""
    if not sink.exists():
        return []
    rows = (json.loads(line) for line in sink.read_text(encoding="utf-8").splitlines() if line)
    return [
        SentSms(
            id=r["id"], time=datetime.fromisoformat(r["time"]), phone=r["phone"], text=r["text"]
        )
        for r in rows
    ]
