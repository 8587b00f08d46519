"""Which kind of results folder a folder is, from the files in it."""

from __future__ import annotations

import json
from pathlib import Path

from sim.errors import ScenarioError

# Kind -> the file that identifies it (checked in this order; a run folder has manifest.json and result.json).
FOLDER_KINDS = {
    "run": "result.json",
    "compare": "comparison.json",
    "risk": "risk.json",
    "sweep": "sweep.json",
    "strategies": "strategies.csv",
    "replications": "runs.csv",
}


def folder_kind(folder: Path) -> str:
    """``"run"``, ``"replications"``, ``"compare"``, ``"risk"``, ``"sweep"`` or ``"strategies"``.

    A folder that is none of them (or not a folder) raises a one-line ScenarioError naming it.
    """
    if not folder.is_dir():
        raise ScenarioError(f"{folder}: not a folder")
    for kind, name in FOLDER_KINDS.items():
        if not (folder / name).is_file():
            continue
        if kind == "run" and not (folder / "manifest.json").is_file():
            continue
        if kind == "replications" and not _is_replication_set(folder):
            continue
        return kind
    expected = ", ".join(f"{name} ({kind})" for kind, name in FOLDER_KINDS.items())
    raise ScenarioError(f"{folder}: not a results folder of sim (none of {expected}; an unfinished run's folder "
                        "is hidden as .<name>.partial)")


def _is_replication_set(folder: Path) -> bool:
    """A replication set's summary.json lists its replications (a run's summary has none)."""
    try:
        summary = json.loads((folder / "summary.json").read_text())
    except (OSError, ValueError):
        return False
    return isinstance(summary, dict) and isinstance(summary.get("replications"), list)
