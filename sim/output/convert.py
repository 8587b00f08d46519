"""A complete results folder's tables rewritten in another format (``--format`` for folders written by workers).

The workers of ``sim run --replications`` and ``sim sweep --keep runs`` write
Parquet; when CSV is asked for, the command converts each folder afterwards.
Every step keeps the folder complete: new files are written under temporary
names and renamed, ``result.json`` is rewritten (atomically) before any file is
removed, and ``load_result`` prefers Parquet when both are there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import ScenarioError
from sim.output.csv_tables import dtype_spec, read_csv_table, write_csv_table
from sim.output.json_files import read_json, write_json
from sim.output.layout import (
    RESULT_FILE,
    TABLE_FORMATS,
    TABLES_FOLDER,
    csv_file,
    table_file,
    wants_csv,
    wants_parquet,
)


def convert_tables(folder: Path, table_format: str) -> None:
    """Make ``folder``'s per-entity tables exactly those of ``table_format`` ("parquet", "csv" or "both")."""
    if table_format not in TABLE_FORMATS:
        raise ValueError(f"table_format = {table_format!r}: allowed: {', '.join(TABLE_FORMATS)}")
    exact = read_json(folder / RESULT_FILE)
    if not isinstance(exact, dict) or not isinstance(exact.get("tables"), list):
        raise ScenarioError(f"{folder / RESULT_FILE}: not the result file of a complete run")
    if exact.get("table_format", "parquet") == table_format:
        return
    dtypes: dict[str, dict[str, Any]] = dict(exact.get("csv_dtypes") or {})
    for name in exact["tables"]:
        parquet_path, csv_path = folder / table_file(name), folder / csv_file(name)
        frame: pd.DataFrame | None = None
        if wants_parquet(table_format) and not parquet_path.exists():
            frame = read_csv_table(csv_path, dtypes[name])
            parquet_path.parent.mkdir(exist_ok=True)
            tmp = parquet_path.with_name(parquet_path.name + ".tmp")
            frame.to_parquet(tmp, index=False)
            tmp.replace(parquet_path)
        if wants_csv(table_format):
            if frame is None:
                frame = pd.read_parquet(parquet_path)
            if name not in dtypes:
                dtypes[name] = dtype_spec(frame)
            if not csv_path.exists():
                write_csv_table(frame, csv_path)
    write_json(folder / RESULT_FILE, {**exact, "table_format": table_format,
                                      "csv_dtypes": dtypes if wants_csv(table_format) else {}})
    for name in exact["tables"]:
        if not wants_parquet(table_format):
            (folder / table_file(name)).unlink(missing_ok=True)
        elif not wants_csv(table_format) and name != "daily_service":  # daily_service.csv is a summary table
            (folder / csv_file(name)).unlink(missing_ok=True)
    if not wants_parquet(table_format) and (folder / TABLES_FOLDER).is_dir() and not any(
            (folder / TABLES_FOLDER).iterdir()):
        (folder / TABLES_FOLDER).rmdir()
