"""Reading the user's data files (CSV, Parquet, GeoJSON) into checked columns, with one-line errors.

Every problem becomes a :class:`DataFileError` naming the file, the row (counted from 1 after the
header; a GeoJSON feature from 1), the column and the value, and what is allowed. Files are read
whole as text first, so a number column with one bad cell is reported at that cell rather than
turned into a float column with a NaN.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.geo.errors import DataFileError, cell_error
from sim.geo.projection import LATITUDE_RANGE, LONGITUDE_RANGE

# A user's data file is at most this large: a few years of a city's orders fit; a wrong path (a disk image)
# is refused before it costs memory.
MAX_DATA_BYTES = 512 << 20
TABLE_SUFFIXES = (".csv", ".parquet")


def _check_file(path: Path) -> None:
    if not path.exists():
        raise DataFileError(f"{path}: no such data file")
    if not path.is_file():
        raise DataFileError(f"{path}: not a regular file: a data file must be a file")
    if os.path.getsize(path) > MAX_DATA_BYTES:
        raise DataFileError(f"{path}: larger than {MAX_DATA_BYTES >> 20} MiB: not a data file sim reads")
    if os.path.getsize(path) == 0:
        raise DataFileError(f"{path}: empty file: expected a header line and at least one row")


def read_table(path: Path, required: Sequence[str], optional: Sequence[str] = ()) -> pd.DataFrame:
    """A CSV or Parquet file as a frame of text cells (empty cells ``""``), its columns checked.

    Row ``i`` of the frame (0-based) is row ``i + 1`` of the file in messages. Unknown columns
    are refused: a misspelt optional column silently ignored would make a capacity or a weight
    look used when it is not.
    """
    path = Path(path)
    _check_file(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
        elif suffix == ".parquet":
            frame = pd.read_parquet(path)
            frame = frame.astype(object).where(frame.notna(), "").astype(str)
        else:
            raise DataFileError(f"{path}: unknown file type {path.suffix!r}: allowed: .csv or .parquet")
    except DataFileError:
        raise
    except pd.errors.EmptyDataError:
        raise DataFileError(f"{path}: empty file: expected a header line and at least one row") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError, OSError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataFileError(f"{path}: cannot be read as {suffix[1:].upper()}: {reason}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    allowed = [*required, *optional]
    for column in frame.columns:
        if column not in allowed:
            raise DataFileError(f"{path}: column {column!r} is not known: allowed columns: {', '.join(allowed)}")
    for column in required:
        if column not in frame.columns:
            raise DataFileError(f"{path}: column '{column}' is missing: required columns: {', '.join(required)}")
    if frame.empty:
        raise DataFileError(f"{path}: no rows after the header: expected at least one")
    return frame.reset_index(drop=True)


def number_column(path: Path, frame: pd.DataFrame, column: str, *, low: float | None = None,
                  high: float | None = None, low_open: bool = False, default: float | None = None) -> np.ndarray:
    """A column of finite numbers in ``[low, high]`` (``low`` excluded with ``low_open``).

    Empty cells take ``default``; without one they are an error.
    """
    text = frame[column].astype(str).str.strip() if column in frame.columns else pd.Series([""] * len(frame))
    values = np.array(pd.to_numeric(text.where(text != "", None), errors="coerce"), dtype=float)
    empty = np.asarray(text == "")
    bad = ~np.isfinite(values)
    if low is not None:
        bad |= (values <= low) if low_open else (values < low)
    if high is not None:
        bad |= values > high
    if default is not None:  # an empty cell takes the default (NaN: "not given")
        values[empty] = default
        bad &= ~empty
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        lo = "" if low is None else f"{low:g} {'<' if low_open else '<='} "
        hi = "" if high is None else f" <= {high:g}"
        raise cell_error(path, i + 1, column, frame[column].iloc[i] if column in frame.columns else "",
                         f"a number, {lo}value{hi}")
    return values


def text_column(path: Path, frame: pd.DataFrame, column: str, choices: Sequence[str] | None = None) -> np.ndarray:
    """A column of non-empty text values (stripped), each one of ``choices`` when given."""
    values = frame[column].astype(str).str.strip().to_numpy(dtype=object)
    for i, value in enumerate(values):
        if not value or (choices is not None and value not in choices):
            allowed = ", ".join(choices) if choices is not None else "a non-empty name"
            raise cell_error(path, i + 1, column, value, allowed)
    return values


def coordinates(path: Path, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The ``latitude`` and ``longitude`` columns, degrees on WGS84, checked in range."""
    lat = number_column(path, frame, "latitude", low=LATITUDE_RANGE[0], high=LATITUDE_RANGE[1])
    lon = number_column(path, frame, "longitude", low=LONGITUDE_RANGE[0], high=LONGITUDE_RANGE[1])
    return lat, lon


