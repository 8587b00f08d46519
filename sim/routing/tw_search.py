"""Route quality under time windows: construction, local search and perturbation over all routes.

Called by the heuristic (``sim.routing.heuristic``) for problems with windows, once the
served set is known. The stops on the given routes stay served; what changes is which
route serves them and in which order, to minimise road km:

1. **Starts.** The given routes (the sweep's, already feasible) and two constructions from
   nothing by time-window-aware cheapest insertion (``tw_ils.construct``: farthest stop
   first, and earliest window end first); each is improved by local search and the
   shortest is kept. A construction that cannot place every stop within the fleet is
   dropped.
2. **Local search** (``tw_moves``): relocate (runs of 1-3 stops), swap, 2-opt* between
   routes and 2-opt, or-opt inside them, over granular neighbourhoods (each stop's
   ``NEIGHBOURS`` nearest stops), with O(1) feasibility checks from forward departure
   times and backward latest arrivals.
3. **Iterated local search** (``tw_ils.ils``): a fixed number of ruin-and-recreate rounds,
   so the plan depends only on the problem (deterministic; no wall clock).

The number of rounds shrinks with the problem size (``_rounds``) so that a depot-day of
~1,000 stops still plans in about a second. Every route returned meets every window,
capacity, range and the shift (checked again exactly by the heuristic's repair step).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from sim.routing import tw_kernels as tk
from sim.routing.arrays import ProblemArrays
from sim.routing.schedule import IntArray
from sim.routing.tolerances import SLACK_H
from sim.routing.tw_ils import construct, ils, insert_each
from sim.routing.tw_moves import search

NEIGHBOURS = 20  # granular neighbourhood size
MATRIX_NODES = 2_000  # up to this many nodes the kernels read distances from a matrix (32 MB at most)
# Ruin-and-recreate rounds: ROUND_WORK / stops^2, at most MAX_ROUNDS (120 at 100 stops, 13
# at 300, none from ~1,100 on). A round's cost grows with the route lengths, so this keeps
# the perturbation's share of a large depot-day's planning time small.
ROUND_WORK = 1_200_000
MIN_ROUNDS = 0
MAX_ROUNDS = 120
# The two constructions from nothing are only tried up to this many stops (on larger days
# their quadratic insertion and the search from a cold start cost more than they gain).
CONSTRUCT_MAX_STOPS = 250
MAX_REMOVE = 12  # at most this many stops removed per round
THRESHOLD = 0.01  # accept rounds up to 1 % longer than the current solution (shrinking to 0)
SEED = 20_240_601  # the perturbation's fixed seed: plans never depend on run or time


def _rounds(n_served: int) -> int:
    return int(min(MAX_ROUNDS, max(MIN_ROUNDS, ROUND_WORK // max(1, n_served) ** 2)))


def node_table(arrays: ProblemArrays) -> npt.NDArray[np.float64]:
    """The kernels' per-node columns (``tw_kernels.X`` .. ``WT``); the depot is the last row."""
    n = arrays.n
    nd = np.zeros((n + 1, tk.N_NODE))
    nd[:, tk.X] = arrays.xy[:, 0]
    nd[:, tk.Y] = arrays.xy[:, 1]
    nd[:n, tk.E] = arrays.tw_e
    nd[:n, tk.LW] = arrays.tw_l
    nd[n, tk.LW] = arrays.max_h
    nd[:n, tk.S] = arrays.serv
    nd[:n, tk.VOL] = arrays.vol
    nd[:n, tk.WT] = arrays.wt if arrays.use_wt else 0.0
    if n + 1 <= MATRIX_NODES:
        step = arrays.xy[:, None, :] - arrays.xy[None, :, :]
        nd = np.ascontiguousarray(np.concatenate((nd, arrays.circ * np.hypot(step[..., 0], step[..., 1])), axis=1))
    return nd


def limits(arrays: ProblemArrays) -> npt.NDArray[np.float64]:
    """The kernels' limits vector; limits that are off are +inf."""
    lim = np.zeros(tk.N_LIMITS)
    lim[tk.CAP] = arrays.cap
    lim[tk.PAYLOAD] = arrays.payload if arrays.use_wt else np.inf
    lim[tk.MAX_KM] = arrays.max_km if arrays.use_km else np.inf
    lim[tk.MAX_STOPS] = float(arrays.max_stops) if arrays.use_stops else np.inf
    lim[tk.MAX_H] = arrays.max_h
    lim[tk.CIRC] = arrays.circ
    lim[tk.AREA] = arrays.area
    lim[tk.STEM] = arrays.stem
    lim[tk.SLACK] = SLACK_H
    return lim


