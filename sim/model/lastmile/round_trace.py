"""A courier's round computed ahead, at departure: every arrival, hand-over and draw, with no kernel event.

Nothing a round depends on changes while it runs: the traffic profile and day
factors are fixed, and every random effect on the way (leg noise, presence at
home, service time) is a draw keyed by the parcel, its purpose and its attempt
(``parcel_uniform``), not a draw from a shared stream. So the whole round is a
pure function of its start time and its stops, and it is traced here with the
same arithmetic, in the same order, as a process yielding one timeout per step
would do (``t = t + delay``, as SimPy's clock does), which keeps the numbers
bit for bit. The process (``sim.model.lastmile.courier``) then only waits for
the moments the rest of the world must see: parcels left at a pickup point, and
the return.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sim.model.lastmile.jobs import RouteJob, RouteOutcome
from sim.model.lastmile.noise_kernel import leg_noise_factors
from sim.model.lastmile.round_kernel import walk_round
from sim.model.lastmile.setting import RoundSetting
from sim.model.lastmile.stops import StopList
from sim.model.lastmile.vehicles import UnitOps
from sim.model.streams import LEG_NOISE, PRESENCE, SERVICE, parcel_uniform, parcel_uniforms
from sim.records import TrailEvent

# The return leg's noise is keyed by the round's first parcel with this attempt number,
# apart from any real attempt (at most a handful).
RETURN_LEG_ATTEMPT = 1000


@dataclass
class RoundTrace:
    """What a round does, in order: its outcome and the writes it makes to the parcels, with their times."""

    outcome: RouteOutcome = field(default_factory=RouteOutcome)
    end_h: float = 0.0
    moved: bool = False  # whether the round left its start point (a round that did not ends at once)
    attempted: list[int] = field(default_factory=list)  # parcels handed over or tried at the door
    slot_kept: list[tuple[int, int]] = field(default_factory=list)  # (parcel, 1 if the slot was kept else 0)
    delivered_at: list[float] = field(default_factory=list)  # hand-over time of each outcome.delivered parcel
    first_attempt: list[bool] = field(default_factory=list)  # whether each delivered parcel was on its first try
    trail: list[tuple[int, float, TrailEvent]] = field(default_factory=list)
    # (time, parcels) of each pickup-point stop, when its parcels are left there.
    pickup_handovers: list[tuple[float, tuple[int, ...]]] = field(default_factory=list)


def trace_round(setting: RoundSetting, job: RouteJob, start_h: float) -> RoundTrace:
    """The round ``job`` as it will happen when it leaves at ``start_h``; nothing is written to the parcels."""
    trace = RoundTrace()
    if len(job.stops) == 0:
        trace.end_h = start_h
        return trace
    parcels = setting.ctx.parcels
    area = setting.area
    fleet = setting.fleet
    ops = job.ops
    traffic = setting.traffic
    stops = job.stops
    day_start = job.day * 24.0
    break_h = fleet.break_minutes / 60.0
    home_x, home_y = float(ops.start_xy[0]), float(ops.start_xy[1])
    km_in, km_back, h_in, h_back = round_legs(setting, ops, home_x, home_y, stops)
    counts = stops.counts()
    firsts = stops.offsets[:-1]
    # Every parcel-keyed draw of the round at once, in stop order: the leg to each stop is keyed
    # by its first parcel; presence and service by each parcel.
    ids = stops.parcel_ids
    keys, attempts = parcels.key[ids], parcels.attempts[ids]
    leg_noise = leg_noise_factors(parcel_uniforms(keys[firsts], LEG_NOISE, attempts[firsts]), traffic.leg_sigma)
    return_noise = traffic.leg_noise(parcel_uniform(int(keys[0]), LEG_NOISE, RETURN_LEG_ATTEMPT))
    stop_status = np.zeros(len(stops), dtype=np.int8)
    stop_time = np.zeros(len(stops))
    absent = np.zeros(len(ids), dtype=np.bool_)
    parcel_time = np.zeros(len(ids))
    slot_kept = np.full(len(ids), -1, dtype=np.int8)
    totals = np.zeros(5)
    trace.end_h = walk_round(
        start_h, day_start, day_start + area.delivery_hours[0], day_start + area.delivery_hours[1],
        start_h + fleet.shift_hours + fleet.max_overtime_hours, break_h,
        start_h + min(fleet.break_after_hours, fleet.shift_hours / 2.0) if break_h > 0 else math.inf,
        ops.expected_congestion, ops.vehicle.congestion_exposure,
        traffic.congestion_array, traffic.day_factor, area.absence_probability,
        np.asarray(area.absence_hourly_factor, dtype=np.float64), area.time_windows.absence_factor,
        area.service_time_median_min, area.service_time_shape, ops.vehicle.service_time_factor,
        area.failed_attempt_time_factor, area.extra_parcel_service_min,
        km_in, km_back, h_in, h_back, stops.expected_service_h, stops.window_open, stops.window_close,
        stops.has_window, stops.pickup_point >= 0, firsts, counts, leg_noise, return_noise,
        parcel_uniforms(keys, PRESENCE, attempts), parcel_uniforms(keys, SERVICE, attempts),
        setting.products.service_time_multiplier[parcels.product[ids]].astype(np.float64),
        stop_status, stop_time, absent, parcel_time, slot_kept, totals,
    )
    _collect(trace, setting, stops, ids, attempts, stop_status, stop_time, absent, parcel_time, slot_kept,
             totals)
    return trace


def round_legs(setting: RoundSetting, ops: UnitOps, home_x: float, home_y: float,
               stops: StopList) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Km and free-flow hours of the legs into each stop (the first from home) and from each stop home.

    Circuity model: distances in Python (math.hypot), as planning computes them, and hours
    at the unit's stem speed (legs from or to home) or area speed. On a network: the
    network's km and free-flow hours, the hours divided by the vehicle's speed factor.
    """
    xs, ys = stops.x_km.tolist(), stops.y_km.tolist()
    travel = setting.geometry.travel
    if travel is None:
        road_km = setting.geometry.road_km
        km_in = np.array([road_km(x0, y0, x, y) for x0, y0, x, y in
                          zip([home_x, *xs[:-1]], [home_y, *ys[:-1]], xs, ys, strict=True)])
        km_back = np.array([road_km(x, y, home_x, home_y) for x, y in zip(xs, ys, strict=True)])
        speed = np.full(len(xs), ops.area_speed_kmh)
        speed[0] = ops.stem_speed_kmh
        return km_in, km_back, km_in / speed, km_back / ops.stem_speed_kmh
    points = np.column_stack((stops.x_km, stops.y_km))
    home = np.array([[home_x, home_y]])
    km_in, h_in = travel.legs(np.concatenate((home, points[:-1])), points)
    km_back, h_back = travel.legs(points, np.repeat(home, len(points), axis=0))
    factor = ops.vehicle.speed_factor
    return km_in, km_back, h_in / factor, h_back / factor


