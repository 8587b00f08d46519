"""Tidy tables from run records: one row per run, and one row per (point, KPI) with its interval.

Rows are ordered by run index and KPI columns by first appearance in that
order, so the same set of records always gives the same table, whichever
worker ran what and in which order the runs finished.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.stats import CONFIDENCE, t_half_width
from sim.metrics import flatten

IDENTITY = ("index", "point")
RUN_FIELDS = ("seed", "replication", "status", "error", "wall_seconds")
RESERVED = frozenset((*IDENTITY, *RUN_FIELDS, "folder"))


def kpi_row(table: pd.DataFrame, name: str) -> pd.Series:
    """The row of KPI ``name`` in a per-KPI table (one row per KPI, a ``kpi`` column)."""
    row = table.set_index("kpi").loc[name]
    if not isinstance(row, pd.Series):  # a KPI name is unique, so .loc gives one row
        raise KeyError(name)
    return row


def kpi_columns(runs: pd.DataFrame) -> list[str]:
    """The KPI columns of a runs table: every column after the run fields."""
    columns = list(runs.columns)
    return columns[columns.index(RUN_FIELDS[-1]) + 1:]


def factor_columns(runs: pd.DataFrame) -> list[str]:
    """The factor columns of a runs table: those between ``point`` and ``seed``."""
    columns = list(runs.columns)
    return columns[columns.index(IDENTITY[-1]) + 1:columns.index(RUN_FIELDS[0])]


def runs_frame(records: Iterable[dict[str, Any]], factors: Sequence[str] = ()) -> pd.DataFrame:
    """One row per run: index, point, factor values, seed, replication, status, error, wall time, flat KPIs."""
    ordered = sorted(records, key=lambda r: int(r["index"]))
    kpis: dict[str, None] = {}
    rows = []
    for record in ordered:
        flat = flatten(record.get("summary") or {})
        kpis.update(dict.fromkeys(flat))
        row: dict[str, Any] = {"index": int(record["index"]), "point": int(record["point"])}
        row.update({name: _cell(record["factors"].get(name)) for name in factors})
        row.update({name: record.get(name) for name in RUN_FIELDS})
        row.update(flat)
        rows.append(row)
    columns = [*IDENTITY, *factors, *RUN_FIELDS, *kpis]
    frame = pd.DataFrame(rows, columns=columns)
    for name in kpis:
        frame[name] = frame[name].astype(float)
    for name in ("index", "point", "seed", "replication"):
        frame[name] = frame[name].astype(np.int64)
    frame["wall_seconds"] = frame["wall_seconds"].astype(float)
    frame["error"] = frame["error"].astype(object).where(frame["error"].notna(), None)
    for name in factors:
        frame[name] = _uniform(frame[name])
    return frame


def _cell(value: Any) -> Any:
    # A factor can take a list or table value (a weekday set, an inventory
    # policy): in a table cell it is shown as its JSON text.
    if isinstance(value, list | dict):
        return json.dumps(value, sort_keys=True)
    return value


def _uniform(column: pd.Series) -> pd.Series:
    # Parquet needs one type per column; a factor mixing text and numbers is kept as text.
    kinds = {type(v) for v in column if v is not None}
    if kinds <= {int, float, bool} or len(kinds) <= 1:
        return column
    return column.map(lambda v: None if v is None else str(v))


def points_frame(runs: pd.DataFrame, confidence: float = CONFIDENCE) -> pd.DataFrame:
    """Per point and KPI: runs that succeeded, mean, std and the Student t interval of the mean."""
    factors = factor_columns(runs)
    kpis = kpi_columns(runs)
    columns = ["point", *factors, "kpi", "n", "mean", "std", "half_width", "ci_low", "ci_high"]
    if runs.empty or not kpis:
        return pd.DataFrame(columns=columns)
    ok = runs[runs["status"] == "ok"]
    rows = []
    for point, group in runs.groupby("point", sort=True):
        first = group.iloc[0]
        values = ok.loc[ok["point"] == point, kpis]
        for kpi in kpis:
            column = values[kpi].to_numpy(dtype=float)
            column = column[np.isfinite(column)]
            n = len(column)
            mean = float(column.mean()) if n else math.nan
            std = float(column.std(ddof=1)) if n > 1 else math.nan
            half = t_half_width(std, n, confidence)
            rows.append([point, *(first[f] for f in factors), kpi, n, mean, std, half, mean - half, mean + half])
    frame = pd.DataFrame(rows, columns=columns)
    frame["point"] = frame["point"].astype(np.int64)
    frame["n"] = frame["n"].astype(np.int64)
    return frame
