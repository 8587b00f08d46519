"""What a run's page draws that is not in its summary: service by day and one delivery day, from its tables."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import ScenarioError
from sim.geo.projection import LocalFrame
from sim.model.geography import depot_position
from sim.model.travel import NetworkTravel, build_travel
from sim.reporting.files import RunFiles
from sim.scenario.roads import Distances

_DAILY_COLUMNS = ["order_time_h", "backordered", "state", "available_time_h", "on_time", "lead_time_h", "promise_h"]
_MAP_COLUMNS = ["regional", "x_km", "y_km", "state", "delivered_via", "attempts", "first_out_time_h",
                "delivered_time_h", "vehicle_type"]


def daily_with_censoring(files: RunFiles, end_h: float) -> tuple[pd.DataFrame, pd.Series | None]:
    """Service by order day and, per day, the share of parcels not yet due at the horizon (None if unknown).

    With every parcel in the folder both come from the parcel table, read in
    batches of seven columns (the rates are those of ``sim.metrics.daily_service``:
    counts summed per day, then divided). Otherwise the run's own
    ``daily_service`` table is used, and which days are censored is not known.
    """
    if files.parcels_kept != "all":
        return files.read("daily_service"), None
    sums: list[pd.DataFrame] = []
    for piece in files.chunks("parcels", _DAILY_COLUMNS):
        state = piece["state"].astype(str)
        served = piece["available_time_h"].notna() & state.isin(["delivered", "at_pickup_point"])
        delivered = (state == "delivered").to_numpy()
        lead = piece["lead_time_h"].to_numpy(dtype=float)
        frame = pd.DataFrame({
            "day": (piece["order_time_h"].to_numpy(dtype=float) // 24.0).astype(np.int64),
            "orders": 1,
            "short": (piece["backordered"].to_numpy(dtype=bool) | (state == "lost_sale").to_numpy()).astype(int),
            "served": served.to_numpy().astype(int),
            "on_time": (piece["on_time"].to_numpy(dtype=bool) & served.to_numpy()).astype(int),
            "lead_sum": np.where(delivered & np.isfinite(lead), lead, 0.0),
            "lead_n": (delivered & np.isfinite(lead)).astype(int),
            "censored": ((~served).to_numpy() & (piece["promise_h"].to_numpy(dtype=float) > end_h)).astype(int),
        })
        sums.append(frame.groupby("day").sum())
    if not sums:
        return pd.DataFrame(columns=["day", "orders", "fill_rate", "on_time_rate", "mean_lead_time_h"]), None
    total = pd.concat(sums).groupby(level=0, sort=True).sum()
    daily = pd.DataFrame({
        "day": total.index.to_numpy(dtype=np.int64),
        "orders": total["orders"].to_numpy(),
        "fill_rate": 1.0 - total["short"].to_numpy() / total["orders"].to_numpy(),
        "on_time_rate": total["on_time"].to_numpy() / total["served"].replace(0, np.nan).to_numpy(dtype=float),
        "mean_lead_time_h": total["lead_sum"].to_numpy() / total["lead_n"].replace(0, np.nan).to_numpy(dtype=float),
    })
    not_yet_due = pd.Series(total["censored"].to_numpy() / total["orders"].to_numpy(), index=daily["day"].to_numpy())
    return daily, not_yet_due


@dataclass
class DepotDay:
    """One depot's delivery day: its stops with their outcome, the depot, and the routes the tables identify."""

    name: str
    depot_xy: tuple[float, float]
    stops: pd.DataFrame
    routes: list[np.ndarray] = field(default_factory=list)
    routes_total: int = 0
    km: float = 0.0
    frame: str = ""  # the area's place on the Earth (its km frame's origin), "" for a synthetic area
    on_roads: bool = False  # whether the route lines follow the area's road network


