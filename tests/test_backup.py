"""Backups as an operator runs them: `hub backup create`, then on an empty database and var/
`hub backup restore` brings back the same bills, repair orders, photos and owner phones."""

from __future__ import annotations

import shutil
import stat
import tarfile
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx2
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from hub.cli import app
from hub.clock import FakeClock
from hub.context import HubContext
from hub.services.billing import run_billing
from hub.services.site import LoadResult
from hub.settings import get_settings
from hub.storage.models import Device, Owner, Reading
from tests.api.conftest import JPEG, PNG, home_id
from tests.conftest import ApiClient

runner = CliRunner()
WO = "/api/v1/work-orders"
PHONES = {"13812345678", "13998765432", "13700001111"}


def add_october(context: HubContext) -> None:
    """Two energy readings of B1/101's meter, and October's bills run on them."""
    with context.db.session() as session:
        device_id = session.scalars(sa.select(Device.id).where(Device.code == "em-b1-101")).one()
        for day, value in (
            (datetime(2026, 9, 30, 12, tzinfo=UTC), "1000"),
            (datetime(2026, 10, 31, 12, tzinfo=UTC), "1250"),
        ):
            session.add(
                Reading(
                    device_id=device_id,
                    metric="energy_kwh",
                    ts=day,
                    value=Decimal(value),
                    received_at=context.clock.now(),
                )
            )
        session.flush()
        run_billing(session, period="2026-10", now=context.clock.now())


def submit(api: ApiClient, photo: bytes, name: str) -> None:
    form = {
        "home_id": str(home_id(api, "owner101")),
        "category": "plumbing",
        "title": "厨房水龙头漏水 Kitchen tap leaks",
        "contact": "13812345678",
    }
    created = api.post(WO, as_user="owner101", data=form, files={"photo": (name, photo, "x")})
    assert isinstance(created, httpx2.Response) and created.status_code == 201, created.text


def seen(api: ApiClient, context: HubContext) -> dict[str, Any]:
    """What finance, the service desk and an owner see, and the owners' phones."""
    bills = api.get("/api/v1/bills", as_user="finance")
    orders = api.get(WO, as_user="service")
    assert isinstance(bills, httpx2.Response) and isinstance(orders, httpx2.Response)
    photos = []
    for order in orders.json():
        photo = api.get(f"{WO}/{order['id']}/photo", as_user="owner101")
        assert isinstance(photo, httpx2.Response) and photo.status_code == 200
        photos.append(photo.content)
    with context.db.session() as session:
        phones = set(session.scalars(sa.select(Owner.phone)))
    return {"bills": bills.json(), "orders": orders.json(), "photos": photos, "phones": phones}


