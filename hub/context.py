"""What a running hub holds: settings, the database and the clock, passed explicitly."""

from __future__ import annotations

from dataclasses import dataclass, field

from hub import secret_files
from hub.clock import Clock, SystemClock
from hub.data_keys import check_data_key
from hub.settings import Settings
from hub.storage.db import Database


@dataclass
class HubContext:
    settings: Settings
    db: Database
    clock: Clock = field(default_factory=SystemClock)

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock | None = None) -> HubContext:
        """The context for `settings`; var/ (keys, SQLite file, photos) is made 0700 first."""
        secret_files.ensure_dir(settings.var_dir)
        return cls(settings, Database(settings.resolved_database_url()), clock or SystemClock())

    def check_keys(self) -> None:
        """Refuse to run with a data key that cannot read the stored owner data."""
        check_data_key(self.db.engine, self.settings)


def open_context(settings: Settings) -> HubContext:
    """The context of a command or server: the database, once the data key is known to fit."""
    context = HubContext.from_settings(settings)
    try:
        context.check_keys()
    except BaseException:
        context.db.dispose()
        raise
    return context
