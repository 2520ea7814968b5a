"""One hub process (worker + API) for the benchmark and the zero-loss tests to start and kill -9.

`python -m bench.hub_process [--partition 2/4] [--no-api]`; everything else comes from the
`HUB_*` environment (database, broker, prefix, API port, secret key).
"""

from __future__ import annotations

import argparse
import asyncio
import logging

from hub.context import HubContext
from hub.partitions import Partition
from hub.runner import ApiServer, run_parts
from hub.settings import get_settings
from hub.worker import HubWorker


async def _serve(partition: Partition, api: bool, batch_size: int) -> None:
    settings = get_settings()
    context = HubContext.from_settings(settings)
    worker = HubWorker(
        context, settings.mqtt_url, settings.rules_file, batch_size=batch_size, partition=partition
    )
    stop = asyncio.Event()
    parts = {"worker": worker.run(stop)}
    if api:
        parts["api"] = ApiServer(context, settings.api_host, settings.api_port).run(stop)
    await run_parts(parts, stop, None)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--partition", default="1/1", help="worker i of N: its share of sites")
    parser.add_argument("--no-api", action="store_true", help="worker only")
    parser.add_argument("--batch-size", type=int, default=2000)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(_serve(Partition.parse(args.partition), not args.no_api, args.batch_size))


if __name__ == "__main__":
    main()
