"""Compiled route evaluation and local search over travel matrices (node 0 = depot, node i + 1 = stop i).

Matrices may be asymmetric (one-way streets), so every move's gain is computed with the
direction of each leg as driven: a 2-opt move reverses a segment, and the reversed
segment's km come from prefix sums of the backward legs. Compiled with numba
(``cache=True``, no fastmath: the arithmetic is what is written).
"""

from __future__ import annotations

import numpy as np
from numba import njit

GAIN_EPS = 1e-9  # km: smaller gains are noise, and a move must gain more to be taken
SLACK = 1e-9  # h and km: the margin the repair step's exact check is protected by
MAX_MOVES = 100_000  # a bound on improving moves per route (each strictly shortens it; never reached in practice)


@njit(cache=True)
def route_times(route: np.ndarray, hours: np.ndarray, service: np.ndarray, tw_early: np.ndarray,
                tw_late: np.ndarray) -> tuple[float, bool]:
    """Time back at the depot (leaving at 0, waiting for windows) and whether every window end is met."""
    now = 0.0
    prev = 0
    ok = True
    for k in range(route.shape[0]):
        stop = route[k]
        now += hours[prev, stop + 1]
        if now > tw_late[stop] - SLACK:
            ok = False
        if now < tw_early[stop]:
            now = tw_early[stop]
        now += service[stop]
        prev = stop + 1
    now += hours[prev, 0]
    return now, ok


@njit(cache=True)
def route_km(route: np.ndarray, km: np.ndarray) -> float:
    """Km of depot -> route -> depot."""
    total = 0.0
    prev = 0
    for k in range(route.shape[0]):
        total += km[prev, route[k] + 1]
        prev = route[k] + 1
    return total + km[prev, 0]


@njit(cache=True)
def timing_ok(route: np.ndarray, km: np.ndarray, hours: np.ndarray, service: np.ndarray, tw_early: np.ndarray,
              tw_late: np.ndarray, max_h: float, max_km: float) -> bool:
    """Whether the route is back within ``max_h``, meets every window end and stays within ``max_km``."""
    back, ok = route_times(route, hours, service, tw_early, tw_late)
    if not ok or back > max_h - SLACK:
        return False
    return max_km == np.inf or route_km(route, km) <= max_km - SLACK


@njit(cache=True)
def _two_opt(ext: np.ndarray, km: np.ndarray, fwd: np.ndarray, bwd: np.ndarray, a: int, b: int) -> float:
    """Km gained by reversing ext[a..b] (1 <= a < b <= k) in an asymmetric matrix."""
    before = km[ext[a - 1], ext[a]] + (fwd[b] - fwd[a]) + km[ext[b], ext[b + 1]]
    after = km[ext[a - 1], ext[b]] + (bwd[b] - bwd[a]) + km[ext[a], ext[b + 1]]
    return before - after


@njit(cache=True)
def _or_opt(ext: np.ndarray, km: np.ndarray, a: int, length: int, c: int) -> float:
    """Km gained by moving ext[a..a+length-1] between ext[c] and ext[c+1] (c outside the segment)."""
    e = a + length - 1
    removed = km[ext[a - 1], ext[a]] + km[ext[e], ext[e + 1]] - km[ext[a - 1], ext[e + 1]]
    added = km[ext[c], ext[a]] + km[ext[e], ext[c + 1]] - km[ext[c], ext[c + 1]]
    return removed - added


