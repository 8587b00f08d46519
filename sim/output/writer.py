"""Results folders: one per run, written atomically so a killed run never looks complete."""

from __future__ import annotations

import shutil
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import tomli_w

from sim.output.figures import write_plots
from sim.output.json_files import nonfinite_paths, write_json
from sim.output.layout import (
    ALWAYS_TABLES,
    DAILY_SERVICE_TABLE,
    MANIFEST_FILE,
    OPTIONAL_TABLES,
    PARCELS_CSV,
    RESULT_FILE,
    RESULT_FORMAT,
    SCENARIO_FILE,
    SUMMARY_FILE,
    TABLES_FOLDER,
    parcels_in_folder,
    table_file,
)
from sim.output.provenance import package_versions
from sim.result import RunResult
from sim.scenario.loader import scenario_to_dict


def new_run_id(result: RunResult) -> str:
    """A folder name that sorts by time and says which seed and replication it holds."""
    return run_id_for(result.seed, result.replication)


def run_id_for(seed: int, replication: int) -> str:
    """``new_run_id`` before the run exists: the time now, the seed and the replication."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    return f"{stamp}-s{seed}-r{replication}"


@dataclass(frozen=True)
class RunFolder:
    """A results folder being written: the hidden ``partial`` folder, renamed to ``final`` when complete."""

    final: Path
    partial: Path

    def discard(self) -> None:
        """Remove what was written (a failed run leaves nothing behind)."""
        shutil.rmtree(self.partial, ignore_errors=True)


def open_run_folder(out_root: Path, scenario_name: str, run_id: str) -> RunFolder:
    """Create the hidden ``.partial`` folder of a new run under ``out_root/<scenario>/``.

    A run that streams its parcel table writes it there while it runs;
    ``write_run`` completes the folder and renames it.
    """
    parent = out_root / scenario_name
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
    return RunFolder(final, partial)


def write_run(
    result: RunResult,
    out_root: Path,
    run_id: str | None = None,
    command: list[str] | None = None,
    plots: bool = True,
    folder: RunFolder | None = None,
) -> Path:
    """Write the run's folder ``out_root/<scenario>/<run-id>/`` and return its path.

    Everything is written into a hidden ``.partial`` folder first and renamed at
    the end: a folder without that prefix is always complete. ``folder`` is the
    one ``open_run_folder`` made when the run wrote its parcel table there
    (``ParcelFiles``); the parcel files already in it are kept.
    """
    if folder is None:
        folder = open_run_folder(out_root, result.scenario.name, run_id or new_run_id(result))
    final, partial = folder.final, folder.partial
    started = time.perf_counter()
    try:
        (partial / SCENARIO_FILE).write_text(tomli_w.dumps(scenario_to_dict(result.scenario)))
        write_json(partial / SUMMARY_FILE, {"scenario": result.scenario.name, "seed": result.seed,
                                            "replication": result.replication, **result.summary})
        _write_csv_tables(result, partial)
        _write_exact_copy(result, partial)
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
            "parcels_simulated": result.parcel_count,
            "warehouse_balances": result.warehouse_balances,
            "unit_balance": dict(zip(("product", *result.unit_balance), (result.product_names,
                                                                        *result.unit_balance.values()),
                                     strict=True)),
        }
        write_json(partial / MANIFEST_FILE, manifest)
        partial.replace(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return final


def _write_csv_tables(result: RunResult, folder: Path) -> None:
    """The tables for people and spreadsheets (the cost tables derived, the others as the run made them)."""
    result.cost_table().to_csv(folder / "cost_by_stage_component.csv", index=False)
    result.cost_table(window_only=False).to_csv(folder / "cost_by_stage_component_all_days.csv", index=False)
    if result.parcels_kept != "none" and not (folder / PARCELS_CSV).exists():  # not written while running
        result.parcels.to_csv(folder / PARCELS_CSV, index=False)
    result.routes.to_csv(folder / "routes.csv", index=False)
    result.trips.to_csv(folder / "linehaul_trips.csv", index=False)
    result.inventory.to_csv(folder / "inventory.csv", index=False)
    if result.disruptions is not None:
        result.disruptions.to_csv(folder / "disruptions.csv", index=False)
        result.daily_service().to_csv(folder / "daily_service.csv", index=False)
    if result.store_sales is not None and result.store_orders is not None:
        result.store_sales.to_csv(folder / "store_sales.csv", index=False)
        result.store_orders.to_csv(folder / "store_orders.csv", index=False)
    if result.trail is not None:
        result.trail.to_csv(folder / "parcel_events.csv", index=False)


def _write_exact_copy(result: RunResult, folder: Path) -> None:
    """What ``load_result`` needs to rebuild the RunResult exactly: Parquet tables and the non-finite summary values.

    Parquet keeps every dtype (categories and their order included) and every
    float bit for bit, which the CSVs cannot promise.
    """
    (folder / TABLES_FOLDER).mkdir(exist_ok=True)
    written = []
    for name in (*ALWAYS_TABLES, *OPTIONAL_TABLES):
        table = getattr(result, name)
        if name == "parcels" and (folder / table_file(name)).exists():  # written while running
            written.append(name)
        elif table is not None:
            table.to_parquet(folder / table_file(name), index=False)
            written.append(name)
    kept = parcels_in_folder(result, folder)
    if kept != "all":  # the day-by-day service needs every parcel: keep it as the run computed it
        result.daily_service().to_parquet(folder / table_file(DAILY_SERVICE_TABLE), index=False)
        written.append(DAILY_SERVICE_TABLE)
    write_json(folder / RESULT_FILE, {
        "format": RESULT_FORMAT,
        "tables": written,
        "parcels_kept": kept,
        "summary_nonfinite": nonfinite_paths(result.summary),
        "peak_memory_bytes": result.peak_memory_bytes,
    })
