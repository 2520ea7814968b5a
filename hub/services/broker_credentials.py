"""Broker accounts for the estate: Mosquitto's password and ACL files, a credentials file each.

The hub trusts a reading by its topic, so the broker must make sure only that device (or its
site's edge gateway) can publish there. Every device gets its own account, allowed to publish
only on its own upstream topics and to read its own commands; an edge gateway may speak for
every device of its site; the hub reads everything and publishes only commands.

Passwords are random and kept in one 0600 credentials file per account, for installers. Running
again keeps them (so a new device does not re-key the fleet) unless the account is rotated.
Hashes are made here, in mosquitto_passwd's `$7$` format, not by running it: the hub's machine
need not have the broker's tools, and a thousand devices cost no thousand processes (a test
checks the two agree). Usernames cannot collide: site codes have no dot, so `<site>.<device>`
(a device), `edge-<site>` (an edge gateway) and `hub` are always distinct.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from adapters.mqtt.topics import UPSTREAM, Channel
from hub import secret_files
from hub.domain import DeviceKind
from hub.errors import ConfigError, InvalidInput
from hub.site_file import SiteFile
from hub.storage.models import Device, Site

HUB_USERNAME = "hub"
PASSWORD_FILE, ACL_FILE, ACCOUNTS_DIR = "passwd", "acl", "accounts"
_PBKDF2_ITERATIONS = 101  # what mosquitto_passwd 2.0 writes for its `$7$` (PBKDF2-SHA512)
_PREFIX = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class SiteDevices:
    """A site as the broker needs it: its code and its devices' codes and kinds."""

    site: str
    devices: tuple[tuple[str, DeviceKind], ...]


@dataclass(frozen=True)
class Account:
    """One broker login and the topics it may publish to (`write`) and receive (`read`)."""

    username: str
    role: Literal["hub", "edge", "gateway", "device"]
    write: tuple[str, ...]
    read: tuple[str, ...]
    site: str | None = None
    device: str | None = None


def from_site_file(spec: SiteFile) -> SiteDevices:
    return SiteDevices(spec.site.code, tuple((d.code, d.kind) for d in spec.devices))


def from_database(session: Session) -> list[SiteDevices]:
    """Every site loaded into the database, with its devices."""
    sites = session.scalars(select(Site).order_by(Site.code)).all()
    rows = session.execute(select(Device.site_id, Device.code, Device.kind).order_by(Device.code))
    devices: dict[int, list[tuple[str, DeviceKind]]] = {}
    for site_id, code, kind in rows:
        devices.setdefault(site_id, []).append((code, kind))
    return [SiteDevices(site.code, tuple(devices.get(site.id, []))) for site in sites]


def _upstream(prefix: str, site: str, device: str) -> tuple[str, ...]:
    return tuple(f"{prefix}/{site}/{device}/{channel.value}" for channel in UPSTREAM)


def _command(prefix: str, site: str, device: str) -> tuple[str, ...]:
    return (f"{prefix}/{site}/{device}/{Channel.COMMAND.value}",)


def accounts_for(prefix: str, sites: Iterable[SiteDevices]) -> list[Account]:
    """The hub's account, then per site its edge gateway's and one per device."""
    if not _PREFIX.match(prefix):
        raise ConfigError(f"topic prefix {prefix!r}: only letters, digits, _ and - are allowed")
    found = [Account(HUB_USERNAME, "hub", write=_command(prefix, "+", "+"), read=(f"{prefix}/#",))]
    for site in sites:
        found.append(
            Account(
                f"edge-{site.site}",
                "edge",
                write=_upstream(prefix, site.site, "+"),
                read=_command(prefix, site.site, "+"),
                site=site.site,
            )
        )
        for code, kind in site.devices:
            speaks_for = "+" if kind is DeviceKind.GATEWAY else code
            found.append(
                Account(
                    f"{site.site}.{code}",
                    "gateway" if kind is DeviceKind.GATEWAY else "device",
                    write=_upstream(prefix, site.site, speaks_for),
                    read=_command(prefix, site.site, speaks_for),
                    site=site.site,
                    device=code,
                )
            )
    return found


def password_hash(password: str, *, salt: bytes | None = None) -> str:
    """Mosquitto's `$7$` entry: PBKDF2-SHA512, 101 iterations, a 12-byte salt, base64."""
    salt = salt if salt is not None else secrets.token_bytes(12)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, _PBKDF2_ITERATIONS)
    encoded = [base64.b64encode(part).decode() for part in (salt, digest)]
    return f"$7${_PBKDF2_ITERATIONS}${encoded[0]}${encoded[1]}"


def acl_text(accounts: Sequence[Account]) -> str:
    """Mosquitto's ACL file: per user, `topic write` and `topic read` lines; nothing else."""
    lines = ["# Written by `hub devices credentials`; edit the site, not this file.", ""]
    for account in accounts:
        lines.append(f"user {account.username}")
        lines += [f"topic write {topic}" for topic in account.write]
        lines += [f"topic read {topic}" for topic in account.read]
        lines.append("")
    return "\n".join(lines)


def credentials_text(account: Account, password: str) -> str:
    """What an installer types into the device (or the edge YAML's mqtt_url)."""
    lines = [
        f"# Estate Hub broker account ({account.role}); keep this file secret.",
        f"MQTT_USERNAME={account.username}",
        f"MQTT_PASSWORD={password}",
    ]
    lines += [f"MQTT_PUBLISH={topic}" for topic in account.write]
    lines += [f"MQTT_SUBSCRIBE={topic}" for topic in account.read]
    return "\n".join(lines) + "\n"


def _kept_password(path: Path) -> str | None:
    if not path.exists():
        return None
    for line in path.read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition("=")
        if key == "MQTT_PASSWORD" and value:
            return value
    return None


@dataclass(frozen=True)
class Written:
    folder: Path
    accounts: int
    new: tuple[str, ...]
    rotated: tuple[str, ...]


def write_files(out: Path, accounts: Sequence[Account], *, rotate: Iterable[str] = ()) -> Written:
    """Write `passwd`, `acl` and `accounts/<username>.env`; `rotate` names accounts to re-key."""
    rotating = set(rotate)
    unknown = sorted(rotating - {account.username for account in accounts})
    if unknown:
        raise InvalidInput(f"no broker account {', '.join(unknown)} in the site")
    folder = out / ACCOUNTS_DIR
    secret_files.ensure_dir(folder)
    entries: list[str] = []
    new: list[str] = []
    rotated: list[str] = []
    for account in accounts:
        path = folder / f"{account.username}.env"
        password = None if account.username in rotating else _kept_password(path)
        if password is None:
            password = secrets.token_urlsafe(24)  # URL-safe: fits in mqtt://user:pass@host
            (rotated if account.username in rotating else new).append(account.username)
            secret_files.replace(path, credentials_text(account, password))
        entries.append(f"{account.username}:{password_hash(password)}")
    secret_files.replace(out / PASSWORD_FILE, "\n".join(entries) + "\n")
    (out / ACL_FILE).write_text(acl_text(accounts), encoding="utf-8")
    return Written(out, len(accounts), tuple(new), tuple(rotated))