@njit(cache=True)
def _prefix(ext: np.ndarray, km: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = ext.shape[0]
    fwd = np.zeros(n)
    bwd = np.zeros(n)
    for p in range(1, n):
        fwd[p] = fwd[p - 1] + km[ext[p - 1], ext[p]]
        bwd[p] = bwd[p - 1] + km[ext[p], ext[p - 1]]
    return fwd, bwd


@njit(cache=True)
def _apply_two_opt(ext: np.ndarray, a: int, b: int) -> np.ndarray:
    out = ext.copy()
    out[a : b + 1] = ext[a : b + 1][::-1]
    return out


@njit(cache=True)
def _apply_or_opt(ext: np.ndarray, a: int, length: int, c: int) -> np.ndarray:
    seg = ext[a : a + length].copy()
    rest = np.concatenate((ext[:a], ext[a + length :]))
    at = c + 1 if c < a else c + 1 - length  # the position after ext[c] once the segment is out
    return np.concatenate((rest[:at], seg, rest[at:]))


@njit(cache=True)
def _feasible(ext: np.ndarray, km: np.ndarray, hours: np.ndarray, service: np.ndarray, tw_early: np.ndarray,
              tw_late: np.ndarray, max_h: float, max_km: float) -> bool:
    return timing_ok(ext[1:-1] - 1, km, hours, service, tw_early, tw_late, max_h, max_km)


@njit(cache=True)
def _first_two_opt(ext: np.ndarray, km: np.ndarray, hours: np.ndarray, service: np.ndarray, tw_early: np.ndarray,
                   tw_late: np.ndarray, max_h: float, max_km: float) -> np.ndarray:
    """The first improving, feasible 2-opt move's new order, or an empty array when there is none."""
    k = ext.shape[0] - 2
    fwd, bwd = _prefix(ext, km)
    for a in range(1, k):
        for b in range(a + 1, k + 1):
            if _two_opt(ext, km, fwd, bwd, a, b) > GAIN_EPS:
                candidate = _apply_two_opt(ext, a, b)
                if _feasible(candidate, km, hours, service, tw_early, tw_late, max_h, max_km):
                    return candidate
    return ext[:0]


@njit(cache=True)
def _first_or_opt(ext: np.ndarray, km: np.ndarray, hours: np.ndarray, service: np.ndarray, tw_early: np.ndarray,
                  tw_late: np.ndarray, max_h: float, max_km: float) -> np.ndarray:
    """The first improving, feasible or-opt move (runs of 1-3 stops) as a new order, or an empty array."""
    k = ext.shape[0] - 2
    for length in range(1, 4):
        for a in range(1, k - length + 2):
            for c in range(0, k + 1):
                if a - 1 <= c <= a + length - 1:
                    continue
                if _or_opt(ext, km, a, length, c) > GAIN_EPS:
                    candidate = _apply_or_opt(ext, a, length, c)
                    if _feasible(candidate, km, hours, service, tw_early, tw_late, max_h, max_km):
                        return candidate
    return ext[:0]


@njit(cache=True)
def improve_matrix_route(route: np.ndarray, km: np.ndarray, hours: np.ndarray, service: np.ndarray,
                         tw_early: np.ndarray, tw_late: np.ndarray, max_h: float, max_km: float) -> np.ndarray:
    """First-improvement 2-opt and or-opt (segments of 1-3 stops) on the matrix km, feasibility kept.

    A move is taken only if it shortens the route by more than ``GAIN_EPS`` and the new
    order still passes ``timing_ok``; the input order is returned unchanged if it is
    already 2-opt and or-opt optimal. Deterministic: moves are scanned in a fixed order,
    2-opt first; or-opt only when no 2-opt move improves.
    """
    k = route.shape[0]
    if k < 2:
        return route.copy()
    ext = np.empty(k + 2, dtype=np.int64)  # matrix nodes, depot at both ends
    ext[0] = 0
    ext[k + 1] = 0
    for i in range(k):
        ext[i + 1] = route[i] + 1
    for _ in range(MAX_MOVES):
        moved = _first_two_opt(ext, km, hours, service, tw_early, tw_late, max_h, max_km)
        if moved.shape[0] == 0:
            moved = _first_or_opt(ext, km, hours, service, tw_early, tw_late, max_h, max_km)
        if moved.shape[0] == 0:
            break
        ext = moved
    return ext[1:-1] - 1


@njit(cache=True)
def insertion_gains(route: np.ndarray, stop: int, km: np.ndarray) -> np.ndarray:
    """Added km of inserting ``stop`` before position p of ``route`` (p = 0..k; k = at the end)."""
    k = route.shape[0]
    out = np.empty(k + 1)
    node = stop + 1
    prev = 0
    for p in range(k + 1):
        nxt = route[p] + 1 if p < k else 0
        out[p] = km[prev, node] + km[node, nxt] - km[prev, nxt]
        prev = nxt
    return out
