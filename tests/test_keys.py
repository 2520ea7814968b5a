"""The data key as an operator meets it: kept in var/data_key.txt, checked at start, rotated
while the hub runs, and one damaged row shown as unreadable instead of failing a list."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from hub import crypto
from hub.cli import app
from hub.clock import FakeClock
from hub.context import HubContext, open_context
from hub.errors import ConfigError
from hub.services.site import LoadResult
from hub.settings import Settings, get_settings
from hub.storage.models import Owner
from tests.api.conftest import home_id
from tests.conftest import ApiClient

runner = CliRunner()
PHONES = {"13812345678", "13998765432", "13700001111"}


@pytest.fixture
def hub_env(hub_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No keys in the environment: they live in var/, as on a default install."""
    monkeypatch.delenv("HUB_DATA_KEY")
    monkeypatch.delenv("HUB_SECRET_KEY")
    get_settings.cache_clear()
    return hub_env


@pytest.fixture
def context(settings: Settings, clock: FakeClock) -> Iterator[HubContext]:
    """The hub as `hub run` opens it: the start-up check makes or checks the data key."""
    get_settings.cache_clear()
    ctx = open_context(get_settings())
    ctx.clock = clock
    yield ctx
    ctx.db.dispose()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def raw_phones(context: HubContext) -> list[str]:
    with context.db.session() as session:
        query = sa.text("SELECT phone FROM owners WHERE phone IS NOT NULL ORDER BY id")
        return list(session.scalars(query))


def phones(context: HubContext) -> set[str | None]:
    with context.db.session() as session:
        return set(session.scalars(sa.select(Owner.phone)))


