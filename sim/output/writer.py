"""Results folders: one per run, written privately and published atomically, so a killed run never looks
complete and two runs never share or replace a folder."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import tomli_w

from sim.output.csv_tables import dtype_spec, write_csv_table
from sim.output.figures import write_plots
from sim.output.folders import AtomicFolder, check_name
from sim.output.json_files import nonfinite_paths, write_json
from sim.output.layout import (
    ALWAYS_TABLES,
    DAILY_SERVICE_TABLE,
    DEFAULT_FORMAT,
    MANIFEST_FILE,
    OPTIONAL_TABLES,
    PARCELS_CSV,
    RESULT_FILE,
    RESULT_FORMAT,
    SCENARIO_FILE,
    SUMMARY_FILE,
    TABLE_FORMATS,
    TABLES_FOLDER,
    csv_file,
    parcels_in_folder,
    table_file,
    wants_csv,
    wants_parquet,
)
from sim.output.provenance import package_versions
from sim.reporting import write_report_or_warn
from sim.result import RunResult
from sim.scenario.loader import scenario_to_dict


def new_run_id(result: RunResult) -> str:
    """A folder name that sorts by time and says which seed and replication it holds."""
    return run_id_for(result.seed, result.replication)


def run_id_for(seed: int, replication: int) -> str:
    """``new_run_id`` before the run exists: the time now, the seed and the replication."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    return f"{stamp}-s{seed}-r{replication}"


RunFolder = AtomicFolder  # a run's folder being written (the name earlier versions gave it)


def open_run_folder(out_root: Path, scenario_name: str, run_id: str) -> AtomicFolder:
    """Create the private temporary folder of a new run under ``out_root/<scenario>/``.

    A run that streams its parcel table writes it there while it runs;
    ``write_run`` completes the folder and publishes it under ``run_id`` (or
    ``run_id-2``, ... when that name is taken by then).
    """
    check_name(scenario_name, "scenario name")
    return AtomicFolder(out_root / scenario_name, run_id)


def write_run(
    result: RunResult,
    out_root: Path,
    run_id: str | None = None,
    command: list[str] | None = None,
    plots: bool = True,
    folder: AtomicFolder | None = None,
    table_format: str = DEFAULT_FORMAT,
) -> Path:
    """Write the run's folder ``out_root/<scenario>/<run-id>/`` and return its path.

    Everything is written into a private hidden ``.partial`` folder first and
    renamed at the end: a folder without that prefix is always complete, and
    the rename never replaces another folder (the run takes ``<run-id>-2`` then;
    ``folder.note()`` says so). ``folder`` is the one ``open_run_folder`` made
    when the run wrote its parcel table there (``ParcelFiles``); the parcel
    files already in it are kept. ``table_format`` ("parquet", "csv" or "both")
    chooses the per-entity tables' files; the small summary tables are CSV always.
    """
    if table_format not in TABLE_FORMATS:
        raise ValueError(f"table_format = {table_format!r}: allowed: {', '.join(TABLE_FORMATS)}")
    if folder is None:
        folder = open_run_folder(out_root, result.scenario.name, run_id or new_run_id(result))
    partial = folder.partial
    started = time.perf_counter()
    try:
        (partial / SCENARIO_FILE).write_text(tomli_w.dumps(scenario_to_dict(result.scenario)))
        write_json(partial / SUMMARY_FILE, {"scenario": result.scenario.name, "seed": result.seed,
                                            "replication": result.replication, **result.summary})
        _write_summary_tables(result, partial)
        _write_tables(result, partial, table_format)
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
        if plots:
            write_report_or_warn(partial)
        return folder.publish()
    except BaseException:
        folder.discard()
        raise


def _write_summary_tables(result: RunResult, folder: Path) -> None:
    """The small tables for people and spreadsheets, CSV in every format: cost by stage, service by day."""
    result.cost_table().to_csv(folder / "cost_by_stage_component.csv", index=False)
    result.cost_table(window_only=False).to_csv(folder / "cost_by_stage_component_all_days.csv", index=False)
    if result.disruptions is not None:
        result.daily_service().to_csv(folder / csv_file(DAILY_SERVICE_TABLE), index=False)


def _write_tables(result: RunResult, folder: Path, table_format: str) -> None:
    """The per-entity tables in the asked format, and what ``load_result`` needs to rebuild the RunResult exactly.

    Parquet keeps every dtype (categories and their order included) and every
    float bit for bit; for a CSV, ``result.json`` records the dtypes it cannot
    hold, and pandas writes floats in their shortest round-trip form.
    """
    parquet, csv = wants_parquet(table_format), wants_csv(table_format)
    if parquet:
        (folder / TABLES_FOLDER).mkdir(exist_ok=True)
    written = []
    dtypes = {}
    for name in (*ALWAYS_TABLES, *OPTIONAL_TABLES):
        table = getattr(result, name)
        streamed = name == "parcels" and _parcels_streamed(folder)
        if table is None:
            continue
        written.append(name)
        dtypes[name] = dtype_spec(table)  # a streamed table's empty frame has its columns and dtypes
        if streamed:
            continue
        if parquet:
            table.to_parquet(folder / table_file(name), index=False)
        if csv:
            write_csv_table(table, folder / csv_file(name))
    kept = parcels_in_folder(result, folder)
    if kept != "all":  # the day-by-day service needs every parcel: keep it as the run computed it
        daily = result.daily_service()
        if parquet:
            daily.to_parquet(folder / table_file(DAILY_SERVICE_TABLE), index=False)
        if csv and not (folder / csv_file(DAILY_SERVICE_TABLE)).exists():
            write_csv_table(daily, folder / csv_file(DAILY_SERVICE_TABLE))
        written.append(DAILY_SERVICE_TABLE)
        dtypes[DAILY_SERVICE_TABLE] = dtype_spec(daily)
    write_json(folder / RESULT_FILE, {
        "format": RESULT_FORMAT,
        "tables": written,
        "parcels_kept": kept,
        "summary_nonfinite": nonfinite_paths(result.summary),
        "peak_memory_bytes": result.peak_memory_bytes,
        "table_format": table_format,
        "csv_dtypes": dtypes if csv else {},
    })


def _parcels_streamed(folder: Path) -> bool:
    """The parcel table was written into the folder while the run went (``ParcelFiles``)."""
    return (folder / table_file("parcels")).exists() or (folder / PARCELS_CSV).exists()
