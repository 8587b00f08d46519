"""The round trace written as plain Python, step by step: the reference the compiled walk is tested against."""

from __future__ import annotations

import math

import numpy as np

from sim.model.lastmile.jobs import RouteJob
from sim.model.lastmile.round_trace import RETURN_LEG_ATTEMPT, RoundTrace
from sim.model.lastmile.setting import RoundSetting
from sim.model.lastmile.traffic import loglogistic_minutes
from sim.model.streams import LEG_NOISE, PRESENCE, SERVICE, parcel_uniform, parcel_uniforms
from sim.records import TrailEvent


def reference_trace(setting: RoundSetting, job: RouteJob, start_h: float) -> RoundTrace:
    """``trace_round`` computed the slow, obvious way."""
    parcels = setting.ctx.parcels
    area = setting.area
    fleet = setting.fleet
    ops = job.ops
    exposure = ops.vehicle.congestion_exposure
    service_factor = ops.vehicle.service_time_factor
    geometry = setting.geometry
    traffic = setting.traffic
    service_multiplier = setting.products.service_time_multiplier
    keep_trail = setting.ctx.recorder.trail is not None
    trace = RoundTrace()
    outcome = trace.outcome
    if not job.stops:
        trace.end_h = start_h
        return trace
    now = start_h
    day_start = job.day * 24.0
    handover_from = day_start + area.delivery_hours[0]
    handover_until = day_start + area.delivery_hours[1]  # local curfew
    latest_return = start_h + fleet.shift_hours + fleet.max_overtime_hours
    break_h = fleet.break_minutes / 60.0
    break_due = start_h + min(fleet.break_after_hours, fleet.shift_hours / 2.0) if break_h > 0 else math.inf
    home_x, home_y = float(ops.start_xy[0]), float(ops.start_xy[1])
    x, y = home_x, home_y
    at_start = True
    # Every parcel-keyed draw of the round at once, in stop order: the leg to each stop is keyed
    # by its first parcel; presence and service by each parcel.
    ids = np.fromiter((p for stop in job.stops for p in stop.parcels), dtype=np.int64)
    keys, attempts = parcels.key[ids], parcels.attempts[ids]
    firsts = np.cumsum([0] + [len(stop.parcels) for stop in job.stops[:-1]])
    leg_uniform = parcel_uniforms(keys[firsts], LEG_NOISE, attempts[firsts]).tolist()
    presence_uniform = parcel_uniforms(keys, PRESENCE, attempts).tolist()
    service_uniform = parcel_uniforms(keys, SERVICE, attempts).tolist()
    first_try = (attempts == 0).tolist()
    products = parcels.product[ids].tolist()
    for position, stop in enumerate(job.stops):
        km = geometry.road_km(x, y, stop.x_km, stop.y_km)
        back_km = geometry.road_km(stop.x_km, stop.y_km, home_x, home_y)
        reach_h = ops.expected_leg_hours(km, at_start)
        expected_h = reach_h + stop.expected_service_h + ops.expected_leg_hours(back_km, True)
        if now < break_due:
            expected_h += break_h
        if now + expected_h > latest_return or now + reach_h > handover_until:
            # Out of working time or into the curfew: the rest go back unattempted.
            for later in job.stops[position:]:
                outcome.aborted.extend(later.parcels)
            break
        travel_h = ops.leg_hours(km, at_start) * traffic.multiplier(now, leg_uniform[position], exposure)
        now = now + travel_h
        trace.moved = True
        outcome.km += km
        outcome.driving_h += travel_h
        x, y, at_start = stop.x_km, stop.y_km, False
        window_open = handover_from
        if stop.window is not None:
            outcome.window_stops += 1
            window_open = max(window_open, day_start + stop.window[0])
            if now > day_start + stop.window[1]:
                outcome.late_stops += 1
        if now < window_open:  # early: wait for the slot or the end of the curfew
            now = now + (window_open - now)
        if stop.pickup_point >= 0:
            service_h = stop.expected_service_h
            now = now + service_h
            outcome.at_pickup_point.extend(stop.parcels)
            trace.pickup_handovers.append((now, stop.parcels))
        else:
            hour = int(now % 24.0)
            absent_p = min(1.0, area.absence_probability * area.absence_hourly_factor[hour])
            if stop.window is not None:
                absent_p *= area.time_windows.absence_factor
            arrived = now
            service_h = 0.0
            # Several parcels at one address: the first takes the full hand-over, the others a little more.
            first = int(firsts[position])
            for position_at_stop, parcel_id in enumerate(stop.parcels):
                index = first + position_at_stop
                absent = presence_uniform[index] < absent_p
                if position_at_stop == 0:
                    minutes = loglogistic_minutes(
                        area.service_time_median_min, area.service_time_shape, service_uniform[index],
                    ) * float(service_multiplier[products[index]])
                    minutes *= service_factor
                    if absent:
                        minutes *= area.failed_attempt_time_factor
                else:
                    minutes = area.extra_parcel_service_min
                now = now + minutes / 60.0
                service_h += minutes / 60.0
                trace.attempted.append(parcel_id)
                if stop.window is not None:
                    trace.slot_kept.append((parcel_id, int(arrived <= day_start + stop.window[1])))
                if absent:
                    outcome.failed.append(parcel_id)
                    if keep_trail:
                        trace.trail.append((parcel_id, now, TrailEvent.ATTEMPT_FAILED))
                else:
                    outcome.delivered.append(parcel_id)
                    trace.delivered_at.append(now)
                    trace.first_attempt.append(first_try[index])
                    if keep_trail:
                        trace.trail.append((parcel_id, now, TrailEvent.DELIVERED))
        outcome.service_h += service_h
        if now >= break_due:
            now = now + break_h
            break_due = math.inf
    if not at_start:
        km = geometry.road_km(x, y, home_x, home_y)
        uniform = parcel_uniform(int(parcels.key[job.stops[0].parcels[0]]), LEG_NOISE, RETURN_LEG_ATTEMPT)
        travel_h = ops.leg_hours(km, True) * traffic.multiplier(now, uniform, exposure)
        now = now + travel_h
        outcome.km += km
        outcome.driving_h += travel_h
    trace.end_h = now
    return trace