def test_a_fresh_hub_makes_its_keys_readable_by_its_owner_only(
    hub_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HUB_DATABASE_URL", raising=False)  # the default: a SQLite file in var/
    get_settings.cache_clear()
    settings = get_settings()
    assert not hub_env.exists()
    with pytest.raises(ConfigError, match="no data key"):
        crypto.encrypt("13812345678")  # only the start-up check makes the key
    open_context(settings).db.dispose()
    assert (hub_env / "estate-hub.db").exists()
    get_settings().secret("secret_key")
    key = crypto.encrypt("13812345678")
    assert mode(hub_env) == 0o700
    assert mode(hub_env / "secret_key.txt") == 0o600
    assert mode(hub_env / "data_key.txt") == 0o600
    assert crypto.decrypt(key) == "13812345678"


def test_a_missing_key_file_stops_the_hub_instead_of_making_a_new_key(
    context: HubContext, site: LoadResult, hub_env: Path
) -> None:
    key_file = hub_env / "data_key.txt"
    assert mode(key_file) == 0o600  # made when the hub first started, on the empty database
    key_file.unlink()
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 1
    assert "encrypted owner data but there is no data key" in result.output
    assert "data_key.txt is missing" in result.output
    with pytest.raises(ConfigError, match="no data key"), TestClient(create_app(context)):
        pass
    with context.db.session() as session:  # a running process never makes one either
        assert set(session.scalars(sa.select(Owner.phone))) == {"[unreadable]"}
    assert not key_file.exists()


def test_a_key_that_does_not_fit_the_data_stops_the_hub(
    context: HubContext, site: LoadResult, hub_env: Path
) -> None:
    (hub_env / "data_key.txt").write_text(Fernet.generate_key().decode())
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 1
    assert "does not open the encrypted owner data" in result.output
    with pytest.raises(ConfigError, match="does not open"), TestClient(create_app(context)):
        pass


def test_one_damaged_contact_shows_as_unreadable_and_the_list_still_loads(
    api: ApiClient, context: HubContext, caplog: pytest.LogCaptureFixture
) -> None:
    form = {"home_id": str(home_id(api, "owner101")), "category": "plumbing", "title": "tap"}
    for _ in range(2):
        created = api.post(
            "/api/v1/work-orders", as_user="owner101", data={**form, "contact": "13812345678"}
        )
        assert isinstance(created, httpx2.Response) and created.status_code == 201
    damaged = created.json()["id"]
    with context.db.session() as session:
        session.execute(
            sa.text("UPDATE work_orders SET contact = 'gAAAAAB-damaged' WHERE id = :id"),
            {"id": damaged},
        )
    caplog.set_level(logging.ERROR, logger="hub.storage.types")
    listed = api.get("/api/v1/work-orders", as_user="operator")
    assert isinstance(listed, httpx2.Response) and listed.status_code == 200
    contacts = {order["id"]: order["contact"] for order in listed.json()}
    assert contacts[damaged] == "[unreadable]"
    assert sorted(contacts.values()) == ["138****5678", "[unreadable]"]
    assert any("cannot be decrypted" in record.getMessage() for record in caplog.records)
    assert runner.invoke(app, ["status"]).exit_code == 0  # one bad row is not a wrong key


def test_a_changed_key_file_is_used_without_a_restart(context: HubContext, hub_env: Path) -> None:
    before = crypto.encrypt("13812345678")
    old = (hub_env / "data_key.txt").read_text().strip()
    new = Fernet.generate_key().decode()
    staged = hub_env / "staged.txt"
    staged.write_text(f"{new}\n{old}\n")
    os.replace(staged, hub_env / "data_key.txt")  # what another process's rotation does
    after = crypto.encrypt("13812345678")
    assert Fernet(new.encode()).decrypt(after.encode()) == b"13812345678"
    assert crypto.decrypt(before) == "13812345678"


def test_rotation_moves_every_row_to_a_new_key_then_drops_the_old_one(
    context: HubContext, site: LoadResult, hub_env: Path
) -> None:
    key_file = hub_env / "data_key.txt"
    old = key_file.read_text().strip()
    rotated = runner.invoke(app, ["keys", "rotate", "--batch-size", "2"])
    assert rotated.exit_code == 0, rotated.output
    assert "re-encrypted 5 values" in rotated.output
    new, kept = key_file.read_text().split()
    assert kept == old and new != old and mode(key_file) == 0o600
    assert all(crypto.readable(token, new) for token in raw_phones(context))
    assert phones(context) >= PHONES

    # A process that had not yet re-read the file writes one phone under the old key.
    straggler = Fernet(old.encode()).encrypt(b"13600000000").decode()
    with context.db.session() as session:
        session.execute(sa.text("UPDATE owners SET phone = :t WHERE id = 1"), {"t": straggler})
    assert "13600000000" in phones(context)  # both keys read during the rotation
    refused = runner.invoke(app, ["keys", "rotate", "--finish"])
    assert refused.exit_code == 1
    assert "1 encrypted values still need an old key" in refused.output
    assert key_file.read_text().split() == [new, old]

    again = runner.invoke(app, ["keys", "rotate"])
    assert again.exit_code == 0 and "re-encrypted 1 values" in again.output
    assert key_file.read_text().split() == [new, old]  # resumed, no third key
    finished = runner.invoke(app, ["keys", "rotate", "--finish"])
    assert finished.exit_code == 0, finished.output
    assert key_file.read_text().split() == [new]
    assert "13600000000" in phones(context)
    assert not any(crypto.readable(token, old) for token in raw_phones(context))
    assert runner.invoke(app, ["keys", "check"]).exit_code == 0


def test_rotation_with_keys_in_the_environment(
    context: HubContext, site: LoadResult, hub_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = (hub_env / "data_key.txt").read_text().strip()
    monkeypatch.setenv("HUB_DATA_KEY", old)
    get_settings.cache_clear()
    alone = runner.invoke(app, ["keys", "rotate"])
    assert alone.exit_code == 1
    assert "set it to a new key then the old one, comma-separated" in alone.output

    new = Fernet.generate_key().decode()
    monkeypatch.setenv("HUB_DATA_KEY", f"{new},{old}")
    get_settings.cache_clear()
    assert phones(context) >= PHONES
    assert runner.invoke(app, ["keys", "rotate"]).exit_code == 0
    finished = runner.invoke(app, ["keys", "rotate", "--finish"])
    assert finished.exit_code == 0
    assert "remove the old keys from HUB_DATA_KEY" in finished.output
    assert all(crypto.readable(token, new) for token in raw_phones(context))
