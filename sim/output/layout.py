"""The files of a results folder that both the writer and the reader name."""

from __future__ import annotations

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
SUMMARY_KEYS = ("scenario", "seed", "replication")  # summary.json's identity fields, before the summary itself


def table_file(name: str) -> str:
    """Path of a table's Parquet copy inside a results folder."""
    return f"{TABLES_FOLDER}/{name}.parquet"