def map_day(window_h: tuple[float, float]) -> int:
    """The delivery day the map shows: the middle day of the measurement window."""
    return int(((window_h[0] + window_h[1]) / 2) // 24)


def stop_outcome(frame: pd.DataFrame) -> np.ndarray:
    """Each parcel's outcome as the map colours it (see ``sim.plotting.delivery_map.STOP_OUTCOMES``)."""
    state = frame["state"].astype(str).to_numpy()
    via = frame["delivered_via"].astype(str).to_numpy()
    attempts = frame["attempts"].to_numpy()
    return np.select(
        [(via == "pickup_point") | (state == "at_pickup_point"), (state == "delivered") & (attempts <= 1),
         state == "delivered"],
        ["to pickup point", "delivered", "failed, delivered later"], default="failed, not delivered")


def delivery_day(files: RunFiles, scenario: dict[str, Any], day: int) -> list[DepotDay]:
    """Every depot's parcels first out for delivery on ``day``, and the routes of that day.

    A route's line runs from the depot through the parcels it delivered at the door
    (the parcel table's ``route_id`` is the route of a parcel's last attempt), in
    delivery order, and back. Drops at pickup points are not attempts, and failed
    attempts have no time in the table: neither is joined. A folder written before
    the table had ``route_id`` draws only the routes that left their depot alone at
    their departure time (no other route of the same vehicle type then), whose
    parcels the table identifies by vehicle and time.
    """
    start, end = day * 24.0, (day + 1) * 24.0
    parcels = files.read("parcels", _MAP_COLUMNS, [("first_out_time_h", ">=", start), ("first_out_time_h", "<", end)])
    routes = files.read("routes", ["route_id", "regional", "vehicle_type", "day", "depart_h", "return_h", "km"])
    routes = routes[routes["day"] == day]
    parcels = parcels.assign(outcome=stop_outcome(parcels))
    by_route = "route_id" in files.columns("parcels")
    if by_route:
        # A route of the day also carries parcels first sent out on earlier days: read what it delivered.
        delivered = files.read("parcels", ["route_id", "x_km", "y_km", "delivered_time_h", "state", "delivered_via"],
                               [("delivered_time_h", ">=", start), ("delivered_time_h", "<", end + 24.0)])
        # At the door: a parcel collected from a pickup point later keeps the route that tried it last.
        delivered = delivered[(delivered["state"].astype(str) == "delivered")
                              & (delivered["delivered_via"].astype(str) == "home")]
        delivered = delivered[delivered["route_id"].isin(routes["route_id"])]
        delivered = delivered.sort_values(["route_id", "delivered_time_h"], kind="stable")
    depots = []
    for warehouse in scenario.get("regional_warehouses", []):
        name = str(warehouse["name"])
        area = warehouse["area"]
        frame = (LocalFrame(float(area["centre_lat"]), float(area["centre_lon"]))
                 if area.get("centre_lat") is not None else None)
        x, y = depot_position(area.get("depot_distance_km"), frame, area.get("depot_lat"), area.get("depot_lon"))
        depot = (float(x), float(y))
        mine = parcels[parcels["regional"].astype(str) == name]
        own = routes[routes["regional"].astype(str) == name]
        if by_route:
            lines = [np.vstack([depot, group[["x_km", "y_km"]].to_numpy(dtype=float), depot])
                     for _, group in delivered[delivered["route_id"].isin(own["route_id"])].groupby("route_id")]
        else:
            lines = _lone_route_lines(mine, own, depot)
        travel = area_travel(area, frame, name)
        if travel is not None and travel.pred is not None:
            lines = [along_roads(travel, line) for line in lines]
        origin = "" if frame is None else f"{frame.origin_lat:.5f} N, {frame.origin_lon:.5f} E"
        depots.append(DepotDay(name, depot, mine[["x_km", "y_km", "outcome"]].reset_index(drop=True), lines,
                               len(own), float(own["km"].sum()), origin,
                               travel is not None and travel.pred is not None))
    return depots


def _lone_route_lines(mine: pd.DataFrame, own: pd.DataFrame, depot: tuple[float, float]) -> list[np.ndarray]:
    """Lines of the routes that left alone at their time, matched to parcels by vehicle type and departure."""
    lines = []
    for (vehicle, depart), group in own.groupby(["vehicle_type", "depart_h"], sort=True):
        if len(group) != 1:
            continue
        back = float(group["return_h"].iloc[0])
        on_it = mine[(mine["vehicle_type"].astype(str) == str(vehicle)) & (mine["first_out_time_h"] == depart)
                     & (mine["outcome"] == "delivered") & (mine["delivered_time_h"] <= back)]
        on_it = on_it.sort_values("delivered_time_h", kind="stable")
        lines.append(np.vstack([depot, on_it[["x_km", "y_km"]].to_numpy(dtype=float), depot]))
    return lines


def area_travel(area: dict[str, Any], frame: LocalFrame | None, name: str) -> NetworkTravel | None:
    """The network an area of a results folder's scenario drives on (from the matrix cache), or None.

    None as well when the network cannot be rebuilt here (its file moved or changed since
    the run): the map then draws straight lines between the stops.
    """
    distances = area.get("distances")
    if not isinstance(distances, dict) or distances.get("model", "circuity") == "circuity" or frame is None:
        return None
    try:
        return build_travel(Distances.model_validate(distances), frame, f"regional_warehouses[{name}].area")
    except (ValueError, ScenarioError):
        return None


def along_roads(travel: NetworkTravel, line: np.ndarray) -> np.ndarray:
    """A route's polyline through its stops redrawn along the roads: each leg's shortest path's nodes."""
    points = np.asarray(line, dtype=float)
    if len(points) < 2:
        return points
    legs = [travel.path_xy((float(a[0]), float(a[1])), (float(b[0]), float(b[1])))
            for a, b in itertools.pairwise(points)]
    return np.vstack([legs[0]] + [leg[1:] for leg in legs[1:]])
