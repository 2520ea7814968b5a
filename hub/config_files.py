"""Reading YAML files that are data (site, rules, edge, fleet): errors name the file and field."""

from __future__ import annotations

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
