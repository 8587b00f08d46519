"""Drone deliveries: out-and-back sorties from the depot, one parcel each, nobody needs to be at home."""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from sim.model.courier import RouteJob, RouteOutcome, Stop, settle_route
from sim.model.streams import SERVICE, parcel_uniform
from sim.model.traffic import loglogistic_minutes
from sim.model.vehicles import UnitOps
from sim.records import ParcelState, TrailEvent

if TYPE_CHECKING:
    from sim.model.lastmile import LastMileDepot


def sortie_hours(ops: UnitOps, stop: Stop) -> float:
    """Planned duration of one sortie: fly out and back in a straight line, hand over, swap batteries."""
    km = math.hypot(stop.x_km - ops.start_xy[0], stop.y_km - ops.start_xy[1])
    cruise = ops.vehicle.cruise_speed_kmh or 1.0
    return 2.0 * km / cruise + stop.expected_service_h + ops.vehicle.sortie_turnaround_min / 60.0


def plan_sorties(ops: UnitOps, stops: list[Stop], candidates: np.ndarray, hours: float) -> list[list[int]]:
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


def fly_sorties(depot: LastMileDepot, job: RouteJob) -> Generator[simpy.Event, Any, None]:
    """SimPy process of one drone's day: its sorties one after another."""
    ctx = depot.ctx
    env = ctx.env
    parcels = ctx.parcels
    ops = job.ops
    cruise = ops.vehicle.cruise_speed_kmh or 1.0
    turnaround_h = ops.vehicle.sortie_turnaround_min / 60.0
    area = depot.area
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
        parcels.state[parcel_id] = ParcelState.DELIVERED
        parcels.delivered_time_h[parcel_id] = env.now
        parcels.first_attempt_success[parcel_id] = parcels.attempts[parcel_id] == 1
        ctx.recorder.track(parcel_id, env.now, TrailEvent.DELIVERED)
        outcome.delivered.append(parcel_id)
        yield env.timeout(flight_h + turnaround_h)
        outcome.km += 2.0 * km
        outcome.driving_h += 2.0 * flight_h
        outcome.service_h += minutes / 60.0 + turnaround_h
    depot.route_returned(outcome, env.now)
    settle_route(depot, job, start, outcome)
