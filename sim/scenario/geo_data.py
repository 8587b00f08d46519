"""The scenario's data files in the loader: paths resolved per file, values filled in from them, contents checked.

Three steps, each called by :mod:`sim.scenario.loader`:

- :func:`resolve_data_paths` makes every data path of one scenario file absolute against that
  file's folder, before an ``extends`` chain is merged (a path means what it meant where it was
  written);
- :func:`fill_from_data` fills, before validation, what the files give and the scenario file does
  not: coordinates, lane distances and capacities from the facilities file, ``area_km2`` from a
  boundary, the start weekday and each area's mean orders from a replayed history. A value the
  scenario gives always wins (and a boundary's area is checked against a given ``area_km2``);
- :func:`check_data_files` reads every file of the validated scenario and checks what ties them to
  it (zone, product and area names; the horizon inside the history).

Every problem is a one-line :class:`~sim.errors.ScenarioError` naming file, row, column and value.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.errors import ScenarioError
from sim.geo.errors import cell_error
from sim.scenario.geo import LANE_CIRCUITY
from sim.scenario.horizon import Horizon

if TYPE_CHECKING:
    from sim.geo.datafiles import FacilityRow

AREA_FILES = ("boundary", "demand_points", "demand_zones")
# A given area_km2 and a boundary's projected area may differ by this share (rounding in the file).
AREA_TOLERANCE = 0.01
KINDS = {"factory": "factories", "central_warehouse": "central_warehouses", "regional_warehouse": "regional_warehouses"}


def resolve_data_paths(data: dict[str, Any], folder: Path) -> None:
    """Make the data paths of one scenario file's data absolute against ``folder`` (in place)."""
    folder = folder.resolve()
    for key in ("facilities", "history"):
        table = data.get(key)
        if isinstance(table, dict) and isinstance(table.get("file"), str) and table["file"].strip():
            table["file"] = str(folder / table["file"])
    for warehouse in _dicts(data.get("regional_warehouses")):
        area = warehouse.get("area")
        if isinstance(area, dict):
            for key in AREA_FILES:
                if isinstance(area.get(key), str) and area[key].strip():
                    area[key] = str(folder / area[key])


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _geodesic_km(a: FacilityRow, b: FacilityRow) -> float:
    from pyproj import Geod

    _, _, metres = Geod(ellps="WGS84").inv(a.longitude, a.latitude, b.longitude, b.latitude)
    return float(metres) / 1000.0


