"""The compiled core of a round's trace: the clock walked stop by stop over plain arrays.

``sim.model.lastmile.round_trace`` gathers a round into arrays (distances, the
legs' noise factors, the parcels' presence and service draws) and calls
``walk_round``, which does the arithmetic of a courier's day in the order a
SimPy process yielding one timeout per step would (``t = t + delay``), so the
times and totals are bit for bit the same. Compiled with numba (fastmath off,
so the floating-point operations are exactly those written here; cached on
disk, so a machine compiles it once).
"""

from __future__ import annotations

import numpy as np
from numba import njit

# Per-stop outcome codes in ``stop_status``.
NOT_REACHED = 0  # the round ended before this stop (out of working time or into the curfew)
VISITED = 1


@njit(cache=True)
def walk_round(
    start_h: float, day_start: float, handover_from: float, handover_until: float, latest_return: float,
    break_h: float, break_due: float, expected_congestion: float,
    exposure: float, congestion: np.ndarray, day_factor: np.ndarray, absence_probability: float,
    absence_hourly: np.ndarray, window_absence_factor: float, service_median_min: float, service_shape: float,
    service_factor: float, failed_time_factor: float, extra_parcel_min: float,
    km_in: np.ndarray, km_back: np.ndarray, h_in: np.ndarray, h_back: np.ndarray,
    expected_service_h: np.ndarray, window_open: np.ndarray,
    window_close: np.ndarray, has_window: np.ndarray, is_pickup: np.ndarray, first_parcel: np.ndarray,
    parcel_count: np.ndarray, leg_noise: np.ndarray, return_noise: float, presence: np.ndarray,
    service: np.ndarray, product_multiplier: np.ndarray,
    stop_status: np.ndarray, stop_time: np.ndarray, parcel_absent: np.ndarray, parcel_time: np.ndarray,
    parcel_slot_kept: np.ndarray, totals: np.ndarray,
) -> float:
    """Walk one round; fill the output arrays and return the time it is back (or its start, if it never left).

    ``totals`` receives km, driving hours, service hours, window stops, late stops.
    ``stop_time`` is the time a pickup-point stop's parcels are left there.
    ``parcel_slot_kept`` is -1 for parcels without a slot.
    ``h_in`` / ``h_back`` are the free-flow hours of the legs into each stop (the first
    from the start point) and from each stop back to the start point; congestion and
    the legs' noise are applied here.
    """
    now = start_h
    at_start = True
    km_total = 0.0
    driving = 0.0
    service_total = 0.0
    window_stops = 0
    late_stops = 0
    for s in range(km_in.shape[0]):
        km = km_in[s]
        reach_h = h_in[s] * expected_congestion
        expected_h = reach_h + expected_service_h[s] + h_back[s] * expected_congestion
        if now < break_due:
            expected_h += break_h
        if now + expected_h > latest_return or now + reach_h > handover_until:
            break
        travel_h = h_in[s] * (mean_multiplier(now, exposure, congestion, day_factor) * leg_noise[s])
        now = now + travel_h
        km_total += km
        driving += travel_h
        at_start = False
        stop_status[s] = VISITED
        opens = handover_from
        if has_window[s]:
            window_stops += 1
            opens = max(opens, day_start + window_open[s])
            if now > day_start + window_close[s]:
                late_stops += 1
        if now < opens:
            now = now + (opens - now)
        first = first_parcel[s]
        if is_pickup[s]:
            service_h = expected_service_h[s]
            now = now + service_h
            stop_time[s] = now
        else:
            absent_p = min(1.0, absence_probability * absence_hourly[int(now % 24.0)])
            if has_window[s]:
                absent_p *= window_absence_factor
            arrived = now
            service_h = 0.0
            for k in range(parcel_count[s]):
                i = first + k
                absent = presence[i] < absent_p
                if k == 0:
                    u = service[i]
                    minutes = service_median_min * (u / (1.0 - u)) ** (1.0 / service_shape) * product_multiplier[i]
                    minutes *= service_factor
                    if absent:
                        minutes *= failed_time_factor
                else:
                    minutes = extra_parcel_min
                now = now + minutes / 60.0
                service_h += minutes / 60.0
                parcel_absent[i] = absent
                parcel_time[i] = now
                if has_window[s]:
                    parcel_slot_kept[i] = 1 if arrived <= day_start + window_close[s] else 0
        service_total += service_h
        if now >= break_due:
            now = now + break_h
            break_due = np.inf
    if not at_start:
        last = last_visited(stop_status)
        km = km_back[last]
        travel_h = h_back[last] * (mean_multiplier(now, exposure, congestion, day_factor) * return_noise)
        now = now + travel_h
        km_total += km
        driving += travel_h
    totals[0] = km_total
    totals[1] = driving
    totals[2] = service_total
    totals[3] = window_stops
    totals[4] = late_stops
    return now


@njit(cache=True)
def mean_multiplier(time_h: float, exposure: float, congestion: np.ndarray, day_factor: np.ndarray) -> float:
    """``TrafficModel.mean_multiplier`` over its arrays: congestion at the hour (after exposure) x the day factor."""
    day = int(time_h // 24.0)
    return (1.0 + exposure * (congestion[int(time_h % 24.0)] - 1.0)) * day_factor[min(day, day_factor.shape[0] - 1)]


@njit(cache=True)
def last_visited(stop_status: np.ndarray) -> int:
    """The last stop visited, from which the way home starts."""
    last = -1
    for s in range(stop_status.shape[0]):
        if stop_status[s] == VISITED:
            last = s
    return last
