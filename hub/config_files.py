"""Reading YAML files that are data (site, rules, edge, fleet): errors name the file and field."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from hub.errors import ConfigError

M = TypeVar("M", bound=BaseModel)
_ITEM_NAMES = ("id", "code", "device", "key", "username", "checkpoint")


def read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: {exc}") from None


def field_path(raw: Any, loc: tuple[int | str, ...]) -> str:
    """`devices.em-b1-101.registers.energy_kwh.scale` rather than `devices.0.registers.0.scale`.

    List items are named by their `id`, `code`, `device`, `key` ... field when they have one.
    """
    parts: list[str] = []
    node = raw
    for step in loc:
        label = str(step)
        if isinstance(step, int) and isinstance(node, list) and step < len(node):
            node = node[step]
            if isinstance(node, dict):
                name = next((node[field] for field in _ITEM_NAMES if node.get(field)), step)
                label = str(name)
        elif isinstance(node, dict):
            node = node.get(step)
        parts.append(label)
    return ".".join(parts) or "(top)"


def parse_yaml(path: Path, model: type[M]) -> M:
    """Read and validate a YAML file as `model`; `ConfigError` names the file and the fields."""
    raw = read_yaml(path)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        details = "; ".join(
            f"{field_path(raw, tuple(err['loc']))}: {err['msg'].removeprefix('Value error, ')}"
            for err in exc.errors()
        )
        raise ConfigError(f"{path}: {details}") from None


def read_text(path: Path) -> str:
    """A data file's text as it is on disk, for an administrator to edit."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path.name}: cannot be read: {exc.strerror}") from None


def write_atomically(path: Path, text: str) -> None:
    """A reader (the worker) sees the old file or the new one, never half of it."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
