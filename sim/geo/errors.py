"""The one-line error of a data file (light: importing it loads no table library)."""

from __future__ import annotations

from pathlib import Path

from sim.errors import ScenarioError


class DataFileError(ScenarioError):
    """A data file is wrong; the message names the file, row, column and value."""


def cell_error(path: Path | str, row: int | None, column: str, value: object, allowed: str,
               unit: str = "row") -> DataFileError:
    """The one-line error about one cell: ``file: row N, column 'c': value 'v': allowed: ...``.

    ``unit``: what ``row`` counts ("feature" in a GeoJSON file, whose properties are the columns).
    """
    where = f"{unit} {row}, " if row is not None else ""
    shown = "(empty)" if value is None or (isinstance(value, str) and not value.strip()) else repr(value)
    return DataFileError(f"{path}: {where}column '{column}': {shown}: allowed: {allowed}")
