"""Compiled tour kernels: road-distance matrices and nearest-neighbour tours.

The planner's plans must not depend on whether a loop runs in numpy or here, so every
kernel repeats numpy's arithmetic operation for operation: distances are
``circuity * hypot(dx, dy)`` as numpy computes them, every argmin keeps numpy's first
index on ties, and sums stay in numpy (``ndarray.sum`` adds pairwise, a loop would not).
``tests/routing/test_routing_tour_kernels.py`` checks each kernel against its numpy original.

Kernels use loops and ``np.empty`` only: numba compiles numpy's array constructors and
sorts from their Python implementations, which costs seconds on a cold cache.
Compiled with ``cache=True`` (numba writes the machine code next to this file, or in its
user cache directory when the package is read-only) and without ``fastmath``, which would
let LLVM reorder the floating-point operations.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from sim.routing.schedule import FloatArray, IntArray


def road_distance_matrix(points: FloatArray, circuity: float) -> FloatArray:
    """Road-distance matrix ``circuity * hypot(dx, dy)`` between all rows of an (m, 2) array."""
    return grown_distance_matrix(points, circuity, _NO_DISTANCES, 0)


@numba.njit(cache=True, nogil=True)
def grown_distance_matrix(points: FloatArray, circuity: float, known: FloatArray, offset: int) -> FloatArray:
    """``road_distance_matrix(points, circuity)``, reusing the distances already in ``known``.

    ``known[offset:, offset:]`` must be the road-distance matrix of the first rows of
    ``points`` (as this kernel computed it); only the pairs with a new row are computed.
    Filled by symmetry: negating both differences does not change a hypot, bit for bit,
    and every pair is computed from the lower row to the higher one, as from scratch.
    """
    m = points.shape[0]
    s = known.shape[0] - offset
    s = s if s < m else m
    s = s if s > 0 else 0
    out = np.empty((m, m))
    for i in range(s):
        for j in range(s):
            out[i, j] = known[offset + i, offset + j]
    for i in range(m):
        if i >= s:
            out[i, i] = 0.0
        xi = points[i, 0]
        yi = points[i, 1]
        for j in range(i + 1 if i + 1 > s else s, m):
            d = circuity * math.hypot(xi - points[j, 0], yi - points[j, 1])
            out[i, j] = d
            out[j, i] = d
    return out


_NO_DISTANCES = np.zeros((0, 0))


@numba.njit(cache=True, nogil=True)
def nearest_neighbour_tour(d0: FloatArray, dist: FloatArray, k: int, offset: int) -> IntArray:
    """Nearest-neighbour order over k stops (positions 0..k-1).

    ``d0[:k]`` are the depot->stop distances; stop i to stop j is ``dist[offset + i,
    offset + j]`` (``offset`` 1 reads a local matrix whose node 0 is the depot). ``dist``
    is not modified. Ties go to the lowest position, as with ``argmin``.
    """
    order = np.empty(k, dtype=np.intp)
    if k == 0:
        return order
    visited = np.empty(k, dtype=np.bool_)
    j = 0
    for c in range(k):
        visited[c] = False
        if d0[c] < d0[j]:
            j = c
    order[0] = j
    visited[j] = True
    for step in range(1, k):
        row = offset + j
        j = -1
        best = np.inf
        for c in range(k):
            if not visited[c] and (j < 0 or dist[row, offset + c] < best):
                best = dist[row, offset + c]
                j = c
        order[step] = j
        visited[j] = True
    return order


# Relative and absolute margin of the squared-distance screen of ``nearest_neighbour_xy``:
# the rounding of dx*dx + dy*dy and of hypot is a few 1e-16 relative, so every stop whose
# road km could tie with or beat the smallest squared distance's lies inside it.
_SCREEN_REL = 1e-9
_SCREEN_ABS = 1e-300


@numba.njit(cache=True, nogil=True)
def nearest_neighbour_xy(
    d0: FloatArray, xs: FloatArray, ys: FloatArray, circuity: float, k: int
) -> tuple[IntArray, FloatArray]:
    """``nearest_neighbour_tour`` over k stops at (xs, ys), without a distance matrix; also its legs.

    Equal to ``nearest_neighbour_tour(d0, road_distance_matrix(points, circuity), k, 0)``
    bit for bit: each step screens the unvisited stops by squared straight-line distance
    (cheap, no hypot) and compares the few within a relative 1e-9 of the smallest by
    their exact road km ``circuity * hypot(dx, dy)``, the matrix's entries, ties to the
    lowest position. Returns the order and the k - 1 road km between consecutive stops
    (``dist[order[:-1], order[1:]]``).
    """
    return nearest_neighbour_xy_resumed(d0, xs, ys, circuity, k, _NO_ORDER, _NO_LEGS)


_NO_ORDER = np.zeros(0, dtype=np.intp)
_NO_LEGS = np.zeros(0)


@numba.njit(cache=True, nogil=True)
def nearest_neighbour_xy_resumed(
    d0: FloatArray, xs: FloatArray, ys: FloatArray, circuity: float, k: int, known: IntArray, known_legs: FloatArray
) -> tuple[IntArray, FloatArray]:
    """``nearest_neighbour_xy`` over the first k stops, resumed from the tour ``known`` of more stops.

    ``known`` and ``known_legs`` are ``nearest_neighbour_xy``'s tour and legs over the first
    K >= k stops (or empty). Each step's winner is the minimum over the unvisited stops of
    (road km, position), so as long as the K-stop tour visits stops among the first k it
    makes the k-stop tour's choices: the two agree up to its first stop at position >= k,
    and only the rest of the tour is searched.
    """
    order = np.empty(k, dtype=np.intp)
    legs = np.empty(k - 1 if k > 1 else 0)
    if k == 0:
        return order, legs
    shared = 0
    while shared < known.shape[0] and shared < k and known[shared] < k:
        shared += 1
    # The unvisited positions, compacted by swap-remove (the winner is chosen by value and
    # position, so the scan order does not matter).
    rest = np.empty(k, dtype=np.intp)
    sq = np.empty(k)
    if shared == 0:
        j = 0
        for c in range(k):
            if d0[c] < d0[j]:
                j = c
        order[0] = j
        shared = 1
    else:
        for s in range(shared):
            order[s] = known[s]
        for s in range(shared - 1):
            legs[s] = known_legs[s]
    visited = np.empty(k, dtype=np.bool_)
    for c in range(k):
        visited[c] = False
    for s in range(shared):
        visited[order[s]] = True
    n_rest = 0
    for c in range(k):
        if not visited[c]:
            rest[n_rest] = c
            n_rest += 1
    j = order[shared - 1]
    for step in range(shared, k):
        xj = xs[j]
        yj = ys[j]
        low = np.inf
        for t in range(n_rest):
            c = rest[t]
            dx = xs[c] - xj
            dy = ys[c] - yj
            s = dx * dx + dy * dy
            sq[t] = s
            if s < low:
                low = s
        bound = low + low * _SCREEN_REL + _SCREEN_ABS
        best = np.inf
        best_t = -1
        for t in range(n_rest):
            if sq[t] <= bound:
                c = rest[t]
                # Lower position first, as the matrix is filled: hypot is symmetric bit for bit.
                lo = c if c < j else j
                hi = j if c < j else c
                d = circuity * math.hypot(xs[lo] - xs[hi], ys[lo] - ys[hi])
                if best_t < 0 or d < best or (d == best and c < rest[best_t]):
                    best = d
                    best_t = t
        j = rest[best_t]
        order[step] = j
        legs[step - 1] = best
        n_rest -= 1
        rest[best_t] = rest[n_rest]
    return order, legs


@numba.njit(cache=True, nogil=True)
def time_oriented_tour(
    travel0_h: FloatArray, dist: FloatArray, inv_area: float, early_h: FloatArray, service_h: FloatArray
) -> IntArray:
    """Time-oriented nearest-neighbour order (positions): next is the stop whose service starts first.

    ``travel0_h`` are the stem hours from the depot, ``dist`` the k x k stop distances,
    ``early_h`` / ``service_h`` the window starts and service hours. Among equal starts the
    nearest (in travel hours) wins, then the lowest position.
    """
    k = early_h.shape[0]
    order = np.empty(k, dtype=np.intp)
    visited = np.empty(k, dtype=np.bool_)
    for c in range(k):
        visited[c] = False
    now = 0.0
    prev = -1
    for step in range(k):
        first = np.inf
        for c in range(k):
            if not visited[c]:
                travel = travel0_h[c] if prev < 0 else dist[prev, c] * inv_area
                start = travel + now if travel + now >= early_h[c] else early_h[c]
                if start < first:
                    first = start
        j = -1
        nearest = np.inf
        for c in range(k):
            if visited[c]:
                continue
            travel = travel0_h[c] if prev < 0 else dist[prev, c] * inv_area
            start = travel + now if travel + now >= early_h[c] else early_h[c]
            if start <= first and (j < 0 or travel < nearest):
                nearest = travel
                j = c
        order[step] = j
        visited[j] = True
        arrive = (travel0_h[j] if prev < 0 else dist[prev, j] * inv_area) + now
        now = (arrive if arrive >= early_h[j] else early_h[j]) + service_h[j]
        prev = j
    return order
