"""The site file: validation names the field at fault, loading is idempotent, owner data is
encrypted at rest."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from hub.context import HubContext
from hub.domain import DepartmentKind, HomeType
from hub.errors import ConfigError
from hub.services.site import LoadResult, load_site
from hub.site_file import SAMPLE_SITE, parse_site_file
from hub.storage.models import (
    AssetChange,
    AssetDocument,
    Department,
    Device,
    Home,
    Owner,
    ParkingContract,
    Tariff,
    User,
)
from tests.support.site_files import sample_data, site_file_of


def test_sample_site_loads_every_section(context: HubContext, site: LoadResult) -> None:
    assert site.counts["homes"] == 5
    assert (site.counts["parking_spaces"], site.counts["parking_contracts"]) == (2, 2)
    assert {"admin", "operator", "owner101"} <= set(site.new_accounts)
    with context.db.session() as session:
        assert session.scalar(sa.select(sa.func.count(Device.id))) == 12
        assert session.scalar(sa.select(sa.func.count(Tariff.id))) == 5
        shop = session.scalars(sa.select(Home).where(Home.code == "S01")).one()
        high = session.scalars(sa.select(Home).where(Home.code == "1201")).one()
        assert (shop.home_type, shop.floor, high.home_type, high.floor) == (
            HomeType.SHOP,
            1,
            HomeType.RESIDENTIAL,
            12,
        )


def test_loading_twice_changes_nothing(context: HubContext, site: LoadResult) -> None:
    with context.db.session() as session:
        changes = session.scalar(sa.select(sa.func.count(AssetChange.id)))
        again = load_site(session, parse_site_file(SAMPLE_SITE), now=context.clock.now())
        assert again.new_accounts == {}
        assert session.scalar(sa.select(sa.func.count(Home.id))) == 5
        assert session.scalar(sa.select(sa.func.count(ParkingContract.id))) == 2
        assert session.scalar(sa.select(sa.func.count(User.id))) == len(site.new_accounts)
        assert session.scalar(sa.select(sa.func.count(AssetChange.id))) == changes
        assert session.scalar(sa.select(sa.func.count(AssetDocument.id))) == 3


def test_owner_phone_is_encrypted_at_rest(context: HubContext, site: LoadResult) -> None:
    with context.db.session() as session:
        raw = session.execute(sa.text("SELECT phone FROM owners")).scalars().all()
        decrypted = session.scalars(sa.select(Owner.phone)).all()
    assert "13812345678" in decrypted
    assert all(value and "1381234" not in value for value in raw)


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = SAMPLE_SITE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "site.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "home: B1/101, utility: electricity",
            "home: B1/109, utility: electricity",
            "meters.em-b1-101.home: no home 'B1/109'",
        ),
        ('area_m2: "89.50"', 'area_m2: "-1"', "area_m2"),
        ("devices: [pump-1]", "devices: [pump-9]", "assets.WP-1.devices: no device 'pump-9'"),
        ("class: elevator", "class: escalator", "class"),
        ("kind: leak_sensor", "kind: toaster", "kind"),
        (
            '- {up_to: "400", unit_price: "0.5783"}',
            '- {up_to: "100", unit_price: "0.5783"}',
            "must be positive and strictly increase",
        ),
        ("{kind: security, head: guard}", "{kind: security, head: nobody}", "'nobody' is not in"),
        ("{kind: greening, head: admin}", "{kind: cleaning, head: admin}", "listed twice"),
    ],
)
def test_a_bad_site_file_is_refused_naming_the_field(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    path = _broken(tmp_path, old, new)
    with pytest.raises(ConfigError) as info:
        parse_site_file(path)
    assert str(path) in str(info.value)
    assert expected in str(info.value)


def test_departments_come_with_their_heads_and_loading_again_keeps_an_admins(
    context: HubContext, site: LoadResult
) -> None:
    with context.db.session() as session:
        found = {d.kind.value: d.head.username for d in session.scalars(sa.select(Department))}
        assert found == {
            "engineering": "tech",
            "security": "guard",
            "customer_service": "service",
            "cleaning": "admin",
            "greening": "admin",
            "admin": "admin",
        }
        cleaning = session.scalars(
            sa.select(Department).where(Department.kind == DepartmentKind.CLEANING)
        ).one()
        session.delete(cleaning)  # as if the file never listed it and an admin made one
        session.flush()
        guard = session.scalars(sa.select(User).where(User.username == "guard")).one()
        session.add(
            Department(site_id=site.site_id, kind=DepartmentKind.CLEANING, name="保洁", head=guard)
        )
        data = sample_data()
        data["departments"] = [d for d in data["departments"] if d["kind"] != "cleaning"]
        load_site(session, site_file_of(data), now=context.clock.now())
        mine = session.scalars(
            sa.select(Department).where(Department.kind == DepartmentKind.CLEANING)
        ).one()
        assert (mine.name, mine.head.username) == ("保洁", "guard")
