"""Reading a results folder's files for a report: JSON, TOML, and tables in whichever format the run wrote.

Only the columns (and, for the parcel table, the rows) a page needs are read:
a year's parcel table has millions of rows.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import ScenarioError
from sim.output.csv_tables import read_csv_table
from sim.output.layout import csv_file, table_file

BATCH_ROWS = 500_000


def read_json_file(path: Path) -> Any:
    """A JSON file's content, or a one-line ScenarioError naming it."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ScenarioError(f"{path}: cannot be read as JSON: {exc}") from None


def read_toml_file(path: Path) -> dict[str, Any]:
    """A TOML file's content (the resolved scenario), or a one-line ScenarioError naming it."""
    try:
        return tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot be read as TOML: {exc}") from None


class RunFiles:
    """The tables of one run's folder, read from Parquet when present, else from CSV with the recorded dtypes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.exact: dict[str, Any] = read_json_file(folder / "result.json")
        self.tables: list[str] = list(self.exact.get("tables", []))
        self.parcels_kept: str = str(self.exact.get("parcels_kept", "all"))

    def has(self, name: str) -> bool:
        """The run wrote table ``name``."""
        return name in self.tables

    def _spec(self, name: str) -> dict[str, Any]:
        spec = (self.exact.get("csv_dtypes") or {}).get(name)
        if spec is None:
            raise ScenarioError(f"{self.folder / table_file(name)}: missing (and no {csv_file(name)} with recorded "
                                "dtypes in result.json)")
        return dict(spec)

    def columns(self, name: str) -> list[str]:
        """The column names of table ``name`` as written (without reading its rows)."""
        path = self.folder / table_file(name)
        if path.is_file():
            import pyarrow.parquet as pq

            try:
                return list(pq.read_schema(path).names)
            except Exception as exc:
                raise ScenarioError(f"{path}: cannot be read: {type(exc).__name__}: {exc}") from None
        return list(self._spec(name))

    def read(self, name: str, columns: Sequence[str] | None = None,
             filters: list[tuple[str, str, float]] | None = None) -> pd.DataFrame:
        """Table ``name`` (``columns`` only), keeping the rows that pass every ``(column, op, value)`` filter.

        ``op`` is ">=" or "<". Parquet skips the row groups the filters rule out;
        a CSV (a small run's format) is read whole, the asked columns only.
        """
        path = self.folder / table_file(name)
        wanted = list(columns) if columns is not None else None
        if path.is_file():
            try:
                return pd.read_parquet(path, columns=wanted, filters=filters or None)
            except Exception as exc:  # pyarrow raises its own types for a truncated or foreign file
                raise ScenarioError(f"{path}: cannot be read: {type(exc).__name__}: {exc}") from None
        pieces = [_filtered(piece, filters) for piece in self.chunks(name, wanted)]
        return pd.concat(pieces, ignore_index=True) if len(pieces) != 1 else pieces[0]

    def chunks(self, name: str, columns: Sequence[str] | None = None) -> Iterator[pd.DataFrame]:
        """Table ``name`` piece by piece (Parquet batches; a CSV in one piece), ``columns`` only."""
        path = self.folder / table_file(name)
        wanted = list(columns) if columns is not None else None
        if path.is_file():
            import pyarrow.parquet as pq

            try:
                reader = pq.ParquetFile(path)
                for batch in reader.iter_batches(columns=wanted, batch_size=BATCH_ROWS):
                    yield batch.to_pandas()
            except Exception as exc:
                raise ScenarioError(f"{path}: cannot be read: {type(exc).__name__}: {exc}") from None
            return
        # CSV is the format for small runs (README): read the asked columns at once, with their recorded dtypes.
        spec = self._spec(name)
        csv_path = self.folder / csv_file(name)
        if not csv_path.is_file():
            raise ScenarioError(f"{path}: missing (and {csv_file(name)} too)")
        yield read_csv_table(csv_path, spec, wanted)


def _filtered(frame: pd.DataFrame, filters: list[tuple[str, str, float]] | None) -> pd.DataFrame:
    for column, op, value in filters or []:
        values = frame[column].to_numpy(dtype=float)
        frame = frame[values >= value] if op == ">=" else frame[values < value]
    return frame.reset_index(drop=True)
