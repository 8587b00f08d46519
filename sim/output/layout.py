"""The files of a results folder that both the writer and the reader name."""

from __future__ import annotations

from pathlib import Path

from sim.result import RunResult

MANIFEST_FILE = "manifest.json"
SUMMARY_FILE = "summary.json"
SCENARIO_FILE = "scenario.toml"
# What a results folder needs beyond its readable files to be loaded back
# exactly: the tables with their dtypes (categoricals included) and the
# summary values JSON cannot hold (NaN, infinities).
RESULT_FILE = "result.json"
TABLES_FOLDER = "tables"
RESULT_FORMAT = 1

# RunResult tables, in the order they are written. Every run has the first
# six; the others exist only when the scenario has what they record.
ALWAYS_TABLES = ("ledger", "emissions", "parcels", "routes", "trips", "inventory")
OPTIONAL_TABLES = ("trail", "store_sales", "store_orders", "disruptions")
# Written only when the parcel table in the folder does not hold every parcel (the day-by-day service
# needs them all; it is computed while the run hands its parcels on).
DAILY_SERVICE_TABLE = "daily_service"
PARCELS_CSV = "parcels.csv"
# The tables' files when CSV is asked for (``--format csv`` or ``both``): beside summary.json, under the
# names people know them by. The ledgers get a CSV only then; Parquet is the default format.
CSV_FILES = {
    "ledger": "ledger.csv", "emissions": "emissions.csv", "parcels": PARCELS_CSV, "routes": "routes.csv",
    "trips": "linehaul_trips.csv", "inventory": "inventory.csv", "trail": "parcel_events.csv",
    "store_sales": "store_sales.csv", "store_orders": "store_orders.csv", "disruptions": "disruptions.csv",
    DAILY_SERVICE_TABLE: "daily_service.csv",
}
TABLE_FORMATS = ("parquet", "csv", "both")
DEFAULT_FORMAT = "parquet"
SUMMARY_KEYS = ("scenario", "seed", "replication")  # summary.json's identity fields, before the summary itself


def table_file(name: str) -> str:
    """Path of a table's Parquet copy inside a results folder."""
    return f"{TABLES_FOLDER}/{name}.parquet"


def csv_file(name: str) -> str:
    """Path of a table's CSV inside a results folder."""
    return CSV_FILES[name]


def wants_parquet(table_format: str) -> bool:
    """Whether ``--format`` asks for the Parquet tables."""
    return table_format in ("parquet", "both")


def wants_csv(table_format: str) -> bool:
    """Whether ``--format`` asks for the CSV tables."""
    return table_format in ("csv", "both")


def parcels_in_folder(result: RunResult, folder: Path) -> str:
    """Which parcels a results folder's parcel table holds ("all", "sample", "none").

    The result's own table, unless the run wrote the table into the folder
    while it ran (then the result keeps none, and the scenario says).
    """
    streamed = (folder / table_file("parcels")).exists() or (folder / PARCELS_CSV).exists()
    if streamed and result.parcels_kept == "none":
        return result.scenario.outputs.parcel_table
    return result.parcels_kept
