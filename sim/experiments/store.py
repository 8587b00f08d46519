"""The sweep folder on disk: its description, one small JSON per finished run, and the assembled tables.

Layout of ``<out>/<sweep name>/``::

    sweep.json            what was swept (fingerprint, factors, points, seed, shard) and, at the end, counts
    scenario.toml         the resolved base scenario (the sweep's ``set`` applied)
    design.csv            one row per point: its factor values
    runs/run-000012.json  one per finished run, written atomically as it completes (the resume marker)
    runs/<scenario>/run-000012/   the full results folder of each run (only with keep = "runs")
    runs.csv, runs.parquet             one row per run, ordered by run index
    aggregate.csv, aggregate.parquet   one row per (point, KPI): n, mean, std, 95 % CI
    plots/<kpi>.png       each plotted KPI against each factor, with CI bands

Tables are always rebuilt from the run files, so a resumed or merged sweep
gives exactly the tables of an uninterrupted one.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd
import tomli_w

from sim.errors import ScenarioError
from sim.experiments.spec import SweepSpec
from sim.experiments.tables import points_frame, runs_frame
from sim.experiments.tasks import OK
from sim.output import package_versions, write_json
from sim.output.folders import check_name
from sim.scenario.loader import scenario_to_dict

MARKER_PREFIX = "run-"
SWEEP_FILE = "sweep.json"


def marker_name(index: int) -> str:
    """File name of run ``index``'s record (zero-padded so a listing sorts by index)."""
    return f"{MARKER_PREFIX}{index:06d}.json"


def describe(spec: SweepSpec, shard: tuple[int, int], keep: str) -> dict[str, Any]:
    """What ``sweep.json`` records about a sweep (enough to merge shards and redraw the plots)."""
    return {
        "name": spec.name,
        "description": spec.description,
        "fingerprint": spec.fingerprint,
        "sweep_file": str(spec.path),
        "scenario_file": str(spec.scenario_path),
        "set": list(spec.overrides),
        "seed": spec.seed,
        "replications": spec.replications,
        "design": {"kind": spec.design, "n": spec.lhs_n, "seed": spec.lhs_seed, **spec.design_options},
        "factors": list(spec.factors),
        "points": [{"point": p.index, "values": p.values} for p in spec.points],
        "runs_total": spec.runs,
        "shard": list(shard),
        "keep": keep,
        "plot_kpis": list(spec.plot_kpis),
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": sys.argv,
        "versions": package_versions(),
        **({"meta": spec.meta} if spec.meta else {}),
    }


def read_description(folder: Path) -> dict[str, Any]:
    """``sweep.json`` of a sweep folder, or a one-line error if it is not one."""
    path = folder / SWEEP_FILE
    if not path.is_file():
        raise ScenarioError(f"{folder}: not a sweep folder (no {SWEEP_FILE})")
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ScenarioError(f"{path}: cannot be read: {exc}") from None
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: not a sweep description (a JSON object)")
    check_name(data.get("name"), f"{path}: name")
    return data


def prepare(folder: Path, spec: SweepSpec, shard: tuple[int, int], keep: str, resume: bool) -> dict[str, Any]:
    """Create the sweep folder, or check that ``--resume`` continues the same sweep; return its description."""
    description = describe(spec, shard, keep)
    if folder.exists() and any(folder.iterdir()):
        if not resume:
            raise ScenarioError(f"{folder}: already holds a sweep; pass --resume to continue it, "
                                "or choose another --out")
        previous = read_description(folder)
        if previous.get("fingerprint") != spec.fingerprint:
            raise ScenarioError(f"{folder}: holds a different sweep (its scenario, factors, seed or replications "
                                "differ); choose another --out")
        if previous.get("shard") != list(shard):
            raise ScenarioError(f"{folder}: holds shard {previous.get('shard')}, not {list(shard)}")
        description["created_utc"] = previous.get("created_utc", description["created_utc"])
    (folder / "runs").mkdir(parents=True, exist_ok=True)
    write_json(folder / SWEEP_FILE, description)
    _write_text(folder / "scenario.toml", tomli_w.dumps(scenario_to_dict(spec.base)))
    design = pd.DataFrame([{"point": p.index, **p.values} for p in spec.points])
    _write_frame(design, folder / "design.csv")
    return description


