"""What a running hub holds: settings, the database and the clock, passed explicitly."""

from __future__ import annotations

from dataclasses import dataclass, field

from hub.clock import Clock, SystemClock
from hub.settings import Settings
from hub.storage.db import Database


@dataclass
class HubContext:
    settings: Settings
    db: Database
    clock: Clock = field(default_factory=SystemClock)

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock | None = None) -> HubContext:
        return cls(settings, Database(settings.resolved_database_url()), clock or SystemClock())
