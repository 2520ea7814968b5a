"""One hub process (worker + API) for the benchmark and the zero-loss tests to start and kill -9.

`python -m bench.hub_process [--share-group hub] [--no-api]`; everything else comes from the
`HUB_*` environment (database, broker, prefix, API port, secret key).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from typing import Any

from hub.context import HubContext
from hub.runner import ApiServer, run_parts
from hub.settings import get_settings
from hub.worker import HubWorker


async def _serve(share_group: str | None, worker_id: str, api: bool, batch_size: int) -> None:
    settings = get_settings()
    context = HubContext.from_settings(settings)
    split: dict[str, Any] = (
        {"share_group": share_group, "worker_id": worker_id} if share_group else {}
    )
    worker = HubWorker(
        context, settings.mqtt_url, settings.rules_file, batch_size=batch_size, **split
    )
    stop = asyncio.Event()
    parts = {"worker": worker.run(stop)}
    if api:
        parts["api"] = ApiServer(context, settings.api_host, settings.api_port).run(stop)
    await run_parts(parts, stop, None)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--share-group", default=None, help="split the stream: $share/<group>/")
    parser.add_argument("--worker-id", default="1", help="unique within the share group")
    parser.add_argument("--no-api", action="store_true", help="worker only")
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(_serve(args.share_group, args.worker_id, not args.no_api, args.batch_size))


if __name__ == "__main__":
    main()
