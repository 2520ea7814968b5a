"""`python -m edge --config FILE`: run the site gateway until Ctrl-C; `--once` checks the wiring:
it reads each device once and prints what it would publish, publishing nothing."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from edge.check import describe, read_once
from edge.config import SAMPLE_EDGE, EdgeConfig, parse_edge_config
from edge.gateway import EdgeGateway
from edge.supervise import until_signalled
from hub.errors import HubError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m edge", description=__doc__)
    parser.add_argument(
        "--config",
        type=Path,
        default=SAMPLE_EDGE,
        help="edge YAML (default: the sample estate's meters)",
    )
    parser.add_argument("--mqtt-url", help="override mqtt_url from the file")
    parser.add_argument("--prefix", help="override the topic prefix from the file")
    parser.add_argument("--modbus-host", help="poll every device at this host instead")
    parser.add_argument("--modbus-port", type=int, help="poll every device at this port instead")
    parser.add_argument(
        "--once",
        action="store_true",
        help="read each device once, print what would be published, exit (publishes nothing)",
    )
    return parser


async def _run(config: EdgeConfig, once: bool) -> int:
    if once:
        polls = await read_once(config)
        for poll in polls:
            print(describe(config, poll))
        return 0 if all(poll.error is None for poll in polls) else 1
    await until_signalled(EdgeGateway(config).run)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        config = parse_edge_config(args.config).retarget(
            mqtt_url=args.mqtt_url,
            prefix=args.prefix,
            modbus_host=args.modbus_host,
            modbus_port=args.modbus_port,
        )
        return asyncio.run(_run(config, args.once))
    except (HubError, ValueError) as exc:  # ValueError: a bad override (pydantic)
        print(f"edge: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
