"""Profile the worker's batch path (parse, store, rules) without the broker: where does time go?

`python -m bench.profile_ingest [--db sqlite|postgresql] [--messages 4000]` prints the top of a
cProfile by cumulative and by own time, and the messages/s of `handle_batch` alone.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import time
from pathlib import Path

from adapters.mqtt.subscriber import ReceivedMessage
from bench.fleet import fleet, messages, points_per_message
from bench.ingest_bench import bench_database, prepare_site
from hub.context import HubContext
from hub.settings import Settings
from hub.worker import HubWorker


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_ingest", description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--devices", type=int, default=2000)
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    devices = fleet(args.devices)
    with tempfile.TemporaryDirectory() as tmp, bench_database(args.db, Path(tmp)) as url:
        prepare_site(url, devices)
        settings = Settings(database_url=url, var_dir=Path(tmp), mqtt_url="mqtt://127.0.0.1:1")
        context = HubContext.from_settings(settings)
        worker = HubWorker(context, settings.mqtt_url, settings.rules_file, topic_prefix="p")
        stream = [
            ReceivedMessage(topic, payload, qos=1)
            for topic, payload in messages("p", devices, args.messages, 1_700_000_000_000)
        ]
        batches = [stream[i : i + args.batch_size] for i in range(0, len(stream), args.batch_size)]
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        for batch in batches:
            worker.handle_batch(batch)
        profile.disable()
        elapsed = time.perf_counter() - started
        context.db.dispose()
    points = points_per_message(devices, args.messages)
    print(f"{args.messages / elapsed:,.0f} msg/s, {points / elapsed:,.0f} points/s (profiled)")
    stats = pstats.Stats(profile).strip_dirs()
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
