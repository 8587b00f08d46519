"""CSV tables that read back exactly: the dtypes a CSV cannot hold are kept beside it, in ``result.json``.

pandas writes every float in its shortest round-trip form, so the values come
back bit for bit; what a CSV loses is the dtype (categories and their order,
booleans, strings against missing values), which :func:`dtype_spec` records
and :func:`read_csv_table` puts back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import ScenarioError

ColumnSpec = dict[str, Any]  # {"dtype": "float64"} or {"dtype": "category", "categories": [...], "ordered": b, ...}


def dtype_spec(frame: pd.DataFrame) -> dict[str, ColumnSpec]:
    """What :func:`read_csv_table` needs to restore ``frame``'s columns from its CSV, as JSON-ready data."""
    spec: dict[str, ColumnSpec] = {}
    for name, dtype in frame.dtypes.items():
        column = frame[name]
        entry: ColumnSpec
        if isinstance(dtype, pd.CategoricalDtype):
            categories = dtype.categories
            entry = {"dtype": "category", "categories": categories.tolist(), "ordered": bool(dtype.ordered),
                     "categories_dtype": str(categories.dtype)}
        else:
            entry = {"dtype": str(dtype)}
        # A missing value is an empty cell. A float cell is never empty otherwise; a text column reads
        # empty cells as missing only when it had missing values (else they are empty strings).
        entry["missing"] = bool(pd.api.types.is_float_dtype(dtype) or column.isna().any())
        spec[str(name)] = entry
    return spec


def write_csv_table(frame: pd.DataFrame, path: Path) -> None:
    """The table as CSV (no index), under a temporary name and renamed, so it is whole or absent."""
    tmp = path.with_name(path.name + ".tmp")
    frame.to_csv(tmp, index=False)
    tmp.replace(path)


def read_csv_table(path: Path, spec: dict[str, ColumnSpec], columns: list[str] | None = None) -> pd.DataFrame:
    """A CSV table with the dtypes ``spec`` recorded (all columns, or ``columns`` in that order)."""
    names = list(spec) if columns is None else columns
    unknown = [name for name in names if name not in spec]
    if unknown:
        raise ScenarioError(f"{path}: no column {', '.join(unknown)} recorded for it")
    # An object column (a table's empty frame has them, e.g. a streamed parcel table's) reads as text, as
    # Parquet's reader gives it; without rows it stays object, as there.
    read_as = {name: spec[name].get("categories_dtype", "str") if spec[name]["dtype"] == "category"
               else "str" if spec[name]["dtype"] == "object" else spec[name]["dtype"] for name in names}
    missing = {name: [""] for name in names if spec[name].get("missing")}
    try:
        frame = pd.read_csv(path, usecols=names, dtype=read_as, keep_default_na=False, na_values=missing)
    except (OSError, ValueError) as exc:
        raise ScenarioError(f"{path}: cannot be read: {type(exc).__name__}: {exc}") from None
    for name in names:
        entry = spec[name]
        if entry["dtype"] == "object" and not len(frame):
            frame[name] = frame[name].astype(object)
        elif entry["dtype"] == "category":
            categories = pd.Index(entry["categories"], dtype=entry.get("categories_dtype"))
            frame[name] = frame[name].astype(pd.CategoricalDtype(categories, ordered=entry["ordered"]))
    return frame[names]
