"""One courier's round: drive the planned stops under live traffic, attempt hand-overs, come back."""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import simpy

from sim.model.lastmile.jobs import RouteJob, RouteOutcome
from sim.model.lastmile.ports import DepotPort
from sim.model.lastmile.setting import RoundSetting
from sim.model.lastmile.traffic import loglogistic_minutes
from sim.model.streams import LEG_NOISE, PRESENCE, SERVICE, parcel_uniform
from sim.records import ParcelState, TrailEvent


def drive_route(setting: RoundSetting, depot: DepotPort, job: RouteJob) -> Generator[simpy.Event, Any, None]:
    """SimPy process of one route, from leaving the start point to reporting back to the depot."""
    ctx = setting.ctx
    env = ctx.env
    parcels = ctx.parcels
    area = setting.area
    fleet = setting.fleet
    ops = job.ops
    exposure = ops.vehicle.congestion_exposure
    geometry = setting.geometry
    traffic = setting.traffic
    service_multiplier = setting.products.service_time_multiplier
    trail = ctx.recorder.trail is not None
    start = env.now
    day_start = job.day * 24.0
    handover_from = day_start + area.delivery_hours[0]
    handover_until = day_start + area.delivery_hours[1]  # local curfew
    latest_return = start + fleet.shift_hours + fleet.max_overtime_hours
    break_h = fleet.break_minutes / 60.0
    break_due = start + min(fleet.break_after_hours, fleet.shift_hours / 2.0) if break_h > 0 else math.inf
    outcome = RouteOutcome()
    home_x, home_y = float(ops.start_xy[0]), float(ops.start_xy[1])
    x, y = home_x, home_y
    at_start = True
    for position, stop in enumerate(job.stops):
        km = geometry.road_km(x, y, stop.x_km, stop.y_km)
        back_km = geometry.road_km(stop.x_km, stop.y_km, home_x, home_y)
        reach_h = ops.expected_leg_hours(km, at_start)
        expected_h = reach_h + stop.expected_service_h + ops.expected_leg_hours(back_km, True)
        if env.now < break_due:
            expected_h += break_h
        if env.now + expected_h > latest_return or env.now + reach_h > handover_until:
            # Out of working time or into the curfew: the rest go back unattempted.
            for later in job.stops[position:]:
                outcome.aborted.extend(later.parcels)
            break
        first = stop.parcels[0]
        attempt = int(parcels.attempts[first])
        key = int(parcels.key[first])
        travel_h = ops.leg_hours(km, at_start) * traffic.multiplier(
            env.now, parcel_uniform(key, LEG_NOISE, attempt), exposure
        )
        yield env.timeout(travel_h)
        outcome.km += km
        outcome.driving_h += travel_h
        x, y, at_start = stop.x_km, stop.y_km, False
        window_open = handover_from
        if stop.window is not None:
            outcome.window_stops += 1
            window_open = max(window_open, day_start + stop.window[0])
            if env.now > day_start + stop.window[1]:
                outcome.late_stops += 1
        if env.now < window_open:  # early: wait for the slot or the end of the curfew
            yield env.timeout(window_open - env.now)
        if stop.pickup_point >= 0:
            service_h = stop.expected_service_h
            yield env.timeout(service_h)
            outcome.at_pickup_point.extend(stop.parcels)
            depot.hand_to_pickup_point(stop.parcels, env.now)
        else:
            hour = int(env.now % 24.0)
            absent_p = min(1.0, area.absence_probability * area.absence_hourly_factor[hour])
            if stop.window is not None:
                absent_p *= area.time_windows.absence_factor
            arrived = env.now
            service_h = 0.0
            # Several parcels at one address: the first takes the full hand-over, the others a little more.
            for position_at_stop, parcel_id in enumerate(stop.parcels):
                parcel_key = int(parcels.key[parcel_id])
                parcel_attempt = int(parcels.attempts[parcel_id])
                absent = parcel_uniform(parcel_key, PRESENCE, parcel_attempt) < absent_p
                if position_at_stop == 0:
                    minutes = loglogistic_minutes(
                        area.service_time_median_min, area.service_time_shape,
                        parcel_uniform(parcel_key, SERVICE, parcel_attempt),
                    ) * float(service_multiplier[parcels.product[parcel_id]])
                    minutes *= ops.vehicle.service_time_factor
                    if absent:
                        minutes *= area.failed_attempt_time_factor
                else:
                    minutes = area.extra_parcel_service_min
                yield env.timeout(minutes / 60.0)
                service_h += minutes / 60.0
                parcels.attempts[parcel_id] += 1
                parcels.vehicle[parcel_id] = ops.index
                if stop.window is not None:
                    parcels.slot_kept[parcel_id] = int(arrived <= day_start + stop.window[1])
                if absent:
                    outcome.failed.append(parcel_id)
                    if trail:
                        ctx.recorder.track(parcel_id, env.now, TrailEvent.ATTEMPT_FAILED)
                else:
                    outcome.delivered.append(parcel_id)
                    parcels.state[parcel_id] = ParcelState.DELIVERED
                    parcels.delivered_time_h[parcel_id] = env.now
                    parcels.first_attempt_success[parcel_id] = parcel_attempt == 0
                    if trail:
                        ctx.recorder.track(parcel_id, env.now, TrailEvent.DELIVERED)
        outcome.service_h += service_h
        if env.now >= break_due:
            yield env.timeout(break_h)
            break_due = math.inf
    km = geometry.road_km(x, y, home_x, home_y)
    if not at_start:
        uniform = parcel_uniform(int(parcels.key[job.stops[0].parcels[0]]), LEG_NOISE, 1000)
        travel_h = ops.leg_hours(km, True) * traffic.multiplier(env.now, uniform, exposure)
        yield env.timeout(travel_h)
        outcome.km += km
        outcome.driving_h += travel_h
    depot.route_finished(job, start, outcome)
