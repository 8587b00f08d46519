"""The parcel table written into a results folder piece by piece, as the run hands its parcels on.

A year of a large network orders millions of parcels: the table is never held
whole. Each piece becomes a row group of ``tables/parcels.parquet`` (the
default format) and, when CSV is asked for, rows appended to ``parcels.csv``
(slow: a year's parcels take minutes as CSV, seconds as Parquet).

Parquet row groups are encoded and written by a background thread (pyarrow
releases the GIL while it encodes), so on a machine with a second core the
simulation does not wait for them; at most one piece waits in line, which
bounds the memory they hold.
"""

from __future__ import annotations

import queue
import threading
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.output.layout import PARCELS_CSV, table_file


class ParcelFiles:
    """A parcel-table consumer for ``sim.run``: writes each piece as it comes; ``close`` finishes the files."""

    def __init__(self, folder: Path, csv: bool, parquet: bool = True) -> None:
        self._parquet_path = folder / table_file("parcels") if parquet else None
        self._csv_path = folder / PARCELS_CSV if csv else None
        self._writer: pq.ParquetWriter | None = None
        self._empty: pa.Table | None = None  # a piece without rows, written only if no piece has any
        self.rows = 0
        self._line: queue.Queue[pa.Table | None] = queue.Queue(maxsize=1)
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None

    def __call__(self, piece: pd.DataFrame) -> None:
        """Append one piece of the parcel table to the files."""
        if self._csv_path is not None and (len(piece) or not self._csv_path.exists()):
            first = not self._csv_path.exists()
            piece.to_csv(self._csv_path, index=False, header=first, mode="w" if first else "a")
        if self._parquet_path is None:
            self.rows += len(piece)
            return
        table = pa.Table.from_pandas(piece, preserve_index=False)
        if not len(piece):  # an empty piece has no string types (pyarrow sees nulls): it sets no schema
            if self._empty is None:
                self._empty = table
            return
        if self._writer is None:
            self._parquet_path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = pq.ParquetWriter(self._parquet_path, table.schema)
            self._thread = threading.Thread(target=self._write_in_turn, name="parcel-parquet", daemon=True)
            self._thread.start()
        self._raise_failure()
        self._line.put(table.cast(self._writer.schema))
        self.rows += len(piece)

    def _write_in_turn(self) -> None:
        """The writer thread: row groups in the order they came, until the end mark (None)."""
        assert self._writer is not None
        while (table := self._line.get()) is not None:
            if self._failure is None:
                try:
                    self._writer.write_table(table)
                except BaseException as exc:  # handed to the simulation's thread, raised there
                    self._failure = exc

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure

    def close(self) -> None:
        """Finish the Parquet file (an empty table with the columns when no parcel was kept)."""
        if self._writer is not None:
            assert self._thread is not None
            self._line.put(None)
            self._thread.join()
            self._writer.close()
            self._raise_failure()
        elif self._empty is not None and self._parquet_path is not None:
            self._parquet_path.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(self._empty, self._parquet_path)
