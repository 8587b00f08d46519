"""JSON files that every reader accepts, written so that a killed run leaves either the whole file or none."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from sim.errors import ScenarioError

KeyPath = list[str | int]  # the keys and list indices that lead to a value inside a JSON document


def clean_json(value: Any) -> Any:
    """NaN and infinities become null so the files are valid JSON for every reader."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_json(v) for v in value]
    return value


def write_json(path: Path, data: Any) -> None:
    """Write JSON via a temporary file and rename, so the file is either complete or absent."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(clean_json(data), indent=2, sort_keys=False, allow_nan=False) + "\n")
    os.replace(tmp, path)


def read_json(path: Path) -> Any:
    """The content of a JSON file, or a one-line ScenarioError when it is missing or unreadable."""
    if not path.is_file():
        raise ScenarioError(f"{path}: missing")
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ScenarioError(f"{path}: cannot be read: {exc}") from None



def nonfinite_paths(value: Any, path: KeyPath | None = None) -> list[tuple[KeyPath, str]]:
    """Where ``value`` holds NaN or an infinity (key or index paths) and which (``repr``: 'nan', 'inf', '-inf').

    These are the values :func:`clean_json` turns into null; with their paths a
    reader can put them back.
    """
    path = path or []
    if isinstance(value, float):
        return [] if math.isfinite(value) else [(path, repr(value))]
    if isinstance(value, dict):
        return [hit for k, v in value.items() for hit in nonfinite_paths(v, [*path, str(k)])]
    if isinstance(value, list | tuple):
        return [hit for i, v in enumerate(value) for hit in nonfinite_paths(v, [*path, i])]
    return []


def restore_nonfinite(value: Any, paths: list[tuple[KeyPath, str]]) -> None:
    """Put back (in place) the non-finite floats that :func:`nonfinite_paths` found."""
    for path, text in paths:
        container = value
        for key in path[:-1]:
            container = container[key]
        container[path[-1]] = float(text)
