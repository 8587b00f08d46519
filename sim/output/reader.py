"""``load_result``: a results folder read back into the RunResult that wrote it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import ScenarioError
from sim.output.csv_tables import read_csv_table
from sim.output.json_files import read_json, restore_nonfinite
from sim.output.layout import (
    ALWAYS_TABLES,
    DAILY_SERVICE_TABLE,
    MANIFEST_FILE,
    OPTIONAL_TABLES,
    RESULT_FILE,
    RESULT_FORMAT,
    SCENARIO_FILE,
    SUMMARY_FILE,
    SUMMARY_KEYS,
    csv_file,
    table_file,
)
from sim.result import RunResult
from sim.scenario import load_scenario


def load_result(folder: str | Path) -> RunResult:
    """The RunResult of the run that wrote ``folder`` (a folder ``write_run`` made, e.g. by ``sim run``).

    Tables come back with the run's dtypes and values, the summary with its NaNs;
    scenario, seed, replication, balances and counts are the run's. A folder
    that is not a complete results folder raises a one-line ScenarioError.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ScenarioError(f"{folder}: not a folder")
    if not (folder / MANIFEST_FILE).is_file():
        raise ScenarioError(f"{folder}: not a results folder (no {MANIFEST_FILE}; an unfinished run's folder "
                            "is hidden as .<name>.partial)")
    manifest = read_json(folder / MANIFEST_FILE)
    if not isinstance(manifest, dict) or manifest.get("status") != "complete":
        raise ScenarioError(f"{folder / MANIFEST_FILE}: not the manifest of a complete run")
    if not (folder / RESULT_FILE).is_file():
        raise ScenarioError(f"{folder}: written by a version of sim that did not keep the exact tables "
                            f"(no {RESULT_FILE}); run the scenario again to load it")
    exact = read_json(folder / RESULT_FILE)
    if not isinstance(exact, dict) or exact.get("format") != RESULT_FORMAT:
        raise ScenarioError(f"{folder / RESULT_FILE}: not format {RESULT_FORMAT}, the one this sim reads")
    try:
        return _assemble(folder, manifest, exact)
    except (KeyError, IndexError, TypeError, AttributeError) as exc:  # a hand-edited or truncated JSON file
        raise ScenarioError(f"{folder}: incomplete results folder ({type(exc).__name__}: {exc})") from None


def _assemble(folder: Path, manifest: dict[str, Any], exact: dict[str, Any]) -> RunResult:
    """The RunResult from the folder's files, once they are known to be a complete run's."""
    dtypes = exact.get("csv_dtypes", {})
    tables: dict[str, Any] = {name: _read_table(folder, name, dtypes.get(name)) for name in exact["tables"]}
    missing = [name for name in ALWAYS_TABLES if name not in tables]
    if missing:
        raise ScenarioError(f"{folder / RESULT_FILE}: lists no {', '.join(missing)} table")
    unit_balance = dict(manifest["unit_balance"])
    product_names = unit_balance.pop("product")
    return RunResult(
        scenario=load_scenario(folder / SCENARIO_FILE),
        seed=manifest["seed"],
        replication=manifest["replication"],
        summary=_summary(folder, exact),
        ledger=tables["ledger"],
        emissions=tables["emissions"],
        parcels=tables["parcels"],
        routes=tables["routes"],
        trips=tables["trips"],
        inventory=tables["inventory"],
        trail=tables.get("trail"),
        store_sales=tables.get("store_sales"),
        store_orders=tables.get("store_orders"),
        disruptions=tables.get("disruptions"),
        unit_balance=unit_balance,
        product_names=product_names,
        warehouse_balances=manifest["warehouse_balances"],
        events=manifest["kernel_events"],
        wall_seconds=manifest["wall_seconds"]["simulation"],
        peak_memory_bytes=exact["peak_memory_bytes"],
        daily=tables.get(DAILY_SERVICE_TABLE),
        parcels_simulated=manifest["parcels_simulated"],
        parcels_kept=exact.get("parcels_kept", "all"),
    )


def _summary(folder: Path, exact: dict[str, Any]) -> dict[str, Any]:
    """summary.json without its identity fields, with the NaNs and infinities that JSON wrote as null put back."""
    stored = read_json(folder / SUMMARY_FILE)
    summary = {key: value for key, value in stored.items() if key not in SUMMARY_KEYS}
    restore_nonfinite(summary, exact["summary_nonfinite"])
    return summary


def _read_table(folder: Path, name: str, dtypes: dict[str, Any] | None) -> pd.DataFrame:
    """One table from its Parquet file, or from its CSV with the dtypes ``result.json`` recorded for it."""
    if name not in (*ALWAYS_TABLES, *OPTIONAL_TABLES, DAILY_SERVICE_TABLE):
        raise ScenarioError(f"{folder / RESULT_FILE}: unknown table {name!r}")
    path = folder / table_file(name)
    if path.is_file():
        try:
            table = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises its own types for a truncated or foreign file
            raise ScenarioError(f"{path}: cannot be read: {type(exc).__name__}: {exc}") from None
    elif (folder / csv_file(name)).is_file() and dtypes is not None:
        table = read_csv_table(folder / csv_file(name), dtypes)
    else:
        raise ScenarioError(f"{path}: missing" + (f" (and no {csv_file(name)} with recorded dtypes)"
                                                  if dtypes is None else f" (and {csv_file(name)} too)"))
    if name == "parcels" and not table["parcel_id"].is_monotonic_increasing:
        # Written while the run went: parcels settled at its end come last. The table is by id.
        table = table.sort_values("parcel_id", ignore_index=True)
    return table