def fill_from_data(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with the values its facilities, boundary and history files give filled in (a copy when changed)."""
    facilities = data.get("facilities")
    history = data.get("history")
    regionals = _dicts(data.get("regional_warehouses"))
    has_boundary = any(isinstance(r.get("area"), dict) and isinstance(r["area"].get("boundary"), str)
                       for r in regionals)
    if not isinstance(facilities, dict) and not isinstance(history, dict) and not has_boundary:
        return dict(data)
    import copy

    data = copy.deepcopy(dict(data))
    if isinstance(facilities, dict) and isinstance(facilities.get("file"), str):
        _fill_facilities(data, Path(facilities["file"]), facilities.get("lane_circuity", LANE_CIRCUITY))
    for warehouse in _dicts(data.get("regional_warehouses")):
        area = warehouse.get("area")
        if isinstance(area, dict) and isinstance(area.get("boundary"), str):
            _fill_boundary_area(area, Path(area["boundary"]), str(warehouse.get("name")))
    if isinstance(history, dict) and isinstance(history.get("file"), str) and history.get("replay", True) is True:
        _fill_history(data, history)
    return data


def _fill_facilities(data: dict[str, Any], path: Path, circuity: Any) -> None:
    from sim.geo import cache
    if not isinstance(circuity, int | float) or isinstance(circuity, bool) or not 1 <= circuity <= 3:
        return  # validation reports facilities.lane_circuity
    rows = cache.facilities(path)
    sites: dict[str, dict[str, dict[str, Any]]] = {}
    for kind, key in KINDS.items():
        sites[kind] = {str(item.get("name")): item for item in _dicts(data.get(key))}
    located: dict[tuple[str, str], FacilityRow] = {}
    for row in rows:
        if row.name not in sites[row.kind]:
            known = sorted(sites[row.kind])
            raise cell_error(path, row.row, "name", row.name, f"the name of one of the scenario's {KINDS[row.kind]} "
                             f"(kind {row.kind}): {known}")
        located[(row.kind, row.name)] = row
        site = sites[row.kind][row.name]
        for column, value in row.capacities:
            site.setdefault(column, value)
        if row.kind == "regional_warehouse":
            _place_depot(site, row)
    for name, central in sites["central_warehouse"].items():
        here = located.get(("central_warehouse", name))
        for lane in _dicts(central.get("inbound")):
            there = located.get(("factory", str(lane.get("factory"))))
            if here is not None and there is not None and "distance_km" not in lane:
                lane["distance_km"] = _lane_km(here, there, circuity)
        for stops in central.get("multi_stop", []) if isinstance(central.get("multi_stop"), list) else []:
            _fill_legs(sites["regional_warehouse"], located, stops, circuity)
    for name, regional in sites["regional_warehouse"].items():
        here = located.get(("regional_warehouse", name))
        there = located.get(("central_warehouse", str(regional.get("supplier"))))
        if here is not None and there is not None and "supplier_distance_km" not in regional:
            regional["supplier_distance_km"] = _lane_km(here, there, circuity)


def _lane_km(a: FacilityRow, b: FacilityRow, circuity: float) -> float:
    # At least 0.1 km: two sites at one address still have a yard between them (a lane needs km > 0).
    return max(0.1, round(_geodesic_km(a, b) * circuity, 3))


def _fill_legs(regionals: Mapping[str, dict[str, Any]], located: Mapping[tuple[str, str], FacilityRow],
               stops: Any, circuity: float) -> None:
    if not isinstance(stops, list):
        return
    for here_name, there_name in itertools.pairwise(stops):
        here, there = regionals.get(str(here_name)), regionals.get(str(there_name))
        a = located.get(("regional_warehouse", str(here_name)))
        b = located.get(("regional_warehouse", str(there_name)))
        if here is None or there is None or a is None or b is None:
            continue
        given = [w.get("neighbour_distances_km") for w in (here, there)]
        if any(isinstance(g, dict) and name in g for g, name in zip(given, (there_name, here_name), strict=True)):
            continue
        here.setdefault("neighbour_distances_km", {})
        if isinstance(here["neighbour_distances_km"], dict):
            here["neighbour_distances_km"][str(there_name)] = _lane_km(a, b, circuity)


def _place_depot(site: dict[str, Any], row: FacilityRow) -> None:
    """The regional warehouse is the depot: at the file's coordinates, unless the scenario places it."""
    area = site.setdefault("area", {})
    if not isinstance(area, dict):
        return
    if "depot_lat" not in area and "depot_lon" not in area and "depot_distance_km" not in area:
        area["depot_lat"], area["depot_lon"] = row.latitude, row.longitude
    if "centre_lat" not in area and "centre_lon" not in area:
        boundary = area.get("boundary")
        if isinstance(boundary, str):
            lat, lon = _boundary_centre(Path(boundary))
            area["centre_lat"], area["centre_lon"] = round(lat, 7), round(lon, 7)
        else:
            area["centre_lat"], area["centre_lon"] = row.latitude, row.longitude


def _boundary_centre(path: Path) -> tuple[float, float]:
    """The middle of a boundary's bounding box (latitude, longitude)."""
    from sim.geo import cache
    zones = cache.polygons(path, named=False)
    points = np.array([p for zone in zones.polygons for part in zone for ring in part for p in ring])
    return (float((points[:, 1].min() + points[:, 1].max()) / 2),
            float((points[:, 0].min() + points[:, 0].max()) / 2))


def _fill_boundary_area(area: dict[str, Any], path: Path, name: str) -> None:
    from sim.geo import cache
    lat, lon = area.get("centre_lat"), area.get("centre_lon")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, lon)):
        return  # validation says the boundary needs the area's centre
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # type: ignore[operator]
        return
    measured = cache.boundary_km2(path, float(lat), float(lon))  # type: ignore[arg-type]
    given = area.get("area_km2")
    if given is None:
        area["area_km2"] = round(measured, 6)
    elif isinstance(given, int | float) and not isinstance(given, bool) and \
            not math.isclose(given, measured, rel_tol=AREA_TOLERANCE):
        raise ScenarioError(f"regional_warehouses.{name}.area.area_km2 = {given}: the boundary {path} covers "
                            f"{measured:.4g} km2; leave area_km2 out (it is then the boundary's) or give that value")


