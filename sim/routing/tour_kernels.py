"""Compiled tour kernels: numpy's pairwise sum, road-distance matrices, nearest-neighbour tours.

The planner's plans must not depend on whether a loop runs in numpy or here, so every
kernel repeats numpy's arithmetic operation for operation: ``pairwise_sum`` is the
summation ``ndarray.sum`` performs on float64 (blocks of 8 accumulators up to 128
elements, halves beyond), distances are ``circuity * hypot(dx, dy)`` as in
``ProblemArrays.pair_distance``, and every argmin keeps numpy's first index on ties.
``tests/routing/test_routing_tour_kernels.py`` checks each against its numpy original.

Compiled with ``cache=True`` (numba writes the machine code next to this file, or in its
user cache directory when the package is read-only) and without ``fastmath``, which would
let LLVM reorder the floating-point operations.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from sim.routing.schedule import FloatArray, IntArray

# numpy's pairwise summation: blocks up to this size are summed with 8 accumulators.
_PAIRWISE_BLOCK = 128


# Depth of the explicit stack of ``pairwise_sum``: each split halves the length, so far
# more than any array length needs.
_STACK = 192


@numba.njit(cache=True)
def _block_sum(values: FloatArray, lo: int, n: int) -> float:
    """numpy's sum of one block of at most ``_PAIRWISE_BLOCK`` values."""
    if n < 8:
        res = -0.0
        for i in range(lo, lo + n):
            res += values[i]
        return res
    r0, r1, r2, r3 = values[lo], values[lo + 1], values[lo + 2], values[lo + 3]
    r4, r5, r6, r7 = values[lo + 4], values[lo + 5], values[lo + 6], values[lo + 7]
    i = 8
    whole = n - n % 8
    while i < whole:
        r0 += values[lo + i]
        r1 += values[lo + i + 1]
        r2 += values[lo + i + 2]
        r3 += values[lo + i + 3]
        r4 += values[lo + i + 4]
        r5 += values[lo + i + 5]
        r6 += values[lo + i + 6]
        r7 += values[lo + i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += values[lo + i]
        i += 1
    return res


@numba.njit(cache=True)
def pairwise_sum(values: FloatArray) -> float:
    """``float(values.sum())`` for a 1-D float64 array, bit for bit.

    numpy splits a longer array in two halves (the first a multiple of 8 long) and adds
    their sums. The split tree is walked with an explicit stack because numba's cache
    does not reload recursive functions safely.
    """
    frame_lo = np.empty(_STACK, dtype=np.intp)
    frame_n = np.empty(_STACK, dtype=np.intp)
    frame_join = np.empty(_STACK, dtype=np.bool_)
    sums = np.empty(_STACK)
    frames = 1
    n_sums = 0
    frame_lo[0], frame_n[0], frame_join[0] = 0, values.shape[0], False
    while frames:
        frames -= 1
        lo, n, join = frame_lo[frames], frame_n[frames], frame_join[frames]
        if join:
            n_sums -= 1
            sums[n_sums - 1] = sums[n_sums - 1] + sums[n_sums]
        elif n <= _PAIRWISE_BLOCK:
            sums[n_sums] = _block_sum(values, lo, n)
            n_sums += 1
        else:
            half = n // 2
            half -= half % 8
            # Popped last to first: the left half is summed first, then the right, then joined.
            frame_lo[frames], frame_n[frames], frame_join[frames] = lo, n, True
            frame_lo[frames + 1], frame_n[frames + 1], frame_join[frames + 1] = lo + half, n - half, False
            frame_lo[frames + 2], frame_n[frames + 2], frame_join[frames + 2] = lo, half, False
            frames += 3
    # The reduction starts from add's identity, 0.0.
    return 0.0 + sums[0]


@numba.njit(cache=True)
def path_inner_sum(mat: FloatArray, order: IntArray) -> float:
    """``mat[order[:-1], order[1:]].sum()``: the summed legs between consecutive nodes of ``order``."""
    n = order.shape[0]
    legs = np.empty(max(n - 1, 0))
    for i in range(n - 1):
        legs[i] = mat[order[i], order[i + 1]]
    return pairwise_sum(legs)


@numba.njit(cache=True)
def closed_tour_length(mat: FloatArray, order: IntArray) -> float:
    """Length of depot -> order -> depot on a local matrix (node 0 = depot); 0 for no stops."""
    if order.shape[0] == 0:
        return 0.0
    return mat[0, order[0]] + path_inner_sum(mat, order) + mat[order[-1], 0]


@numba.njit(cache=True)
def road_distance_matrix(points: FloatArray, circuity: float) -> FloatArray:
    """Road-distance matrix ``circuity * hypot(dx, dy)`` between all rows of an (m, 2) array.

    Filled by symmetry: negating both differences does not change a hypot, bit for bit.
    """
    m = points.shape[0]
    out = np.zeros((m, m))
    for i in range(m):
        xi = points[i, 0]
        yi = points[i, 1]
        for j in range(i + 1, m):
            d = circuity * math.hypot(xi - points[j, 0], yi - points[j, 1])
            out[i, j] = d
            out[j, i] = d
    return out


@numba.njit(cache=True)
def nearest_neighbour_tour(d0: FloatArray, dist: FloatArray, k: int, offset: int) -> IntArray:
    """Nearest-neighbour order over k stops (positions 0..k-1).

    ``d0[:k]`` are the depot->stop distances; stop i to stop j is ``dist[offset + i,
    offset + j]`` (``offset`` 1 reads a local matrix whose node 0 is the depot). ``dist``
    is not modified. Ties go to the lowest position, as with ``argmin``.
    """
    order = np.empty(k, dtype=np.intp)
    if k == 0:
        return order
    visited = np.zeros(k, dtype=np.bool_)
    j = 0
    for c in range(1, k):
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


@numba.njit(cache=True)
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
    visited = np.zeros(k, dtype=np.bool_)
    now = 0.0
    prev = -1
    for step in range(k):
        first = np.inf
        for c in range(k):
            if not visited[c]:
                travel = travel0_h[c] if prev < 0 else dist[prev, c] * inv_area
                first = min(first, max(travel + now, early_h[c]))
        j = -1
        nearest = np.inf
        for c in range(k):
            if visited[c]:
                continue
            travel = travel0_h[c] if prev < 0 else dist[prev, c] * inv_area
            if max(travel + now, early_h[c]) <= first and (j < 0 or travel < nearest):
                nearest = travel
                j = c
        order[step] = j
        visited[j] = True
        now = max((travel0_h[j] if prev < 0 else dist[prev, j] * inv_area) + now, early_h[j]) + service_h[j]
        prev = j
    return order