def _collect(
    trace: RoundTrace, setting: RoundSetting, stops: StopList, ids: np.ndarray,
    attempts: np.ndarray, stop_status: np.ndarray, stop_time: np.ndarray, absent: np.ndarray,
    parcel_time: np.ndarray, slot_kept: np.ndarray, totals: np.ndarray,
) -> None:
    """Turn the walk's arrays into the round's outcome and its writes, in the order they happened."""
    outcome = trace.outcome
    outcome.km, outcome.driving_h, outcome.service_h = float(totals[0]), float(totals[1]), float(totals[2])
    outcome.window_stops, outcome.late_stops = int(totals[3]), int(totals[4])
    visited = int(np.count_nonzero(stop_status))
    trace.moved = visited > 0
    keep_trail = setting.ctx.recorder.trail is not None
    absent_list, time_list, kept_list = absent.tolist(), parcel_time.tolist(), slot_kept.tolist()
    first_try = (attempts == 0).tolist()
    id_list, bounds, points = ids.tolist(), stops.offsets.tolist(), stops.pickup_point.tolist()
    for position in range(visited):
        first, end = bounds[position], bounds[position + 1]
        if points[position] >= 0:
            outcome.at_pickup_point.extend(id_list[first:end])
            trace.pickup_handovers.append((float(stop_time[position]), tuple(id_list[first:end])))
            continue
        for index in range(first, end):
            parcel_id = id_list[index]
            trace.attempted.append(parcel_id)
            if kept_list[index] >= 0:
                trace.slot_kept.append((parcel_id, kept_list[index]))
            if absent_list[index]:
                outcome.failed.append(parcel_id)
                if keep_trail:
                    trace.trail.append((parcel_id, time_list[index], TrailEvent.ATTEMPT_FAILED))
            else:
                outcome.delivered.append(parcel_id)
                trace.delivered_at.append(time_list[index])
                trace.first_attempt.append(first_try[index])
                if keep_trail:
                    trace.trail.append((parcel_id, time_list[index], TrailEvent.DELIVERED))
    outcome.aborted.extend(id_list[bounds[visited]:])
