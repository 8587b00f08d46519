"""``ProblemArrays``: a validated, float-converted view of a problem that the heuristic works on."""

from __future__ import annotations

import math

import numpy as np

from sim.routing.problem import RoutingProblem
from sim.routing.schedule import (
    FloatArray,
    IntArray,
    departures_h,
    latest_arrivals_h,
    leg_hours,
    leg_lengths_km,
    route_distance_km,
    route_duration_h,
    timeline_h,
)
from sim.routing.tour_kernels import road_distance_matrix


class ProblemArrays:
    """Per-stop arrays of a problem, its limits as floats, and exact per-route measurements.

    Each optional constraint has a ``use_*`` flag so that problems without it skip its
    checks entirely and keep the speed (and the exact arithmetic) of the plain planner.
    The depot is appended to ``xy`` as node ``depot == n`` so insertion code can treat it
    as a point.
    """

    def __init__(self, problem: RoutingProblem) -> None:
        self.problem = problem
        stop_xy = np.asarray(problem.stop_xy, dtype=np.float64)
        if stop_xy.size == 0:
            stop_xy = stop_xy.reshape(0, 2)
        if stop_xy.ndim != 2 or stop_xy.shape[1] != 2:
            raise ValueError(f"stop_xy must have shape (n, 2), got {stop_xy.shape}")
        n = int(stop_xy.shape[0])
        depot = np.asarray(problem.depot_xy, dtype=np.float64).reshape(-1)
        if depot.shape != (2,):
            raise ValueError(f"depot_xy must have shape (2,), got {depot.shape}")
        self.n = n
        self.vol = self._vector(problem.stop_volume_m3, "stop_volume_m3", np.float64)
        self.serv = self._vector(problem.stop_service_h, "stop_service_h", np.float64)
        self.prio = self._vector(problem.stop_priority, "stop_priority", None)
        self.circ = float(problem.circuity)
        self.area = float(problem.area_speed_kmh)
        self.stem = float(problem.stem_speed_kmh)
        if not (self.area > 0.0 and self.stem > 0.0):
            raise ValueError("area_speed_kmh and stem_speed_kmh must be positive")
        if not self.circ >= 0.0:
            raise ValueError("circuity must be non-negative")
        self.cap = float(problem.vehicle_capacity_m3)
        self.max_h = float(problem.max_route_hours)
        self.max_routes = int(problem.max_routes)
        self.payload = float(problem.vehicle_payload_kg)
        self.use_wt = problem.stop_weight_kg is not None and self.payload < math.inf
        self.wt = self._optional(problem.stop_weight_kg, "stop_weight_kg", 0.0)
        self.max_km = float(problem.max_route_km)
        self.use_km = self.max_km < math.inf
        self.use_stops = problem.max_stops_per_route is not None
        self.max_stops = int(problem.max_stops_per_route) if problem.max_stops_per_route is not None else max(n, 1)
        self.use_tw = problem.has_windows
        self.tw_e = self._optional(problem.stop_tw_start_h, "stop_tw_start_h", 0.0)
        self.tw_l = self._optional(problem.stop_tw_end_h, "stop_tw_end_h", math.inf)
        self.depot = n
        self.xy = np.concatenate((stop_xy, depot.reshape(1, 2)))
        rel = stop_xy - depot
        self.d0 = self.circ * np.hypot(rel[:, 0], rel[:, 1])  # road km depot -> each stop

    def _vector(self, values: np.ndarray, name: str, dtype: type | None) -> np.ndarray:
        arr = np.asarray(values, dtype=dtype).reshape(-1)
        if arr.shape != (self.n,):
            raise ValueError(f"{name} must have shape ({self.n},), got {arr.shape}")
        return arr

    def _optional(self, values: np.ndarray | None, name: str, default: float) -> FloatArray:
        if values is None:
            return np.full(self.n, default)
        return np.asarray(self._vector(values, name, np.float64))

    def local_points(self, stops: IntArray) -> FloatArray:
        """Coordinates of [depot, *stops]: row 0 is the depot, row i is stops[i-1]."""
        return np.ascontiguousarray(np.concatenate((self.xy[self.depot : self.depot + 1], self.xy[stops])))

    def local_distance(self, stops: IntArray) -> FloatArray:
        """Road-distance matrix of [depot, *stops]: node 0 is the depot, node i is stops[i-1]."""
        return self.pair_distance(self.local_points(stops))

    def pair_distance(self, pts: FloatArray) -> FloatArray:
        """Road-distance matrix between all rows of ``pts``."""
        return np.asarray(road_distance_matrix(np.ascontiguousarray(pts, dtype=np.float64), self.circ))

    def time_matrix(self, dist: FloatArray) -> FloatArray:
        """Travel hours for a local distance matrix (row/column 0 = depot, at stem speed)."""
        t = dist / self.area
        t[0, :] = dist[0, :] / self.stem
        t[:, 0] = dist[:, 0] / self.stem
        return np.asarray(t)

    def duration(self, stops: IntArray) -> float:
        """Exact route duration, by the public reference formula."""
        return route_duration_h(self.problem, stops)

    def load(self, stops: IntArray) -> float:
        """Total volume of a route's stops."""
        return float(self.vol[stops].sum())

    def weight(self, stops: IntArray) -> float:
        """Total weight of a route's stops."""
        return float(self.wt[stops].sum())

    def km(self, stops: IntArray) -> float:
        """Exact road km of a route, by the public reference formula."""
        return route_distance_km(self.problem, stops)

    def _travel_h(self, stops: IntArray) -> FloatArray:
        depot = self.xy[self.depot : self.depot + 1]
        legs = leg_lengths_km(np.concatenate((depot, self.xy[stops], depot)), self.circ)
        return leg_hours(legs, self.area, self.stem)

    def timing_ok(self, stops: IntArray) -> bool:
        """Exact check of the order-dependent limits (duration, windows, range) of a route."""
        if self.use_km and self.km(stops) > self.max_km:
            return False
        if not self.use_tw:
            return self.duration(stops) <= self.max_h
        arrival, back = timeline_h(self._travel_h(stops), self.serv[stops], self.tw_e[stops])
        return float(back) <= self.max_h and not bool((arrival > self.tw_l[stops]).any())

    def feasible(self, stops: IntArray) -> bool:
        """Exact check of every hard constraint of one route (the repair step's test)."""
        if self.load(stops) > self.cap:
            return False
        if self.use_wt and self.weight(stops) > self.payload:
            return False
        if self.use_stops and stops.shape[0] > self.max_stops:
            return False
        return self.timing_ok(stops)

    def schedule(self, stops: IntArray) -> tuple[FloatArray, FloatArray]:
        """Departure time from every node and latest feasible arrival at every node of a route.

        Nodes are [depot, *stops, depot]. ``dep`` covers nodes 0..k (the depot leaves at 0),
        ``latest`` covers nodes 1..k+1 (see ``latest_arrivals_h``). Inserting stop x between
        nodes a and b is feasible iff x is reached by its window end and b by ``latest`` --
        one test per position.
        """
        travel = self._travel_h(stops)
        serv = self.serv[stops]
        dep = departures_h(travel, serv, self.tw_e[stops])
        return dep, latest_arrivals_h(travel, serv, self.tw_l[stops], self.max_h)
