"""Data files read once per process: a run, its replications and the loader share one parsed copy.

Entries are keyed by the file's resolved path, size and modification time, so an edited file is
read again; the parsed values are immutable (frozen dataclasses of arrays nobody writes to).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from sim.geo import datafiles
from sim.geo.datafiles import DataFileError, DemandPoints, FacilityRow, OrderHistory, Zones

T = TypeVar("T")


def _key(path: Path) -> tuple[str, int, int]:
    try:
        stat = os.stat(path)
    except OSError:
        return (str(path), -1, -1)  # the reader says what is wrong with it
    return (str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=64)
def _read(reader: Callable[..., Any], key: tuple[str, int, int], *args: Any) -> Any:
    return reader(Path(key[0]), *args)


def _cached(reader: Callable[..., T], path: Path, *args: Any) -> T:
    key = _key(path)
    if key[1] < 0:
        return reader(Path(path), *args)  # raises the file's error, never cached
    return _read(reader, key, *args)


def facilities(path: Path) -> tuple[FacilityRow, ...]:
    """The rows of a facilities file (see :func:`sim.geo.datafiles.read_facilities`)."""
    return _cached(datafiles.read_facilities, path)


def points(path: Path) -> DemandPoints:
    """A demand-points file."""
    return _cached(datafiles.read_demand_points, path)


def polygons(path: Path, named: bool) -> Zones:
    """A GeoJSON file of zones (``named``) or of an area's boundary."""
    return _cached(datafiles.read_polygons, path, named)


def history(path: Path) -> OrderHistory:
    """An order-history file."""
    return _cached(datafiles.read_history, path)


def boundary_km2(path: Path, centre_lat: float, centre_lon: float) -> float:
    """The projected area (km2) of a boundary file in the frame centred on ``(centre_lat, centre_lon)``."""
    from sim.geo.areas import area_km2, project_zones
    from sim.geo.projection import LocalFrame

    shapes = project_zones(LocalFrame(centre_lat, centre_lon), polygons(path, named=False))
    measured = area_km2(shapes)
    if not measured > 0:
        raise DataFileError(f"{path}: the boundary covers no area (its rings are degenerate)")
    return measured
