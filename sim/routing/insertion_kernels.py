"""Compiled insertion kernels: the cheapest feasible edge for a stop, and splitting an edge.

The edge table is one float64 row per edge (columns below) plus its route id; rows are
grouped by route, in visiting order. A stop at (x, y) inserted into edge (a, b) adds the
legs ``d_a = circuity * hypot(a - x)`` and ``d_b = circuity * hypot(b - x)``; the fit
test and the cost ``d_a + d_b - d_ab`` are written in the order of the vectorised
formulas they replace and ties go to the first edge, so insertions are bit-for-bit those
of that formulation (``tests/routing/test_routing_insertion_kernels.py``). Splitting an
edge stores the two new edges with exactly the values a rebuilt table would compute.
Compiled with ``cache=True`` and without ``fastmath`` (see ``sim.routing.tour_kernels``).
"""

from __future__ import annotations

import math

import numba
import numpy as np
import numpy.typing as npt

from sim.routing.schedule import FloatArray, IntArray

BoolArray = npt.NDArray[np.bool_]

# Columns of an edge row: start and end coordinates, the inverse speeds of a leg leaving
# the start / reaching the end (stem speed at the depot), the edge's km and hours, and
# under time windows the departure from its start and the latest arrival at its end.
AX, AY, BX, BY, INV_A, INV_B, D_AB, T_AB, DEP_A, LATE_B = range(10)
N_COLUMNS = 10


@numba.njit(cache=True)
def _fits(
    row: FloatArray, d_a: float, d_b: float, route_dur: float, route_km: float, stop: FloatArray, limits: FloatArray
) -> bool:
    """Whether inserting the stop into this edge keeps its route within time and range.

    ``stop`` is (service h, window start h, window end h - slack); ``limits`` is
    (max route h - slack, max route km - slack, windows used, range used, slack h).
    """
    if limits[2] > 0.0:
        arrive = row[DEP_A] + d_a * row[INV_A]
        depart = max(arrive, stop[1]) + stop[0]
        if not (arrive <= stop[2] and depart + d_b * row[INV_B] <= row[LATE_B] - limits[4]):
            return False
    else:
        new_dur = route_dur + d_a * row[INV_A] + d_b * row[INV_B] - row[T_AB]
        if not new_dur + stop[0] <= limits[0]:
            return False
    return not (limits[3] > 0.0 and not route_km + d_a + d_b - row[D_AB] <= limits[1])


@numba.njit(cache=True)
def cheapest_edge(
    edges: FloatArray,
    edge_route: IntArray,
    n_edges: int,
    xy: FloatArray,
    circuity: float,
    room: BoolArray,
    durs: FloatArray,
    kms: FloatArray,
    stop: FloatArray,
    limits: FloatArray,
) -> tuple[int, float, float]:
    """The cheapest feasible edge for a stop at ``xy`` and its two new legs; edge -1 if none fits.

    ``room`` tells per route whether the stop fits its load, payload and stop count;
    ``durs`` / ``kms`` are the routes' current hours and km.
    """
    best = np.inf
    best_e = -1
    best_a = 0.0
    best_b = 0.0
    for e in range(n_edges):
        r = edge_route[e]
        if not room[r]:
            continue
        row = edges[e]
        d_a = circuity * math.hypot(row[AX] - xy[0], row[AY] - xy[1])
        d_b = circuity * math.hypot(row[BX] - xy[0], row[BY] - xy[1])
        if not _fits(row, d_a, d_b, durs[r], kms[r], stop, limits):
            continue
        cost = d_a + d_b - row[D_AB]
        if cost < best:
            best = cost
            best_e = e
            best_a = d_a
            best_b = d_b
    return best_e, best_a, best_b


@numba.njit(cache=True)
def fits_somewhere(
    edges: FloatArray,
    edge_route: IntArray,
    n_edges: int,
    xy: FloatArray,
    circuity: float,
    room: BoolArray,
    durs: FloatArray,
    kms: FloatArray,
    stops: FloatArray,
    limits: FloatArray,
) -> BoolArray:
    """Per candidate (rows of ``xy``, ``room`` and ``stops``): whether some edge takes it."""
    out = np.zeros(xy.shape[0], dtype=np.bool_)
    for c in range(xy.shape[0]):
        for e in range(n_edges):
            r = edge_route[e]
            if not room[c, r]:
                continue
            row = edges[e]
            d_a = circuity * math.hypot(row[AX] - xy[c, 0], row[AY] - xy[c, 1])
            d_b = circuity * math.hypot(row[BX] - xy[c, 0], row[BY] - xy[c, 1])
            if _fits(row, d_a, d_b, durs[r], kms[r], stops[c], limits):
                out[c] = True
                break
    return out


@numba.njit(cache=True)
def split_edge(
    edges: FloatArray,
    edge_route: IntArray,
    edge_slot: IntArray,
    n_edges: int,
    e: int,
    xy: FloatArray,
    d_a: float,
    d_b: float,
    inv_area: float,
) -> int:
    """Replace edge (a, b) at row ``e`` by (a, x) and (x, b), in place; returns the new edge count.

    The arrays need room for one more row. Later edges of the same route move one slot on.
    """
    for i in range(n_edges - 1, e, -1):
        edges[i + 1] = edges[i]
        edge_route[i + 1] = edge_route[i]
        edge_slot[i + 1] = edge_slot[i] + (1 if edge_route[i] == edge_route[e] else 0)
    edges[e + 1] = edges[e]
    edge_route[e + 1] = edge_route[e]
    edge_slot[e + 1] = edge_slot[e] + 1
    first = edges[e]
    second = edges[e + 1]
    first[BX] = xy[0]
    first[BY] = xy[1]
    first[INV_B] = inv_area
    first[D_AB] = d_a
    first[T_AB] = d_a * first[INV_A]
    second[AX] = xy[0]
    second[AY] = xy[1]
    second[INV_A] = inv_area
    second[D_AB] = d_b
    second[T_AB] = d_b * second[INV_B]
    return n_edges + 1