# --- facilities -------------------------------------------------------------------------------------

FACILITY_KINDS = ("factory", "central_warehouse", "regional_warehouse")
# Optional capacity columns and the kind of facility each belongs to.
FACILITY_CAPACITIES = {"capacity_units_per_day": "factory", "picking_capacity_orders_per_day": "regional_warehouse"}


@dataclass(frozen=True)
class FacilityRow:
    """One facility of the file: where it is and, when its columns hold a value, its capacities."""

    row: int
    name: str
    kind: str
    latitude: float
    longitude: float
    capacities: tuple[tuple[str, float], ...]


def read_facilities(path: Path) -> tuple[FacilityRow, ...]:
    """The facilities file: ``name, kind, latitude, longitude`` and the optional capacity columns."""
    frame = read_table(path, ("name", "kind", "latitude", "longitude"), tuple(FACILITY_CAPACITIES))
    names = text_column(path, frame, "name")
    kinds = text_column(path, frame, "kind", FACILITY_KINDS)
    lat, lon = coordinates(path, frame)
    seen: dict[tuple[str, str], int] = {}
    capacities: dict[str, np.ndarray] = {}
    for column, kind in FACILITY_CAPACITIES.items():
        if column not in frame.columns:
            continue
        capacities[column] = number_column(path, frame, column, low=0, low_open=True, high=1e8, default=np.nan)
        given = (frame[column].astype(str).str.strip() != "").to_numpy()
        wrong = given & (kinds != kind)
        if wrong.any():
            i = int(np.flatnonzero(wrong)[0])
            raise cell_error(path, i + 1, column, frame[column].iloc[i], f"empty for a {kinds[i]} "
                             f"(the column is the capacity of a {kind})")
    rows = []
    for i in range(len(frame)):
        key = (str(kinds[i]), str(names[i]))
        if key in seen:
            raise cell_error(path, i + 1, "name", names[i], f"a name not given before (row {seen[key]} is a "
                             f"{kinds[i]} of that name)")
        seen[key] = i + 1
        caps = tuple((c, float(v[i])) for c, v in capacities.items() if np.isfinite(v[i]))
        rows.append(FacilityRow(i + 1, str(names[i]), str(kinds[i]), float(lat[i]), float(lon[i]), caps))
    return tuple(rows)


# --- demand points ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemandPoints:
    """Customer locations with weights (shares of the orders), degrees on WGS84."""

    latitude: np.ndarray
    longitude: np.ndarray
    weight: np.ndarray


def read_demand_points(path: Path) -> DemandPoints:
    """A points file: ``latitude, longitude`` and an optional ``weight`` (>= 0, default 1; not all 0)."""
    frame = read_table(path, ("latitude", "longitude"), ("weight",))
    lat, lon = coordinates(path, frame)
    weight = number_column(path, frame, "weight", low=0, high=1e12, default=1.0)
    if weight.sum() <= 0:
        raise cell_error(path, None, "weight", 0, "weights that are not all 0 (they are shares of the orders)")
    return DemandPoints(lat, lon, weight)


# --- GeoJSON polygons -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Zones:
    """Named polygons (each a list of rings: exterior then holes, lon/lat pairs) with weights."""

    names: tuple[str, ...]
    polygons: tuple[tuple[tuple[tuple[tuple[float, float], ...], ...], ...], ...]  # zone -> parts -> rings -> points
    weight: np.ndarray


