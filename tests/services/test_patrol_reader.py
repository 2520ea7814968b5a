"""A fixed checkpoint reader stays where it is mounted: it only scans its own checkpoint."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from adapters.mqtt.subscriber import ReceivedMessage
from hub.context import HubContext
from hub.domain import DeviceKind, ScanSource
from hub.errors import InvalidInput
from hub.ingest import ingest
from hub.services import patrol
from hub.services.site import LoadResult
from hub.storage.models import Checkpoint, DeadLetter, Device, DeviceEvent, PatrolScan

P = "estate"


def _scan(context: HubContext, reader: str, checkpoint: str) -> str | None:
    payload = f'{{"kind": "scan", "data": {{"checkpoint": "{checkpoint}"}}}}'.encode()
    message = ReceivedMessage(f"{P}/green-garden/{reader}/event", payload, False)
    with context.db.session() as session:
        return ingest(session, message, prefix=P, now=context.clock.now()).dead_letter


def test_a_reader_naming_another_checkpoint_is_a_dead_letter_not_a_scan(
    context: HubContext, site: LoadResult
) -> None:
    reason = _scan(context, "cpr-north", "CP-B1-LOBBY")
    assert reason == (
        "scan of checkpoint 'CP-B1-LOBBY' refused: reader cpr-north watches CP-NORTH-GATE, "
        "not CP-B1-LOBBY: a fixed reader only scans its own checkpoint"
    )
    assert _scan(context, "cpr-north", "CP-NORTH-GATE") is None
    with context.db.session() as session:
        scans = session.scalars(sa.select(PatrolScan)).all()
        assert [s.checkpoint_id for s in scans] == [
            session.scalars(
                sa.select(Checkpoint.id).where(Checkpoint.code == "CP-NORTH-GATE")
            ).one()
        ]
        assert (
            len(session.scalars(sa.select(DeviceEvent).where(DeviceEvent.kind == "scan")).all())
            == 1
        )
        assert session.scalars(sa.select(DeadLetter.reason)).all() == [reason]


def test_a_reader_that_watches_nothing_scans_nothing(context: HubContext, site: LoadResult) -> None:
    with context.db.session() as session:
        north = session.scalars(sa.select(Device).where(Device.code == "cpr-north")).one()
        session.add(
            Device(
                site_id=north.site_id,
                code="cpr-spare",
                kind=DeviceKind.CHECKPOINT_READER,
                name="spare reader",
                heartbeat_s=300,
            )
        )
    reason = _scan(context, "cpr-spare", "CP-NORTH-GATE")
    assert reason is not None
    assert "reader cpr-spare watches no checkpoint, not CP-NORTH-GATE" in reason
    with context.db.session() as session:
        assert session.scalars(sa.select(PatrolScan)).all() == []


def test_a_reader_scan_must_name_its_reader(context: HubContext, site: LoadResult) -> None:
    now = context.clock.now()
    with context.db.session() as session, pytest.raises(InvalidInput, match="reader \\(none\\)"):
        patrol.record_scan(
            session,
            site_id=site.site_id,
            checkpoint_code="CP-NORTH-GATE",
            source=ScanSource.READER,
            at=now,
            now=now,
        )
