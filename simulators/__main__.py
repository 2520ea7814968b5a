"""`python -m simulators --mqtt-url mqtt://127.0.0.1:1883 --modbus-port 5020`: run a fleet.

Against a broker with accounts, give the site's edge account in the URL
(`mqtts://edge-green-garden:PASSWORD@broker:8883 --mqtt-ca-file ca.crt`): docs/edge.md.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from adapters.mqtt.url import TlsFiles
from edge.supervise import until_signalled
from hub.errors import HubError
from simulators.fleet import Fleet
from simulators.fleet_file import SAMPLE_FLEET, parse_fleet


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m simulators", description=__doc__)
    parser.add_argument(
        "--fleet", type=Path, default=SAMPLE_FLEET, help="fleet YAML (default: the sample estate)"
    )
    parser.add_argument("--mqtt-url", default="mqtt://127.0.0.1:1883", help="mqtt:// or mqtts://")
    parser.add_argument("--mqtt-ca-file", type=Path, help="CA of the broker (mqtts)")
    parser.add_argument("--mqtt-cert-file", type=Path, help="client certificate (mqtts)")
    parser.add_argument("--mqtt-key-file", type=Path, help="the client certificate's key")
    parser.add_argument("--prefix", default="estate", help="topic prefix (HUB_TOPIC_PREFIX)")
    parser.add_argument("--modbus-host", default="127.0.0.1")
    parser.add_argument("--modbus-port", type=int, default=5020)
    parser.add_argument("--duration", type=float, help="stop after this many seconds")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        fleet = Fleet(
            parse_fleet(args.fleet),
            args.mqtt_url,
            args.prefix,
            args.modbus_host,
            args.modbus_port,
            tls=TlsFiles(args.mqtt_ca_file, args.mqtt_cert_file, args.mqtt_key_file),
        )
        asyncio.run(until_signalled(fleet.run, args.duration))
    except (HubError, ValueError) as exc:  # ValueError: a malformed --mqtt-url; HubError: TLS
        print(f"simulators: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
