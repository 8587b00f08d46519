"""Compiled insertion kernels: the cheapest feasible edge for a stop, and splitting an edge.

The edge table is one float64 row per edge (columns below) plus its route id; rows are
grouped by route, in visiting order. A stop at (x, y) inserted into edge (a, b) adds the
legs ``d_a = circuity * hypot(a - x)`` and ``d_b = circuity * hypot(b - x)``; the fit
test and the cost ``d_a + d_b - d_ab`` are written in the order of the vectorised
formulas they replace and ties go to the first edge, so insertions are bit-for-bit those
of that formulation (``tests/routing/test_routing_insertion_kernels.py``). Splitting an
edge stores the two new edges with exactly the values a rebuilt table would compute.
Loops only, compiled with ``cache=True`` and without ``fastmath`` (see
``sim.routing.tour_kernels``).
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
    first_fit: bool,
) -> tuple[int, float, float]:
    """The cheapest feasible edge for a stop at ``xy`` and its two new legs; edge -1 if none fits.

    ``room`` tells per route whether the stop fits its load, payload and stop count;
    ``durs`` / ``kms`` are the routes' current hours and km; ``stop`` is (service h, window
    start h, window end h - slack) and ``limits`` (max route h - slack, max route km -
    slack, windows used, range used, slack h). With ``first_fit`` the first feasible edge
    is returned instead (enough to know that the stop fits somewhere).
    """
    best = np.inf
    best_e = -1
    best_a = 0.0
    best_b = 0.0
    windows = limits[2] > 0.0
    ranged = limits[3] > 0.0
    for e in range(n_edges):
        r = edge_route[e]
        if not room[r]:
            continue
        # A hypot is never below the larger of its two legs, and rounding is monotone, so
        # these bounds are at most the new legs: an edge whose bound is above the best so
        # far cannot win (nor tie), and one whose bound already breaks the duration limit
        # cannot fit; skipping either saves two hypot calls.
        dx = abs(edges[e, AX] - xy[0])
        dy = abs(edges[e, AY] - xy[1])
        low_a = circuity * (dx if dx > dy else dy)
        dx = abs(edges[e, BX] - xy[0])
        dy = abs(edges[e, BY] - xy[1])
        low_b = circuity * (dx if dx > dy else dy)
        if not first_fit and best < np.inf and low_a + low_b - edges[e, D_AB] > best:
            continue
        if not windows:
            low_dur = durs[r] + low_a * edges[e, INV_A] + low_b * edges[e, INV_B] - edges[e, T_AB]
            if not low_dur + stop[0] <= limits[0]:
                continue
        d_a = circuity * math.hypot(edges[e, AX] - xy[0], edges[e, AY] - xy[1])
        d_b = circuity * math.hypot(edges[e, BX] - xy[0], edges[e, BY] - xy[1])
        if windows:
            arrive = edges[e, DEP_A] + d_a * edges[e, INV_A]
            depart = (arrive if arrive >= stop[1] else stop[1]) + stop[0]
            if not (arrive <= stop[2] and depart + d_b * edges[e, INV_B] <= edges[e, LATE_B] - limits[4]):
                continue
        else:
            new_dur = durs[r] + d_a * edges[e, INV_A] + d_b * edges[e, INV_B] - edges[e, T_AB]
            if not new_dur + stop[0] <= limits[0]:
                continue
        if ranged and not kms[r] + d_a + d_b - edges[e, D_AB] <= limits[1]:
            continue
        if first_fit:
            return e, d_a, d_b
        cost = d_a + d_b - edges[e, D_AB]
        if cost < best:
            best = cost
            best_e = e
            best_a = d_a
            best_b = d_b
    return best_e, best_a, best_b


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
    for i in range(n_edges - 1, e - 1, -1):
        for col in range(N_COLUMNS):
            edges[i + 1, col] = edges[i, col]
        edge_route[i + 1] = edge_route[i]
        edge_slot[i + 1] = edge_slot[i] + (1 if edge_route[i] == edge_route[e] else 0)
    edges[e, BX] = xy[0]
    edges[e, BY] = xy[1]
    edges[e, INV_B] = inv_area
    edges[e, D_AB] = d_a
    edges[e, T_AB] = d_a * edges[e, INV_A]
    edges[e + 1, AX] = xy[0]
    edges[e + 1, AY] = xy[1]
    edges[e + 1, INV_A] = inv_area
    edges[e + 1, D_AB] = d_b
    edges[e + 1, T_AB] = d_b * edges[e + 1, INV_B]
    return n_edges + 1