def wipe(context: HubContext, hub_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The server is gone: a new empty database (or schema of the same name), a new var/."""
    engine = context.db.engine
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            schema = connection.scalar(sa.text("SELECT current_schema()"))
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    else:
        path = Path(str(engine.url.database))
        context.db.dispose()
        for leftover in path.parent.glob(f"{path.name}*"):
            leftover.unlink()
    context.db.dispose()
    shutil.rmtree(hub_env)
    monkeypatch.delenv("HUB_DATA_KEY")  # the keys come back from the archive
    monkeypatch.delenv("HUB_SECRET_KEY")
    get_settings.cache_clear()


@pytest.fixture
def estate(api: ApiClient, context: HubContext) -> dict[str, Any]:
    add_october(context)
    submit(api, JPEG, "tap.jpg")
    submit(api, PNG, "pipe.png")
    before = seen(api, context)
    assert len(before["bills"]) == 3 and len(before["orders"]) == 2
    assert before["phones"] >= PHONES and len(before["photos"]) == 2  # kept re-encoded as JPEG
    return before


@pytest.mark.parametrize(
    "database", ["default", pytest.param("postgresql", marks=pytest.mark.postgresql)]
)
def test_backup_then_restore_on_a_new_server_brings_everything_back(
    database: str,
    estate: dict[str, Any],
    api: ApiClient,
    context: HubContext,
    hub_env: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clock: FakeClock,
) -> None:
    archive = tmp_path / "weekly.tar.gz"
    made = runner.invoke(app, ["backup", "create", "--out", str(archive)])
    assert made.exit_code == 0, made.output
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # it holds the keys
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    assert {"keys/data_key.txt", "keys/secret_key.txt", "manifest.json"} <= names
    assert len([n for n in names if n.startswith("uploads/")]) == 2
    assert runner.invoke(app, ["backup", "verify", str(archive)]).exit_code == 0

    wipe(context, hub_env, monkeypatch)
    restored = runner.invoke(app, ["backup", "restore", str(archive)])
    assert restored.exit_code == 0, restored.output
    assert "2 photos" in restored.output
    assert stat.S_IMODE((hub_env / "data_key.txt").stat().st_mode) == 0o600
    photos = list((hub_env / "uploads").iterdir())
    assert len(photos) == 2 and stat.S_IMODE((hub_env / "uploads").stat().st_mode) == 0o700
    assert {stat.S_IMODE(photo.stat().st_mode) for photo in photos} == {0o600}  # as uploaded

    again = HubContext.from_settings(get_settings(), clock)
    try:
        with TestClient(create_app(again)) as client:
            after = seen(ApiClient(client, api.accounts, api.clock), again)
    finally:
        again.db.dispose()
    assert after == estate
    assert runner.invoke(app, ["status"]).exit_code == 0  # the restored key opens the data


def test_a_sealed_backup_needs_its_passphrase(
    estate: dict[str, Any],
    context: HubContext,
    hub_env: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    passphrase = tmp_path / "passphrase"
    passphrase.write_text("correct horse battery staple\n")
    wrong = tmp_path / "wrong"
    wrong.write_text("incorrect horse\n")
    archive = tmp_path / "weekly.sealed"
    made = runner.invoke(
        app, ["backup", "create", "--out", str(archive), "--passphrase-file", str(passphrase)]
    )
    assert made.exit_code == 0, made.output
    assert not tarfile.is_tarfile(archive)
    unsealed = runner.invoke(app, ["backup", "verify", str(archive)])
    assert unsealed.exit_code == 1 and "is sealed: give --passphrase-file" in unsealed.output
    guessed = runner.invoke(
        app, ["backup", "verify", str(archive), "--passphrase-file", str(wrong)]
    )
    assert guessed.exit_code == 1 and "wrong passphrase" in guessed.output

    wipe(context, hub_env, monkeypatch)
    restored = runner.invoke(
        app, ["backup", "restore", str(archive), "--passphrase-file", str(passphrase)]
    )
    assert restored.exit_code == 0, restored.output
    again = HubContext.from_settings(get_settings())
    try:
        with again.db.session() as session:
            assert set(session.scalars(sa.select(Owner.phone))) >= PHONES
    finally:
        again.db.dispose()


def test_restore_refuses_a_database_that_is_not_empty(
    context: HubContext, site: LoadResult, tmp_path: Path
) -> None:
    archive = tmp_path / "weekly.tar.gz"
    assert runner.invoke(app, ["backup", "create", "--out", str(archive)]).exit_code == 0
    refused = runner.invoke(app, ["backup", "restore", str(archive)])
    assert refused.exit_code == 1
    assert "is not empty" in refused.output and "restore needs an empty database" in refused.output


def test_keys_can_be_left_out_and_the_default_place_is_var_backups(
    context: HubContext, site: LoadResult, hub_env: Path
) -> None:
    made = runner.invoke(app, ["backup", "create", "--no-keys"])
    assert made.exit_code == 0, made.output
    (archive,) = (hub_env / "backups").iterdir()
    assert stat.S_IMODE((hub_env / "backups").stat().st_mode) == 0o700
    with tarfile.open(archive) as tar:
        assert not [n for n in tar.getnames() if n.startswith("keys/")]
