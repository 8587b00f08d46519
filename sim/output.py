"""Results folders: one per run, written atomically so a killed run never looks complete."""

from __future__ import annotations

import json
import math
import os
import platform
import shutil
import sys
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import tomli_w

from sim.result import RunResult
from sim.scenario.loader import scenario_to_dict

DEPENDENCIES = ("simpy", "numpy", "scipy", "pandas", "pydantic", "matplotlib", "pyvrp")


def package_versions() -> dict[str, str]:
    """Versions of sim and the libraries whose behaviour shapes the results."""
    versions = {"python": platform.python_version()}
    for name in ("sim-supply-chain", *DEPENDENCIES):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


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


def new_run_id(result: RunResult) -> str:
    """A folder name that sorts by time and says which seed and replication it holds."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    return f"{stamp}-s{result.seed}-r{result.replication}"


def write_run(
    result: RunResult,
    out_root: Path,
    run_id: str | None = None,
    command: list[str] | None = None,
    plots: bool = True,
) -> Path:
    """Write the run's folder ``out_root/<scenario>/<run-id>/`` and return its path.

    Everything is written into a hidden ``.partial`` folder first and renamed at
    the end: a folder without that prefix is always complete.
    """
    run_id = run_id or new_run_id(result)
    parent = out_root / result.scenario.name
    parent.mkdir(parents=True, exist_ok=True)
    final = parent / run_id
    suffix = 1
    while final.exists():
        final = parent / f"{run_id}-{suffix}"
        suffix += 1
    partial = parent / f".{final.name}.partial"
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir()
    started = time.perf_counter()
    try:
        (partial / "scenario.toml").write_text(tomli_w.dumps(scenario_to_dict(result.scenario)))
        write_json(partial / "summary.json", {"scenario": result.scenario.name, "seed": result.seed,
                                             "replication": result.replication, **result.summary})
        result.cost_table().to_csv(partial / "cost_by_stage_component.csv", index=False)
        result.cost_table(window_only=False).to_csv(partial / "cost_by_stage_component_all_days.csv", index=False)
        result.parcels.to_csv(partial / "parcels.csv", index=False)
        result.routes.to_csv(partial / "routes.csv", index=False)
        result.trips.to_csv(partial / "linehaul_trips.csv", index=False)
        result.inventory.to_csv(partial / "inventory.csv", index=False)
        if result.disruptions is not None:
            result.disruptions.to_csv(partial / "disruptions.csv", index=False)
            result.daily_service().to_csv(partial / "daily_service.csv", index=False)
        if result.store_sales is not None and result.store_orders is not None:
            result.store_sales.to_csv(partial / "store_sales.csv", index=False)
            result.store_orders.to_csv(partial / "store_orders.csv", index=False)
        if result.trail is not None:
            result.trail.to_csv(partial / "parcel_events.csv", index=False)
        if plots:
            write_plots(result, partial)
        manifest = {
            "status": "complete",
            "scenario": result.scenario.name,
            "seed": result.seed,
            "replication": result.replication,
            "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": command or sys.argv,
            "versions": package_versions(),
            "wall_seconds": {"simulation": result.wall_seconds, "writing": time.perf_counter() - started},
            "kernel_events": result.events,
            "parcels_simulated": len(result.parcels),
            "warehouse_balances": result.warehouse_balances,
            "unit_balance": dict(zip(("product", *result.unit_balance), (result.product_names,
                                                                        *result.unit_balance.values()),
                                     strict=True)),
        }
        write_json(partial / "manifest.json", manifest)
        os.replace(partial, final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return final


def write_plots(result: RunResult, folder: Path) -> None:
    """The three standard figures of a run, and service by day when the scenario has disruptions.

    Drawn on bare ``Figure`` objects rather than through pyplot, so writing files
    needs no display and never touches the backend of a notebook that calls it.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 4.5), layout="tight")
    result.plot_cost_per_parcel(ax=fig.subplots())
    fig.savefig(folder / "cost_per_parcel_by_stage.png", dpi=110)

    fig = Figure(figsize=(8, 4.5), layout="tight")
    result.plot_last_mile_components(ax=fig.subplots())
    fig.savefig(folder / "last_mile_cost_by_component.png", dpi=110)

    fig = Figure(figsize=(12, 4.5), layout="tight")
    left, right = fig.subplots(1, 2)
    result.plot_outcomes(ax=left)
    result.plot_lead_time(ax=right)
    fig.savefig(folder / "delivery_outcomes_and_lead_time.png", dpi=110)

    if result.disruptions is not None:
        fig = Figure(figsize=(10, 4.5), layout="tight")
        result.plot_daily_service(ax=fig.subplots())
        fig.savefig(folder / "daily_service.png", dpi=110)