def write_marker(folder: Path, record: dict[str, Any]) -> None:
    """Record one finished run atomically (a kill leaves either the whole file or none)."""
    record = dict(record)
    if record.get("folder"):
        # Relative, so the sweep folder can be moved or merged and still point at its runs.
        record["folder"] = os.path.relpath(record["folder"], folder)
    write_json(folder / "runs" / marker_name(int(record["index"])), record)


def read_markers(folder: Path) -> dict[int, dict[str, Any]]:
    """Every finished run's record in a sweep folder, by run index (half-written temporary files are ignored).

    A record that cannot be read, or whose ``folder`` is not a run folder
    inside this sweep folder (``runs/<scenario>/<run>``: no ``..``, no absolute
    path, no symbolic link leading out), is a one-line ScenarioError: shards
    come from elsewhere (CI artifacts), and merge and resume act on these paths.
    """
    records = {}
    for path in sorted((folder / "runs").glob(f"{MARKER_PREFIX}*.json")):
        try:
            record = json.loads(path.read_text())
            index = int(record["index"])
            if "status" not in record:  # every reader of a record needs it
                raise KeyError("status")
        except (OSError, ValueError, TypeError, KeyError) as exc:
            raise ScenarioError(f"{path}: not a run record ({type(exc).__name__}: {exc})") from None
        if record.get("folder") is not None:
            run_folder(folder, record["folder"], path)
        records[index] = record
    return records


def run_folder(folder: Path, relative: object, source: Path) -> Path:
    """``folder / relative`` when ``relative`` names a run folder inside the sweep folder, else a one-line error.

    ``source`` is the record file that named it (for the message).
    """
    expected = "a run folder inside the sweep folder, runs/<scenario>/<run>"
    if not isinstance(relative, str) or "\x00" in relative or "\\" in relative:
        raise ScenarioError(f"{source}: folder = {relative!r}: expected {expected}")
    parts = PurePosixPath(relative).parts
    if PurePosixPath(relative).is_absolute() or len(parts) != 3 or parts[0] != "runs" or any(
            part in ("", ".", "..") or part.startswith(".") for part in parts):
        raise ScenarioError(f"{source}: folder = {relative!r}: expected {expected}")
    path = folder.joinpath(*parts)
    runs = (folder / "runs").resolve()
    linked = (folder / "runs").is_symlink() or path.parent.is_symlink() or path.is_symlink()
    if linked or (path.exists() and not path.resolve().is_relative_to(runs)):
        raise ScenarioError(f"{source}: folder = {relative!r}: a symbolic link; expected {expected}")
    return path


def finished_ok(folder: Path) -> set[int]:
    """Indices of the runs that already succeeded (a resumed sweep skips them and retries failures)."""
    return {index for index, record in read_markers(folder).items() if record["status"] == OK}


def assemble(folder: Path, description: dict[str, Any], expected: Iterable[int]) -> tuple[pd.DataFrame,
                                                                                           pd.DataFrame, list[int]]:
    """Build the runs and aggregate tables from the run files; return them and the missing run indices."""
    records = read_markers(folder)
    missing = sorted(set(expected) - set(records))
    runs = runs_frame(records.values(), description["factors"])
    aggregate = points_frame(runs)
    for frame, name in ((runs, "runs"), (aggregate, "aggregate")):
        _write_frame(frame, folder / f"{name}.csv")
        _write_parquet(frame, folder / f"{name}.parquet")
    return runs, aggregate, missing


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _write_frame(frame: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    frame.to_csv(tmp, index=False)
    os.replace(tmp, path)


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        print(f"sim: note: pyarrow is not installed, {path.name} was not written (the CSV holds the same table)",
              file=sys.stderr)
        return
    tmp = path.with_name(path.name + ".tmp")
    frame.to_parquet(tmp, index=False)
    os.replace(tmp, path)
