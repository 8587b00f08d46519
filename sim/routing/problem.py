"""The routing problem of one depot-day: stops, fleet, travel model, limits and prices."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Pricing:
    """What a plan costs: per road km, per route hour and per route used.

    Prices only value a finished solution (``Solution.cost``); no planner looks at them,
    so changing a price never changes a plan.
    """

    cost_per_km: float = 1.0
    cost_per_hour: float = 0.0
    fixed_cost_per_route: float = 0.0


@dataclass(frozen=True)
class RoutingProblem:
    """One depot-day's stops and the fleet that serves them (coordinates in km).

    Travel model: road distance = ``circuity`` x euclidean distance; a leg that starts or
    ends at the depot (a "stem") is driven at ``stem_speed_kmh``, every other leg at
    ``area_speed_kmh``; a route's duration is its leg times plus the ``stop_service_h`` of
    its stops plus any wait for a window to open (see ``sim.routing.schedule``).

    Every optional constraint defaults to "off". Time windows are in hours after the
    route leaves the depot (at 0): a courier who arrives before ``stop_tw_start_h`` waits,
    and arriving after ``stop_tw_end_h`` is infeasible (service may run past the end).
    The three prices default to "cost = planned road km".

    **Travel matrices** (optional, both or neither): ``travel_km`` and ``travel_h``, shape
    (n + 1, n + 1) over the nodes [depot, *stops] (node 0 is the depot, node i + 1 is stop
    i; row = from, column = to, so they may be asymmetric), replace the travel model
    above: every leg's road km and planned hours are read from them, and ``circuity`` and
    the two speeds only serve construction on the coordinates (``sim.routing.matrix_planner``).
    """

    depot_xy: np.ndarray  # shape (2,), km
    stop_xy: np.ndarray  # shape (n, 2), km
    stop_volume_m3: np.ndarray  # shape (n,), load of each stop (sum of its parcels)
    stop_service_h: np.ndarray  # shape (n,), expected service time at each stop, hours
    stop_priority: np.ndarray  # shape (n,), int; lower = more urgent
    vehicle_capacity_m3: float
    max_route_hours: float  # planned route duration limit (drive + service + waits), hours
    max_routes: int  # vehicles available
    circuity: float  # road distance = circuity * euclidean distance
    area_speed_kmh: float  # expected speed between two stops
    stem_speed_kmh: float  # expected speed on legs that start or end at the depot
    stop_weight_kg: np.ndarray | None = None  # shape (n,); second capacity dimension
    vehicle_payload_kg: float = math.inf
    max_route_km: float = math.inf  # vehicle range: planned road km of one route
    max_stops_per_route: int | None = None  # e.g. 1 for drone sorties
    stop_tw_start_h: np.ndarray | None = None  # shape (n,); hours after departure
    stop_tw_end_h: np.ndarray | None = None  # shape (n,); latest arrival, hours after departure
    cost_per_km: float = 1.0
    cost_per_hour: float = 0.0
    fixed_cost_per_route: float = 0.0
    travel_km: np.ndarray | None = None  # shape (n + 1, n + 1): road km, node 0 = depot
    travel_h: np.ndarray | None = None  # shape (n + 1, n + 1): planned travel hours, node 0 = depot

    @property
    def has_matrix(self) -> bool:
        """Whether legs are read from travel matrices instead of the coordinates."""
        return self.travel_km is not None

    @property
    def num_stops(self) -> int:
        """Number of stops."""
        return len(np.asarray(self.stop_xy).reshape(-1, 2))

    @property
    def has_windows(self) -> bool:
        """Whether any stop has a window start or end."""
        return self.stop_tw_start_h is not None or self.stop_tw_end_h is not None

    @property
    def pricing(self) -> Pricing:
        """The problem's prices, as carried by its solutions."""
        return Pricing(self.cost_per_km, self.cost_per_hour, self.fixed_cost_per_route)