def read_polygons(path: Path, named: bool) -> Zones:
    """A GeoJSON FeatureCollection (or one Feature / geometry) of Polygon or MultiPolygon features.

    ``named``: the demand zones, each with a ``zone`` (or ``name``) property and a ``households``
    or ``weight`` property (>= 0, not all 0); else an area boundary (names and weights unused).
    """
    path = Path(path)
    _check_file(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{path}: not valid GeoJSON: {exc}") from None
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features")
    elif isinstance(data, dict) and data.get("type") == "Feature":
        features = [data]
    elif isinstance(data, dict) and data.get("type") in ("Polygon", "MultiPolygon"):
        features = [{"type": "Feature", "geometry": data, "properties": {}}]
    else:
        raise DataFileError(f"{path}: not a GeoJSON FeatureCollection, Feature, Polygon or MultiPolygon")
    if not isinstance(features, list) or not features:
        raise DataFileError(f"{path}: no features: expected at least one polygon")
    names: list[str] = []
    polygons = []
    weights = []
    for i, feature in enumerate(features, start=1):
        polygons.append(_feature_polygon(path, i, feature))
        if not named:
            continue
        properties = feature.get("properties") or {}
        name = properties.get("zone", properties.get("name"))
        if not isinstance(name, str | int) or isinstance(name, bool) or not str(name).strip():
            raise cell_error(path, i, "zone", name, "a zone name in the feature's 'zone' (or 'name') property",
                             unit="feature")
        if str(name) in names:
            raise cell_error(path, i, "zone", name, "a zone name not given before", unit="feature")
        names.append(str(name).strip())
        key = "households" if "households" in properties else "weight"
        value = properties.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value) or value < 0:
            raise cell_error(path, i, key, value, "a number >= 0 in the feature's 'households' or 'weight' property",
                             unit="feature")
        weights.append(float(value))
    weight = np.asarray(weights if named else [1.0] * len(polygons), dtype=float)
    if named and weight.sum() <= 0:
        raise cell_error(path, None, "households", 0, "zone weights that are not all 0")
    return Zones(tuple(names), tuple(polygons), weight)


def _feature_polygon(path: Path, i: int, feature: object) -> tuple:
    geometry = feature.get("geometry") if isinstance(feature, dict) else None
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind not in ("Polygon", "MultiPolygon"):
        raise cell_error(path, i, "geometry", kind, "a Polygon or MultiPolygon", unit="feature")
    raw = geometry.get("coordinates")  # type: ignore[union-attr]
    parts = [raw] if kind == "Polygon" else raw
    if not isinstance(parts, list) or not parts:
        raise cell_error(path, i, "geometry", "no coordinates", "rings of [longitude, latitude] pairs", unit="feature")
    out = []
    for part in parts:
        rings = []
        for ring in part if isinstance(part, list) else [None]:
            points = _ring(path, i, ring)
            rings.append(points)
        out.append(tuple(rings))
    return tuple(out)


def _ring(path: Path, i: int, ring: object) -> tuple[tuple[float, float], ...]:
    allowed = "a ring of at least 4 [longitude, latitude] pairs in degrees"
    if not isinstance(ring, list) or len(ring) < 4:
        shown = "a ring too short" if isinstance(ring, list) else ring
        raise cell_error(path, i, "geometry", shown, allowed, unit="feature")
    points = []
    for pair in ring:
        ok = isinstance(pair, list) and len(pair) >= 2 and all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in pair[:2])
        if not ok or not (LONGITUDE_RANGE[0] <= pair[0] <= LONGITUDE_RANGE[1]) or not (
                LATITUDE_RANGE[0] <= pair[1] <= LATITUDE_RANGE[1]):
            raise cell_error(path, i, "geometry", pair, allowed, unit="feature")
        points.append((float(pair[0]), float(pair[1])))
    return tuple(points)


# --- order history ----------------------------------------------------------------------------------

HISTORY_OPTIONAL = ("latitude", "longitude", "zone", "area", "product", "weight_kg", "volume_m3")


