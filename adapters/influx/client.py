"""Write samples to InfluxDB 1.x, 2.x or 3.x; the only module that imports influxdb-client.

Lines are built with influxdb-client's `Point` in every case. InfluxDB 2.x and 3.x (url, token,
org, bucket) get them through influxdb-client's `write_api`; 1.x (url and database) has no
`/api/v2/write`, so they go to its own `/write?db=...&precision=ns` over plain HTTP. Every
failure becomes `ServiceUnavailable` naming the server and, when it answered, its reason.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import Any
from urllib.parse import urlencode, urlparse

import urllib3
from influxdb_client.client.influxdb_client import InfluxDBClient
from influxdb_client.client.write.point import Point
from influxdb_client.client.write_api import SYNCHRONOUS
from influxdb_client.domain.write_precision import WritePrecision
from influxdb_client.rest import ApiException

from hub.errors import ConfigError, ServiceUnavailable
from hub.redact import redact_url

FieldValue = Decimal | float | int | str | bool


@dataclass(frozen=True)
class Sample:
    """One line: `measurement,tag=... field=... ts`; Decimals are written digit for digit."""

    measurement: str
    tags: Mapping[str, str]
    fields: Mapping[str, FieldValue]
    ts: datetime


def line_protocol(sample: Sample) -> str:
    if sample.ts.tzinfo is None:
        raise ValueError("InfluxDB timestamps must be timezone-aware")
    point = Point(sample.measurement)  # type: ignore[no-untyped-call]
    point = point.time(sample.ts, WritePrecision.NS)  # type: ignore[no-untyped-call]
    for name, tag in sample.tags.items():
        point = point.tag(name, tag)
    for name, value in sample.fields.items():
        point = point.field(name, value)
    return str(point.to_line_protocol())


@dataclass(frozen=True)
class InfluxTarget:
    """Where to write: `database` for InfluxDB 1.x, or `org` + `bucket` (+ `token`) for 2.x/3.x."""

    url: str
    database: str = ""
    token: str = field(default="", repr=False)
    org: str = ""
    bucket: str = ""
    timeout_s: float = 10.0

    def __post_init__(self) -> None:
        parsed = urlparse(self.url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ConfigError(f"HUB_INFLUX_URL {redact_url(self.url)!r} is not http(s)://host:port")
        if self.database and (self.bucket or self.org):
            raise ConfigError(
                "InfluxDB: give HUB_INFLUX_DB (1.x) or HUB_INFLUX_ORG + HUB_INFLUX_BUCKET "
                "(2.x/3.x), not both"
            )
        if not self.database and not (self.bucket and self.org):
            raise ConfigError(
                "InfluxDB: HUB_INFLUX_URL is set but not where to write: HUB_INFLUX_DB for 1.x, "
                "or HUB_INFLUX_ORG + HUB_INFLUX_BUCKET (+ HUB_INFLUX_TOKEN) for 2.x/3.x"
            )

    @property
    def v1(self) -> bool:
        return bool(self.database)

    def __str__(self) -> str:
        where = f"database {self.database}" if self.v1 else f"org {self.org}, bucket {self.bucket}"
        return f"InfluxDB at {redact_url(self.url)} ({where})"


class InfluxWriter:
    """`with InfluxWriter(target) as influx: influx.write(samples)`; blocking: call it from a
    worker thread, not the event loop."""

    def __init__(self, target: InfluxTarget) -> None:
        self.target = target
        self._client: InfluxDBClient | None = None
        if not target.v1:
            self._client = InfluxDBClient(
                url=target.url,
                token=target.token,
                org=target.org,
                timeout=int(target.timeout_s * 1000),
            )
            self._write_api = self._client.write_api(write_options=SYNCHRONOUS)

    def write(self, samples: Sequence[Sample]) -> int:
        """Write all `samples` in one request; how many lines were sent (a sample without
        fields makes no line)."""
        lines = [line for line in map(line_protocol, samples) if line]
        if not lines:
            return 0
        if self.target.v1:
            self._write_v1("\n".join(lines).encode())
        else:
            self._write_v2(lines)
        return len(lines)

    def _write_v1(self, body: bytes) -> None:
        target = self.target
        query = urlencode({"db": target.database, "precision": "ns"})
        request = urllib.request.Request(
            f"{target.url.rstrip('/')}/write?{query}",
            data=body,
            method="POST",
            headers={"Content-Type": "text/plain; charset=utf-8"},
        )
        if target.token:
            request.add_header("Authorization", f"Token {target.token}")
        try:
            with urllib.request.urlopen(request, timeout=target.timeout_s) as answer:
                answer.read()
        except urllib.error.HTTPError as exc:
            raise ServiceUnavailable(
                f"{target} refused the write: HTTP {exc.code} {_reason(exc.read())}"
            ) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ServiceUnavailable(f"{target} cannot be reached: {reason}") from None

    def _write_v2(self, lines: list[str]) -> None:
        target = self.target
        try:
            self._write_api.write(target.bucket, target.org, lines)  # precision: ns (default)
        except ApiException as exc:
            hint = " (a 1.x server? set HUB_INFLUX_DB instead)" if exc.status == 404 else ""
            raise ServiceUnavailable(
                f"{target} refused the write: HTTP {exc.status} {_reason(exc.body)}{hint}"
            ) from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise ServiceUnavailable(f"{target} cannot be reached: {exc}") from None

    def close(self) -> None:
        if self._client is not None:
            self._client.close()  # type: ignore[no-untyped-call]

    def __enter__(self) -> InfluxWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _reason(body: Any) -> str:
    """The server's `{"error"/"message": ...}`, else its text, kept short."""
    text = body.decode(errors="replace") if isinstance(body, bytes) else str(body or "")
    try:
        data = json.loads(text)
    except ValueError:
        return text.strip()[:300]
    if isinstance(data, dict):
        return str(data.get("error") or data.get("message") or data)[:300]
    return text.strip()[:300]