def _fill_history(data: dict[str, Any], table: dict[str, Any]) -> None:
    from sim.geo import cache
    path = Path(table["file"])
    history = cache.history(path)
    start = history_start(path, history, table.get("start_date"))
    horizon_data = data.get("horizon") if isinstance(data.get("horizon"), dict) else {}
    try:
        horizon = Horizon.model_validate(horizon_data)
    except ValueError:
        return  # validation reports the horizon
    weekday = int((start.astype("datetime64[D]").astype(np.int64) + 3) % 7)  # 1970-01-01 was a Thursday
    given = horizon_data.get("start_weekday") if isinstance(horizon_data, dict) else None
    if given is None:
        data.setdefault("horizon", {})["start_weekday"] = weekday
    elif given != weekday:
        raise ScenarioError(f"horizon.start_weekday = {given}: the history {path} starts on "
                            f"{np.datetime_as_string(start)}, weekday {weekday} (0 = Monday); set {weekday} or "
                            "leave start_weekday out")
    run_days = horizon.warmup_days + horizon.days
    day = ((history.timestamp - start) // np.timedelta64(1, "D")).astype(np.int64)
    in_run = (day >= 0) & (day < run_days)
    regionals = _dicts(data.get("regional_warehouses"))
    for warehouse in regionals:
        name = str(warehouse.get("name"))
        mine = in_run & ((history.area == name) | ((history.area == "") & (len(regionals) == 1)))
        area = warehouse.get("area")
        if isinstance(area, dict) and "orders_per_day" not in area and mine.any():
            area["orders_per_day"] = round(float(mine.sum()) / run_days, 6)


def history_start(path: Path, history: Any, start_date: Any) -> np.datetime64:
    import datetime

    if start_date is None:
        return np.datetime64(history.first_day, "ns")
    if isinstance(start_date, datetime.date):
        return np.datetime64(start_date.isoformat(), "D").astype("datetime64[ns]")
    raise ScenarioError(f"history.start_date = {start_date!r}: allowed: a TOML date, e.g. 2026-01-05")


def check_data_files(scenario: Any) -> None:
    """Read every data file of a validated scenario and check what ties it to the scenario."""
    if scenario.history is None and not any(getattr(r.area, key) is not None for r in scenario.regional_warehouses
                                            for key in AREA_FILES):
        return  # nothing to read (and pandas stays unloaded)
    from sim.geo import cache
    for r in scenario.regional_warehouses:
        area = r.area
        where = f"regional_warehouses.{r.name}.area"
        if area.demand_points is not None:
            cache.points(Path(area.demand_points))
        zones = cache.polygons(Path(area.demand_zones), named=True) if area.demand_zones is not None else None
        if area.boundary is not None:
            cache.polygons(Path(area.boundary), named=False)
        fitted = area.fitted_demand
        if fitted is not None and zones is not None:
            unknown = [z for z in fitted.zones if z not in zones.names]
            if unknown:
                raise ScenarioError(f"{where}.fitted_demand.zones: {unknown} are not zones of {area.demand_zones} "
                                    f"(its zones: {list(zones.names)})")
    if scenario.history is not None:
        check_history(scenario)


def check_history(scenario: Any) -> None:
    """The history's areas, zones and products exist, and the run fits in its days."""
    from sim.geo import cache
    path = Path(scenario.history.file)
    history = cache.history(path)
    regionals = {r.name: r for r in scenario.regional_warehouses}
    names = list(regionals)
    area = history.area
    if (area == "").any() and len(names) > 1:
        i = int(np.flatnonzero(area == "")[0])
        raise cell_error(path, i + 1, "area", "", f"a regional warehouse's name (the scenario has {len(names)}: "
                         f"{names})")
    _first_unknown(path, "area", area, set(names) | {""}, names)
    products = list(scenario.products)
    _first_unknown(path, "product", history.product, set(products) | {""}, products)
    zones_of: dict[str, tuple[str, ...]] = {}
    for name, r in regionals.items():
        zone_file = r.area.demand_zones
        zones_of[name] = cache.polygons(Path(zone_file), named=True).names if zone_file is not None else ()
    owner = np.where(area == "", names[0], area)
    # A zone is checked where it places the order (no coordinates) or where the area has zones to check it by.
    bad = np.zeros(len(area), dtype=bool)
    for name in names:
        mine = (owner == name) & (history.zone != "")
        must = mine & (~np.isfinite(history.latitude) | bool(zones_of[name]))
        bad |= must & ~np.isin(history.zone, list(zones_of[name]))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        allowed = (f"a zone of {regionals[owner[i]].area.demand_zones}: {list(zones_of[owner[i]])}"
                   if zones_of[owner[i]] else f"no zones: area '{owner[i]}' has no demand_zones file; give "
                   "latitude and longitude")
        raise cell_error(path, i + 1, "zone", history.zone[i], allowed)
    for name, r in regionals.items():
        if r.area.centre_lat is None and np.isfinite(history.latitude[owner == name]).any():
            raise ScenarioError(f"regional_warehouses.{name}.area: the history {path} places orders by latitude and "
                                "longitude: the area needs centre_lat/centre_lon (or a facilities file)")
    if not scenario.history.replay:
        return
    for name, r in regionals.items():
        if r.area.fitted_demand is not None and (len(names) == 1 or (area == name).any()):
            raise ScenarioError(f"regional_warehouses.{name}.area.fitted_demand: the scenario also replays the "
                                f"history {path} in this area; set history.replay = false to use the fit")
    start = history_start(path, history, scenario.history.start_date)
    run_days = scenario.horizon.warmup_days + scenario.horizon.days
    last = int((history.timestamp.max() - start) // np.timedelta64(1, "D"))
    if last + 1 < run_days:
        raise ScenarioError(f"horizon: warmup_days + days = {run_days} days, but the history {path} holds "
                            f"{max(last + 1, 0)} days from {np.datetime_as_string(start, unit='D')}: shorten the "
                            "horizon or give a longer history")


def _first_unknown(path: Path, column: str, values: np.ndarray, known: set[str], names: list[str]) -> None:
    unknown = np.flatnonzero(~np.isin(values, list(known)))
    if len(unknown):
        i = int(unknown[0])
        raise cell_error(path, i + 1, column, values[i], f"one of {names}")
