"""Secrets out of what the hub prints and logs: a service URL's password becomes `***`."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def redact_url(url: str) -> str:
    """`mqtt://hub:s3cret@broker:1883` -> `mqtt://hub:***@broker:1883`; others unchanged."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user_info, _, host = parts.netloc.rpartition("@")
    username = user_info.partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{username}:***@{host}"))
