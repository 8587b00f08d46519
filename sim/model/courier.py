"""One courier's day: drive the planned stops under live traffic, attempt hand-overs, come back, settle costs."""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from sim.model.streams import LEG_NOISE, PRESENCE, SERVICE, parcel_uniform
from sim.model.traffic import loglogistic_minutes
from sim.records import ParcelState, TrailEvent

if TYPE_CHECKING:
    from sim.model.lastmile import LastMileDepot

STAGE = "last_mile"
# A courier takes the break once this far into the shift (midway, as driving-time rules require).
BREAK_AFTER_FRACTION = 0.5


@dataclass(frozen=True)
class Stop:
    """A place the courier stops at: a home (one parcel) or a pickup point (several)."""

    x_km: float
    y_km: float
    parcels: tuple[int, ...]
    pickup_point: int  # -1 for a home delivery
    volume_m3: float
    expected_service_h: float


@dataclass
class RouteOutcome:
    """What happened on a route, for costing and records."""

    delivered: list[int]
    failed: list[int]
    at_pickup_point: list[int]
    aborted: list[int]
    km: float = 0.0
    driving_h: float = 0.0
    service_h: float = 0.0


def drive_route(
    depot: LastMileDepot, route_id: int, day: int, stops: list[Stop], planned_km: float, planned_h: float
) -> Generator[simpy.Event, Any, None]:
    """SimPy process of one route, from leaving the depot to settling its cost."""
    ctx = depot.ctx
    env = ctx.env
    parcels = ctx.parcels
    area = depot.area
    fleet = depot.fleet
    traffic = depot.traffic
    geometry = depot.geometry
    trail = ctx.recorder.trail is not None
    start = env.now
    latest_return = start + fleet.shift_hours + fleet.max_overtime_hours
    break_h = fleet.break_minutes / 60.0
    break_due = start + BREAK_AFTER_FRACTION * fleet.shift_hours
    outcome = RouteOutcome([], [], [], [])
    depot_x, depot_y = float(geometry.depot_xy[0]), float(geometry.depot_xy[1])
    x, y = depot_x, depot_y
    at_depot = True
    for position, stop in enumerate(stops):
        km = geometry.road_km(x, y, stop.x_km, stop.y_km)
        back_km = geometry.road_km(stop.x_km, stop.y_km, depot_x, depot_y)
        expected_h = (
            depot.expected_leg_hours(km, at_depot)
            + stop.expected_service_h
            + depot.expected_leg_hours(back_km, True)
            + (break_h if env.now < break_due else 0.0)
        )
        if env.now + expected_h > latest_return:
            # Out of working time: the rest go back to the depot unattempted.
            for later in stops[position:]:
                outcome.aborted.extend(later.parcels)
            break
        first = stop.parcels[0]
        attempt = int(parcels.attempts[first])
        key = int(parcels.key[first])
        travel_h = depot.leg_hours(km, at_depot) * traffic.multiplier(env.now, parcel_uniform(key, LEG_NOISE, attempt))
        yield env.timeout(travel_h)
        outcome.km += km
        outcome.driving_h += travel_h
        x, y, at_depot = stop.x_km, stop.y_km, False
        if stop.pickup_point >= 0:
            service_h = stop.expected_service_h
            yield env.timeout(service_h)
            outcome.at_pickup_point.extend(stop.parcels)
            depot.hand_to_pickup_point(stop.parcels, env.now)
        else:
            hour = int(env.now % 24.0)
            absent_p = min(1.0, area.absence_probability * area.absence_hourly_factor[hour])
            absent = parcel_uniform(key, PRESENCE, attempt) < absent_p
            minutes = loglogistic_minutes(
                area.service_time_median_min, area.service_time_shape, parcel_uniform(key, SERVICE, attempt)
            ) * float(depot.products.service_time_multiplier[parcels.product[first]])
            if absent:
                minutes *= area.failed_attempt_time_factor
            service_h = minutes / 60.0
            yield env.timeout(service_h)
            parcels.attempts[first] += 1
            if absent:
                outcome.failed.append(first)
                if trail:
                    ctx.recorder.track(first, env.now, TrailEvent.ATTEMPT_FAILED)
            else:
                outcome.delivered.append(first)
                parcels.state[first] = ParcelState.DELIVERED
                parcels.delivered_time_h[first] = env.now
                parcels.first_attempt_success[first] = attempt == 0
                if trail:
                    ctx.recorder.track(first, env.now, TrailEvent.DELIVERED)
        outcome.service_h += service_h
        if env.now >= break_due and break_h > 0:
            yield env.timeout(break_h)
            break_due = math.inf
    km = geometry.road_km(x, y, depot_x, depot_y)
    if not at_depot:
        uniform = parcel_uniform(int(parcels.key[stops[0].parcels[0]]), LEG_NOISE, 1000)
        travel_h = depot.leg_hours(km, True) * traffic.multiplier(env.now, uniform)
        yield env.timeout(travel_h)
        outcome.km += km
        outcome.driving_h += travel_h
    depot.route_returned(outcome, env.now)
    settle_route(depot, route_id, day, start, len(stops), outcome, planned_km, planned_h)


def settle_route(
    depot: LastMileDepot,
    route_id: int,
    day: int,
    start_h: float,
    n_stops: int,
    outcome: RouteOutcome,
    planned_km: float,
    planned_h: float,
) -> None:
    """Post the route's cost to the ledger and allocate it to the parcels it attempted.

    Drivers are paid for the whole shift (a guaranteed shift) and overtime at a
    premium. Every attempted parcel carries an equal share of the route's
    vehicle and driver cost; the shares of failed attempts are booked under the
    component ``failed_attempt``, so the ledger says how much the failures cost.
    """
    ctx = depot.ctx
    now = ctx.env.now
    fleet = depot.fleet
    parcels = ctx.parcels
    duration_h = now - start_h
    overtime_h = max(0.0, duration_h - fleet.shift_hours)
    driver = fleet.driver_cost_per_hour * (fleet.shift_hours + overtime_h * fleet.overtime_multiplier)
    vehicle = outcome.km * fleet.cost_per_km
    attempted = len(outcome.delivered) + len(outcome.failed) + len(outcome.at_pickup_point)
    failed_share = len(outcome.failed) / attempted if attempted else 0.0
    ledger = ctx.ledger
    name = depot.name
    ledger.post(now, STAGE, "vehicle_distance", name, vehicle * (1.0 - failed_share))
    ledger.post(now, STAGE, "driver_time", name, driver * (1.0 - failed_share))
    ledger.post(now, STAGE, "failed_attempt", name, (vehicle + driver) * failed_share)
    handling = depot.policy.failed_attempt_handling_cost
    ledger.post(now, STAGE, "failed_attempt_handling", name, handling * len(outcome.failed))
    if attempted:
        share = (vehicle + driver) / attempted
        served = np.asarray(outcome.delivered + outcome.at_pickup_point, dtype=np.int64)
        parcels.last_mile_cost[served] += share
        failed = np.asarray(outcome.failed, dtype=np.int64)
        parcels.failed_attempt_cost[failed] += share + handling
    ctx.recorder.routes.append(
        (
            route_id, name, day, start_h, now, n_stops,
            attempted + len(outcome.aborted), len(outcome.delivered) + len(outcome.at_pickup_point),
            len(outcome.failed), len(outcome.aborted), outcome.km, planned_km, planned_h,
            outcome.driving_h, outcome.service_h, duration_h, overtime_h, vehicle + driver,
        )
    )
