"""`hub demo` (everything in one process, zero setup), `hub run` (production) and `hub worker`
(one more ingest worker, for a share of the sites: docs/scaling.md)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select

from adapters.mqtt.broker import EmbeddedBroker, ensure_port_free
from edge.config import SAMPLE_EDGE, parse_edge_config
from edge.gateway import EdgeGateway
from hub.cli import demo_budgets, demo_desk, demo_maintenance
from hub.cli.core import open_context, print_accounts
from hub.cli.output import console, friendly_errors
from hub.context import HubContext
from hub.errors import ConfigError
from hub.partitions import Partition
from hub.redact import redact_url
from hub.runner import ApiServer, hub_parts, run_parts
from hub.services import billing, meter_readings, patrol, users
from hub.services.payment_providers import SANDBOX, production_provider
from hub.services.site import load_site
from hub.site_file import SAMPLE_SITE, parse_site_file
from hub.storage.db import upgrade
from hub.storage.models import User
from hub.worker import HubWorker
from simulators.fleet import Fleet
from simulators.fleet_file import SAMPLE_FLEET, parse_fleet
from simulators.history import meter_reader_rows


@friendly_errors
def demo(
    seconds: Annotated[
        float | None, typer.Option(help="stop by itself after this many seconds")
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="web/API port (default HUB_API_PORT, 8000)")
    ] = None,
    mqtt_port: Annotated[int, typer.Option(help="embedded MQTT broker port")] = 11883,
) -> None:
    """Run the whole estate in one process: broker, simulators, edge, hub and web pages."""
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    context = open_context()
    settings = context.settings
    settings.payment_provider = SANDBOX  # the demo's money is never real
    api = ApiServer(context, settings.api_host, port or settings.api_port)
    broker = None if settings.mqtt_url else EmbeddedBroker("127.0.0.1", mqtt_port)
    if broker is not None:
        ensure_port_free(broker.host, broker.port, "the embedded MQTT broker")
    mqtt_url = settings.mqtt_url or (broker.url if broker else "")
    accounts = _prepare(context)
    _write_credentials(settings.var_dir / "demo-credentials.txt", accounts, api.url)
    console.print(f"\n[bold green]Estate Hub demo[/] at [link={api.url}]{api.url}[/]")
    console.print(f"  网页 Web console     {api.url}/   (按角色登录 each role logs in here)")
    console.print(f"  接口 API docs        {api.url}/api/v1/docs")
    database = context.db.engine.url  # SQLAlchemy's URL hides its own password
    console.print(f"  MQTT broker          {redact_url(mqtt_url)}   database {database}")
    console.print("  付款 Payments        sandbox: owners pay on a local page, no money moves")
    print_accounts(accounts, "演示账号 Demo accounts")
    console.print("Fresh passwords each run, also in var/demo-credentials.txt.")
    console.print("Ctrl-C stops the demo." if seconds is None else f"Stopping after {seconds:g} s.")
    asyncio.run(_run_demo(context, api, broker, mqtt_url, seconds))
    console.print("demo stopped; `hub status --json` shows what happened.")


def _prepare(context: HubContext) -> dict[str, str]:
    """Schema, sample site, fresh demo passwords, last month's bills, tonight's patrol, the
    service desk in use (hub/cli/demo_desk.py), maintenance (hub/cli/demo_maintenance.py) and
    budgets (hub/cli/demo_budgets.py)."""
    upgrade(context.db.engine)
    spec = parse_site_file(SAMPLE_SITE)
    fleet = parse_fleet(SAMPLE_FLEET)
    now = context.clock.now()
    usernames = [s.username for s in spec.staff] + [
        o.username for b in spec.buildings for h in b.homes for o in h.owners
    ]
    with context.db.session() as session:
        result = load_site(session, spec, now=now)
        accounts = {
            user.username: users.reset_password(session, user)
            for user in session.scalars(select(User).where(User.username.in_(usernames)))
        }
        period, rows = meter_reader_rows(fleet, now)
        meter_readings.import_readings(session, site_code=spec.site.code, rows=rows, now=now)
        billing.run_billing(session, period=period, now=now)
        guard = session.scalars(select(User).where(User.username == "guard")).one()
        if patrol.current_round(session, guard, now=now) is None:
            patrol.start_round(
                session, route_code="night", site_id=result.site_id, guard=guard, now=now
            )
        demo_desk.seed(session, now=now)
        demo_maintenance.seed(session, now=now, var_dir=context.settings.var_dir)
        demo_budgets.seed(session, site_id=result.site_id, now=now)
    return dict(sorted(accounts.items(), key=lambda item: usernames.index(item[0])))


def _write_credentials(path: Path, accounts: dict[str, str], url: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        f"# Estate Hub demo at {url}: change the password at first login",
        *(f"{username}\t{password}" for username, password in accounts.items()),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)


async def _run_demo(
    context: HubContext,
    api: ApiServer,
    broker: EmbeddedBroker | None,
    mqtt_url: str,
    seconds: float | None,
) -> None:
    stop = asyncio.Event()
    if broker is not None:
        await broker.start()
    try:
        prefix = context.settings.topic_prefix
        fleet = Fleet(parse_fleet(SAMPLE_FLEET), mqtt_url, prefix, modbus_port=0)

        async def edge() -> None:
            await fleet.ready.wait()
            config = parse_edge_config(SAMPLE_EDGE).retarget(
                mqtt_url=mqtt_url, prefix=prefix, modbus_port=fleet.modbus_port
            )
            async with EdgeGateway(config) as gateway:
                await gateway.run(stop)

        await run_parts(
            {
                **hub_parts(context, mqtt_url, api, stop),
                "fleet": fleet.run(stop),
                "edge": edge(),
            },
            stop,
            seconds,
        )
    finally:
        if broker is not None:
            await broker.stop()


PARTITION_HELP = "worker I of N: serve only its share of the sites, e.g. 2/4 (docs/scaling.md)"


@friendly_errors
def run(
    port: Annotated[int | None, typer.Option(help="web/API port (default HUB_API_PORT)")] = None,
    partition: Annotated[
        str | None,
        typer.Option(metavar="I/N", help=PARTITION_HELP + "; default: every site, the only worker"),
    ] = None,
) -> None:
    """Production: ingest, rules, dispatcher and API against HUB_MQTT_URL and HUB_DATABASE_URL."""
    # With --partition 1/N its worker serves one share of the sites and `hub worker --partition
    # k/N` (k = 2..N) the others; the dispatcher and the API run here only, once for the hub.
    share = Partition.parse(partition) if partition is not None else None
    context = _production("hub run needs HUB_MQTT_URL (mqtt://host:port); `hub demo` runs without")
    settings = context.settings
    provider = production_provider(settings)
    api = ApiServer(context, settings.api_host, port or settings.api_port)
    stop = asyncio.Event()
    serving = "every site" if share is None else f"partition {share} of the sites"
    broker = redact_url(settings.mqtt_url)
    console.print(f"Estate Hub serving {api.url}, ingesting {serving} from {broker}")
    console.print(f"  owners pay through: {provider.name}")
    parts = hub_parts(context, settings.mqtt_url, api, stop, partition=share)
    asyncio.run(run_parts(parts, stop, None))


@friendly_errors
def worker(
    partition: Annotated[str, typer.Option(metavar="I/N", help=PARTITION_HELP)],
    metrics_port: Annotated[
        int | None,
        typer.Option(help="serve this worker's GET /metrics on HUB_API_HOST at this port"),
    ] = None,
) -> None:
    """Production, scaled out: only an ingest worker (rules, timers) for a share of the sites."""
    # Beside `hub run --partition 1/N`, one process for each k = 2..N, against HUB_MQTT_URL and
    # HUB_DATABASE_URL; no API, no dispatcher. PostgreSQL only: each partition is held by one
    # worker at a time (an advisory lock), so a second one for it refuses to start.
    share = Partition.parse(partition)
    if share.count == 1:
        raise ConfigError(
            f"hub worker --partition {partition}: a single worker is the one `hub run` starts; "
            "hub worker serves partition k/N (N > 1) beside `hub run --partition 1/N`"
        )
    context = _production("hub worker needs HUB_MQTT_URL (mqtt://host:port)")
    settings = context.settings
    ingest = HubWorker(context, settings.mqtt_url, settings.rules_file, partition=share)
    metrics = None  # a busy port stops the start here, before anything runs
    if metrics_port is not None:
        metrics = ApiServer(context, settings.api_host, metrics_port, metrics_only=True)
    stop = asyncio.Event()
    parts = {"worker": ingest.run(stop)}
    broker = redact_url(settings.mqtt_url)
    console.print(f"Estate Hub worker {share}, ingesting its sites from {broker}")
    if metrics is not None:
        parts["metrics"] = metrics.run(stop)
        console.print(f"  /metrics at {metrics.url}/metrics")
    asyncio.run(run_parts(parts, stop, None))


def _production(no_broker: str) -> HubContext:
    """Logging on, the configured hub, its schema upgraded; `no_broker` if HUB_MQTT_URL is unset."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    context = open_context()
    if not context.settings.mqtt_url:
        raise ConfigError(no_broker)
    upgrade(context.db.engine)
    return context


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
    app.command("run")(run)
    app.command("worker")(worker)
