"""Drone deliveries: out-and-back sorties from the depot, one parcel each, nobody needs to be at home."""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from sim.model.lastmile.eligibility import ServiceRules
from sim.model.lastmile.jobs import PlannedJob, RouteJob, RouteOutcome
from sim.model.lastmile.ports import DepotPort
from sim.model.lastmile.setting import RoundSetting
from sim.model.lastmile.stops import Stop, StopList
from sim.model.lastmile.traffic import loglogistic_minutes
from sim.model.lastmile.vehicles import UnitOps
from sim.model.streams import SERVICE, parcel_uniform
from sim.records import ParcelState, TrailEvent


def sortie_hours(ops: UnitOps, stop: Stop) -> float:
    """Planned duration of one sortie: fly out and back in a straight line, hand over, swap batteries."""
    km = math.hypot(stop.x_km - ops.start_xy[0], stop.y_km - ops.start_xy[1])
    cruise = ops.vehicle.cruise_speed_kmh or 1.0
    return 2.0 * km / cruise + stop.expected_service_h + ops.vehicle.sortie_turnaround_min / 60.0


def plan_sorties(ops: UnitOps, stops: StopList, candidates: np.ndarray, hours: float) -> list[list[int]]:
    """Assign stops (most urgent first) to the drone with the most time left, while it has time.

    Returns one list of stop indices per drone; stops beyond every drone's
    working time or range stay unassigned.
    """
    drones = ops.unit.count
    used = np.zeros(drones)
    plan: list[list[int]] = [[] for _ in range(drones)]
    for index in candidates.tolist():
        stop = stops[index]
        km = math.hypot(stop.x_km - ops.start_xy[0], stop.y_km - ops.start_xy[1])
        if 2.0 * km > ops.vehicle.range_km:
            continue
        need = sortie_hours(ops, stop)
        drone = int(np.argmin(used))
        if used[drone] + need <= hours:
            used[drone] += need
            plan[drone].append(index)
    return plan


def fly_sorties(setting: RoundSetting, depot: DepotPort, job: RouteJob) -> Generator[simpy.Event, Any, None]:
    """SimPy process of one drone's day: its sorties one after another."""
    ctx = setting.ctx
    env = ctx.env
    parcels = ctx.parcels
    ops = job.ops
    cruise = ops.vehicle.cruise_speed_kmh or 1.0
    turnaround_h = ops.vehicle.sortie_turnaround_min / 60.0
    area = setting.area
    start = env.now
    outcome = RouteOutcome()
    for stop in job.stops:
        parcel_id = stop.parcels[0]
        km = math.hypot(stop.x_km - ops.start_xy[0], stop.y_km - ops.start_xy[1])
        flight_h = km / cruise
        yield env.timeout(flight_h)
        minutes = loglogistic_minutes(
            area.service_time_median_min, area.service_time_shape,
            parcel_uniform(int(parcels.key[parcel_id]), SERVICE, int(parcels.attempts[parcel_id])),
        ) * ops.vehicle.service_time_factor
        yield env.timeout(minutes / 60.0)
        parcels.attempts[parcel_id] += 1
        parcels.vehicle[parcel_id] = ops.index
        parcels.route[parcel_id] = job.route_id
        parcels.state[parcel_id] = ParcelState.DELIVERED
        parcels.delivered_time_h[parcel_id] = env.now
        parcels.first_attempt_success[parcel_id] = parcels.attempts[parcel_id] == 1
        ctx.recorder.track(parcel_id, env.now, TrailEvent.DELIVERED)
        outcome.delivered.append(parcel_id)
        yield env.timeout(flight_h + turnaround_h)
        outcome.km += 2.0 * km
        outcome.driving_h += 2.0 * flight_h
        outcome.service_h += minutes / 60.0 + turnaround_h
    depot.route_finished(job, start, outcome)


class Drone:
    """A drone unit: out-and-back sorties to homes without a slot, planned greedily, flown one by one."""

    def __init__(self, ops: UnitOps, setting: RoundSetting, depot: DepotPort, rules: ServiceRules) -> None:
        self._ops = ops
        self.setting = setting
        self.depot = depot
        self.rules = rules

    @property
    def ops(self) -> UnitOps:
        """The drone unit."""
        return self._ops

    def eligible(self, stops: StopList) -> np.ndarray:
        """The vehicle type's rules, and only home stops without a slot: a drone cannot keep a window."""
        mask = self.rules.mask(stops)
        mask &= (stops.pickup_point < 0) & ~stops.has_window
        return mask

    def plan(self, stops: StopList, candidates: np.ndarray, depart_hour: float) -> list[PlannedJob]:
        """One job per drone with any sortie: straight-line km out and back, planned sortie hours."""
        ops = self._ops
        plan = plan_sorties(ops, stops, candidates, self.setting.fleet.shift_hours)
        return [
            PlannedJob(np.asarray(sorties, dtype=np.int64),
                       2.0 * sum(math.hypot(stops[i].x_km - ops.start_xy[0], stops[i].y_km - ops.start_xy[1])
                                 for i in sorties),
                       sum(sortie_hours(ops, stops[i]) for i in sorties))
            for sorties in plan if sorties
        ]

    def process(self, job: RouteJob) -> Generator[simpy.Event, Any, None]:
        """The drone's day of sorties."""
        return fly_sorties(self.setting, self.depot, job)
