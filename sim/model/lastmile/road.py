"""Road vehicles (vans, electric vans, cargo bikes): routes planned as a routing problem, then driven."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from sim.model.lastmile.courier import drive_route
from sim.model.lastmile.eligibility import ServiceRules
from sim.model.lastmile.jobs import PlannedJob, RouteJob
from sim.model.lastmile.ports import DepotPort
from sim.model.lastmile.setting import RoundSetting
from sim.model.lastmile.stops import StopList
from sim.model.lastmile.vehicles import UnitOps
from sim.routing import RoutingProblem, solve
from sim.scenario.schema import Routing


class RoadVehicle:
    """A unit of road vehicles: the day's routes come from the scenario's route planner."""

    def __init__(
        self, ops: UnitOps, setting: RoundSetting, depot: DepotPort, rules: ServiceRules, routing: Routing,
        planner_rng: np.random.Generator,
    ) -> None:
        self._ops = ops
        self.setting = setting
        self.depot = depot
        self.rules = rules
        self.routing = routing
        self.planner_rng = planner_rng  # the depot's, shared by its units: one seed is drawn per plan

    @property
    def ops(self) -> UnitOps:
        """The unit of road vehicles."""
        return self._ops

    def eligible(self, stops: StopList) -> np.ndarray:
        """The vehicle type's rules decide alone."""
        return self.rules.mask(stops)

    def plan(self, stops: StopList, candidates: np.ndarray, depart_hour: float) -> list[PlannedJob]:
        """Plan the unit's routes over the candidates; stops that fit no route are left out."""
        problem = self.problem(stops.take(candidates), depart_hour)
        seed = int(self.planner_rng.integers(0, 2**31 - 1))
        result = solve(problem, seed=seed, budget=self.routing.time_budget_s, planner=self.routing.planner)
        return [PlannedJob(candidates[route.stops], route.distance_km, route.duration_h) for route in result.routes]

    def problem(self, stops: StopList, depart_hour: float) -> RoutingProblem:
        """The routing problem of this unit: its speeds, capacity, range, and the stops' windows.

        Windows are in hours after departure; they are only set when a stop has a
        slot or the area's delivery hours cut into the shift.
        """
        ops = self._ops
        vehicle = ops.vehicle
        area = self.setting.area
        working_h = self.setting.working_h
        open_h, close_h = area.delivery_hours
        windows = None
        if stops.has_window.any() or open_h > depart_hour or close_h < depart_hour + working_h:
            start = np.maximum(open_h, stops.window_open) - depart_hour
            end = np.minimum(close_h, np.where(stops.has_window, stops.window_close, 24.0)) - depart_hour
            windows = (np.maximum(start, 0.0), end)
        matrices = self._matrices(stops)
        return RoutingProblem(
            depot_xy=ops.start_xy,
            stop_xy=np.column_stack((stops.x_km, stops.y_km)),
            stop_volume_m3=stops.volume_m3,
            stop_service_h=stops.expected_service_h * vehicle.service_time_factor,
            stop_priority=np.arange(len(stops)),
            vehicle_capacity_m3=vehicle.capacity_m3,
            max_route_hours=working_h,
            max_routes=ops.unit.count,
            circuity=area.circuity,
            area_speed_kmh=ops.area_speed_kmh / ops.expected_congestion,
            stem_speed_kmh=ops.stem_speed_kmh / ops.expected_congestion,
            stop_weight_kg=stops.weight_kg,
            vehicle_payload_kg=vehicle.payload_kg,
            max_route_km=vehicle.range_km,
            stop_tw_start_h=None if windows is None else windows[0],
            stop_tw_end_h=None if windows is None else windows[1],
            travel_km=matrices[0] if matrices else None,
            travel_h=matrices[1] if matrices else None,
        )

    def _matrices(self, stops: StopList) -> tuple[np.ndarray, np.ndarray] | None:
        """On a road network or a user's matrix: km and planned hours over [start point, *stops], else nothing.

        Planned hours are the network's free-flow hours over the vehicle's speed factor
        times the shift's expected congestion -- the same expectation the circuity model
        plans with (its speeds are divided by that congestion).
        """
        travel = self.setting.geometry.travel
        if travel is None:
            return None
        ops = self._ops
        points = np.concatenate((np.asarray(ops.start_xy, dtype=float).reshape(1, 2),
                                 np.column_stack((stops.x_km, stops.y_km))))
        km, hours = travel.matrix(points)
        return km, hours / ops.vehicle.speed_factor * ops.expected_congestion

    def process(self, job: RouteJob) -> Generator[simpy.Event, Any, None]:
        """The courier's round."""
        return drive_route(self.setting, self.depot, job)