@dataclass(frozen=True)
class OrderHistory:
    """Past orders, one per row: local wall-clock time, place (coordinates or a zone) and optional sizes.

    ``latitude``/``longitude`` are NaN and ``zone`` empty where the file does not give them;
    ``area``, ``product`` are empty strings where not given; sizes NaN.
    """

    path: str
    timestamp: np.ndarray  # datetime64[ns], naive local time
    latitude: np.ndarray
    longitude: np.ndarray
    zone: np.ndarray
    area: np.ndarray
    product: np.ndarray
    weight_kg: np.ndarray
    volume_m3: np.ndarray

    @property
    def has_coordinates(self) -> bool:
        return bool(np.isfinite(self.latitude).all())

    @property
    def first_day(self) -> np.datetime64:
        """Midnight of the first order's day."""
        return np.datetime64(self.timestamp.min(), "D")


def read_history(path: Path) -> OrderHistory:
    """An order history: ``timestamp`` and either ``latitude, longitude`` or ``zone`` per row.

    Timestamps are ISO 8601 (``2026-01-05 08:30`` or ``2026-01-05T08:30:00``), read as local wall
    time; a UTC offset, if written, is dropped after reading (the hour of the day is what counts).
    """
    path = Path(path)
    frame = read_table(path, ("timestamp",), HISTORY_OPTIONAL)
    text = frame["timestamp"].astype(str).str.strip()
    try:
        stamps = pd.to_datetime(text, format="ISO8601", errors="coerce")
    except (ValueError, TypeError):  # offsets that differ between rows: each row's own wall time
        stamps = pd.Series([pd.to_datetime(t, format="ISO8601", errors="coerce") for t in text])
        stamps = pd.Series([s.tz_localize(None) if s is not pd.NaT and s.tzinfo else s for s in stamps])
        stamps = pd.to_datetime(stamps)
    if getattr(stamps.dt, "tz", None) is not None:  # an offset written in the file: keep the wall time
        stamps = stamps.dt.tz_localize(None)
    bad = stamps.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise cell_error(path, i + 1, "timestamp", text.iloc[i], "an ISO 8601 date and time, e.g. 2026-01-05 08:30")
    n = len(frame)
    has_lat, has_lon, has_zone = ("latitude" in frame), ("longitude" in frame), ("zone" in frame)
    if has_lat != has_lon:
        raise DataFileError(f"{path}: column '{'longitude' if has_lat else 'latitude'}' is missing: latitude "
                            "and longitude go together")
    if not has_lat and not has_zone:
        raise DataFileError(f"{path}: no place columns: give latitude and longitude, or zone")
    lat = np.full(n, np.nan)
    lon = np.full(n, np.nan)
    zone = np.full(n, "", dtype=object)
    if has_zone:
        zone = frame["zone"].astype(str).str.strip().to_numpy(dtype=object)
    if has_lat:
        # A row with a zone may leave its coordinates empty; every other row needs them.
        located = (frame["latitude"].astype(str).str.strip() != "").to_numpy() | (zone == "")
        lat, lon = _located_coordinates(path, frame, located)
    missing = ~np.isfinite(lat) & (zone == "")
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        raise cell_error(path, i + 1, "zone" if has_zone else "latitude", "", "a zone name, or latitude and longitude")
    area = frame["area"].astype(str).str.strip().to_numpy(dtype=object) if "area" in frame else np.full(n, "", object)
    product = (frame["product"].astype(str).str.strip().to_numpy(dtype=object) if "product" in frame
               else np.full(n, "", dtype=object))
    weight = number_column(path, frame, "weight_kg", low=0, low_open=True, high=100_000, default=np.nan)
    volume = number_column(path, frame, "volume_m3", low=0, low_open=True, high=200, default=np.nan)
    return OrderHistory(str(path), stamps.to_numpy().astype("datetime64[ns]"), lat, lon, zone, area, product,
                        weight, volume)


def _located_coordinates(path: Path, frame: pd.DataFrame, located: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Latitude and longitude of the rows in ``located`` (NaN elsewhere), checked with the file's row numbers."""
    out = []
    for column, (low, high) in (("latitude", LATITUDE_RANGE), ("longitude", LONGITUDE_RANGE)):
        text = frame[column].astype(str).str.strip()
        values = pd.to_numeric(text.where(text != "", None), errors="coerce").to_numpy(dtype=float)
        bad = located & (~np.isfinite(values) | (values < low) | (values > high))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise cell_error(path, i + 1, column, text.iloc[i], f"a number, {low:g} <= value <= {high:g}")
        out.append(np.where(located, values, np.nan))
    return out[0], out[1]