def neighbours(arrays: ProblemArrays, served: IntArray, k: int) -> npt.NDArray[np.int64]:
    """Per stop, its k nearest served stops (nearest first; -1 pads); rows of unserved stops are all -1."""
    nbr = np.full((arrays.n, k), -1, dtype=np.int64)
    xy = arrays.xy[served]
    k = min(k, int(served.shape[0]) - 1)
    if k <= 0:
        return nbr
    # Row blocks keep the memory of the squared-distance table bounded.
    block = max(1, 2_000_000 // int(served.shape[0]))
    for lo in range(0, int(served.shape[0]), block):
        rows = xy[lo : lo + block]
        d2 = ((rows[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2)
        d2[np.arange(rows.shape[0]), np.arange(lo, lo + rows.shape[0])] = np.inf
        near = np.argpartition(d2, k - 1, axis=1)[:, :k]
        near_d = np.take_along_axis(d2, near, axis=1)
        near = np.take_along_axis(near, np.lexsort((near, near_d), axis=1), axis=1)
        nbr[served[lo : lo + block], :k] = served[near]
    return nbr


class _State:
    """Route rows, their forward/backward values and every stop's route and position."""

    def __init__(self, arrays: ProblemArrays, nd: npt.NDArray[np.float64], lim: npt.NDArray[np.float64], rows: int):
        width = arrays.n + 2
        self.R = np.full((rows, width), arrays.n, dtype=np.int64)
        self.L = np.zeros(rows, dtype=np.int64)
        self.F = np.zeros((rows, width, tk.N_STATE))
        self.rof = np.full(arrays.n, -1, dtype=np.int64)
        self.pof = np.zeros(arrays.n, dtype=np.int64)
        self.nd = nd
        self.lim = lim
        for r in range(rows):
            tk.update(nd, lim, self.R, self.L, self.F, r)

    def load(self, routes: list[IntArray]) -> None:
        for r, stops in enumerate(routes):
            nodes = stops.astype(np.int64)
            tk.write(self.nd, self.lim, self.R, self.L, self.F, self.rof, self.pof, r, nodes, len(nodes))

    def km(self) -> float:
        return float(tk.total_km(self.F, self.L))

    def routes(self) -> list[IntArray]:
        return [self.R[r, 1 : self.L[r] + 1].astype(np.intp) for r in range(self.L.shape[0]) if self.L[r] > 0]


def _improved_start(
    arrays: ProblemArrays, nd: npt.NDArray[np.float64], lim: npt.NDArray[np.float64], rows: int,
    nbr: npt.NDArray[np.int64], order: IntArray | None, routes: list[IntArray],
) -> _State | None:
    """One start (``order``: construct by insertion in that order; None: the given routes), locally searched."""
    st = _State(arrays, nd, lim, rows)
    width = arrays.n + 2
    scratch = (np.zeros(width, dtype=np.int64), np.zeros(width, dtype=np.int64), np.zeros(width, dtype=np.int64))
    stamp = np.zeros(rows, dtype=np.int64)
    tested = np.full(arrays.n + 1, -1, dtype=np.int64)
    clock = np.zeros(1, dtype=np.int64)
    touched = np.zeros(rows, dtype=np.bool_)
    if order is None:
        st.load(routes)
    elif not construct(nd, lim, st.R, st.L, st.F, st.rof, st.pof, order.astype(np.int64), scratch[0], scratch[1],
                       stamp, touched, clock):
        return None
    served = np.concatenate(routes).astype(np.int64)
    search(nd, lim, nbr, served, st.R, st.L, st.F, st.rof, st.pof, stamp, tested, clock, touched, *scratch, False)
    return st


def improve_windowed(arrays: ProblemArrays, routes: list[IntArray], pool: IntArray) -> tuple[list[IntArray], IntArray]:
    """Shorter routes for the same stops under time windows, plus what of ``pool`` fits (module docstring).

    ``routes`` must be feasible. The stops on them stay served; after the starts are
    compared, the ``pool`` stops are inserted in the given order (urgent first) wherever
    one fits, an idle vehicle included, and the rest is returned, in the given order.
    The routes (at most ``max_routes``) are never longer in total than the local search
    of the given ones.
    """
    routes = [r for r in routes if r.shape[0]]
    if not routes:
        return routes, pool
    served = np.sort(np.concatenate(routes)).astype(np.intp)
    rows = min(arrays.max_routes, int(served.shape[0] + pool.shape[0]))
    nd, lim = node_table(arrays), limits(arrays)
    nbr = neighbours(arrays, served, NEIGHBOURS)
    far_first = served[np.lexsort((served, -arrays.d0[served]))]
    due_first = served[np.lexsort((served, arrays.tw_e[served], arrays.tw_l[served]))]
    best: _State | None = None
    starts = (None, far_first, due_first) if served.shape[0] <= CONSTRUCT_MAX_STOPS else (None,)
    for order in starts:
        st = _improved_start(arrays, nd, lim, rows, nbr, order, routes)
        if st is not None and (best is None or st.km() < best.km() - 1e-9):
            best = st
    assert best is not None  # the given routes always make a start
    left = pool
    first = np.zeros(0, dtype=np.int64)  # the chosen start is a local optimum already
    if pool.shape[0]:
        placed = insert_each(nd, lim, best.R, best.L, best.F, best.rof, best.pof, pool.astype(np.int64))
        left = pool[~placed]
        if placed.any():
            served = np.sort(np.concatenate((served, pool[placed]))).astype(np.intp)
            nbr = neighbours(arrays, served, NEIGHBOURS)
            # Search again from the stops of the routes that took a pool stop.
            changed = np.isin(best.rof[served], best.rof[pool[placed]])
            first = served[changed].astype(np.int64)
    ils(nd, lim, nbr, served.astype(np.int64), first, best.R, best.L, best.F, best.rof, best.pof,
        _rounds(int(served.shape[0])), SEED, MAX_REMOVE, THRESHOLD)
    return best.routes(), left
