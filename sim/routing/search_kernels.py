"""Compiled local-search kernels: one 2-opt pass and one or-opt pass on a closed tour.

Each pass evaluates every move of its kind on the current tour, then applies the best
move and every other improving move that touches a disjoint stretch of the tour (see
``sim.routing.search`` for why that is exact). The arithmetic of every move delta is
written in the order of the matrix formulas it replaces, argmins keep the first index
on ties and moves are ranked with a stable sort, so plans are bit-for-bit those of the
vectorised formulation (``tests/routing/test_routing_search_kernels.py``).

Tours are closed, in local node ids (depot 0 at both ends); the matrices must be
symmetric bit for bit, as the planner's distance and time matrices are. With ``timed``
true, moves must also keep the summed increase of travel time on ``tmat`` within
``slack`` hours; with ``timed`` false ``tmat`` is not read and ``slack`` is returned
unchanged.
Loops and ``np.empty`` only, compiled with ``cache=True`` and without ``fastmath`` (see
``sim.routing.tour_kernels``).
"""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt

from sim.routing.schedule import FloatArray, IntArray

# Segment lengths tried by or-opt.
OR_OPT_MAX_LEN = 3
# Edges per block of the bounding-box pruning (see ``block_bounds``).
BLOCK = 16
# Relative margin of a block's bound: far above the few 1e-16 of rounding in the deltas it
# bounds, so a block is skipped only if every move in it is certainly no better.
BOUND_REL = 1e-10
# Below 1/sqrt(2): (dx + dy) * OCTAGON is a lower bound of hypot(dx, dy), as max(dx, dy) is.
OCTAGON = 0.7071


@numba.njit(cache=True, nogil=True)
def _claim(
    used: npt.NDArray[np.bool_], lo: int, hi: int, timed: bool, extra_h: float, slack: float
) -> tuple[bool, float]:
    """Reserve positions ``lo..hi-1`` for one move of a pass, if none is taken by an earlier move and,
    with a time limit, the slack left covers the hours the move adds; returns (claimed, slack left)."""
    if _any(used, lo, hi):
        return False, slack
    if timed:
        if extra_h > slack:
            return False, slack
        slack -= extra_h
    for e in range(lo, hi):
        used[e] = True
    return True, slack


@numba.njit(cache=True, nogil=True)
def stable_argsort(values: FloatArray) -> IntArray:
    """``np.argsort(values, kind="stable")`` for NaN-free values (a bottom-up merge sort).

    Written out because numba's own stable argsort takes many seconds to compile.
    """
    n = values.shape[0]
    idx = np.empty(n, dtype=np.intp)
    spare = np.empty(n, dtype=np.intp)
    for i in range(n):
        idx[i] = i
    width = 1
    while width < n:
        for lo in range(0, n, 2 * width):
            mid = lo + width if lo + width < n else n
            hi = lo + 2 * width if lo + 2 * width < n else n
            i, j = lo, mid
            for out in range(lo, hi):
                # Ties take the left run first: that is what makes the sort stable.
                if j >= hi or (i < mid and not values[idx[j]] < values[idx[i]]):
                    spare[out] = idx[i]
                    i += 1
                else:
                    spare[out] = idx[j]
                    j += 1
        idx, spare = spare, idx
        width *= 2
    return idx


@numba.njit(cache=True, nogil=True)
def _any(flags: npt.NDArray[np.bool_], lo: int, hi: int) -> bool:
    """Whether any of ``flags[lo:hi]`` is set."""
    for i in range(lo, hi):  # noqa: SIM110 -- numba compiles a plain loop much faster than any()
        if flags[i]:
            return True
    return False


@numba.njit(cache=True, nogil=True)
def _cheapest_gap(
    first: FloatArray, last: FloatArray, edge: FloatArray, lo: int, hi: int, best: float, best_g: int
) -> tuple[float, int]:
    """The cheapest edge ``g`` in ``lo..hi-1`` to put a run into (either way round), if cheaper than ``best``."""
    for g in range(lo, hi):
        fwd = (first[g] + last[g + 1]) - edge[g]
        rev = (last[g] + first[g + 1]) - edge[g]
        ins = rev if rev < fwd else fwd
        if ins < best:
            best = ins
            best_g = g
    return best, best_g


@numba.njit(cache=True, nogil=True)
def block_bounds(pts: FloatArray, tour: IntArray, edge: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Per block of ``BLOCK`` consecutive edges: lower bounds on the distance from every node to it (or-opt).

    Returns ``near[p, b]``, a lower bound of the straight-line distance from the node at
    tour position p to every end node of block b's edges (edges b*BLOCK .. b*BLOCK+BLOCK-1,
    nodes one further), by the octagonal bound on the distance to the nodes' bounding box,
    and the longest edge (km) of each block.

    An or-opt insertion of a run with end nodes at positions p and q into edge j adds two
    legs from those nodes to the ends of edge j and removes edge j, so on a road matrix
    ``circuity * hypot`` it costs at least ``circuity * (near[p, b] + near[q, b]) -
    longest[b]``: whole blocks of far-away edges are skipped by one test.
    """
    n_edges = edge.shape[0]
    nb = (n_edges + BLOCK - 1) // BLOCK
    box = np.empty((nb, 4))
    longest = np.empty(nb)
    for b in range(nb):
        lo = b * BLOCK
        hi = lo + BLOCK if lo + BLOCK < n_edges else n_edges
        x0 = x1 = pts[tour[lo], 0]
        y0 = y1 = pts[tour[lo], 1]
        m = edge[lo]
        for p in range(lo + 1, hi + 1):
            x = pts[tour[p], 0]
            y = pts[tour[p], 1]
            x0 = x if x < x0 else x0
            x1 = x if x > x1 else x1
            y0 = y if y < y0 else y0
            y1 = y if y > y1 else y1
            if p < hi and edge[p] > m:
                m = edge[p]
        box[b, 0] = x0
        box[b, 1] = x1
        box[b, 2] = y0
        box[b, 3] = y1
        longest[b] = m
    n_pos = tour.shape[0]
    near = np.empty((n_pos, nb))
    for p in range(n_pos):
        x = pts[tour[p], 0]
        y = pts[tour[p], 1]
        for b in range(nb):
            # Branch-free: the distance outside the box along each axis (0 inside).
            dx = max(max(box[b, 0] - x, x - box[b, 1]), 0.0)
            dy = max(max(box[b, 2] - y, y - box[b, 3]), 0.0)
            near[p, b] = max(max(dx, dy), (dx + dy) * OCTAGON)
    return near, longest


@numba.njit(cache=True, nogil=True)
def _far(near_p: float, near_q: float, circuity: float, fixed: float, longest: float, threshold: float) -> bool:
    """Whether deltas bounded below by ``circuity * (near_p + near_q) - fixed - longest`` all exceed ``threshold``."""
    reach = circuity * (near_p + near_q)
    return (reach - fixed - longest) - BOUND_REL * (reach + fixed + longest) > threshold


@numba.njit(cache=True, nogil=True)
def _tour_ordered(mat: FloatArray, tour: IntArray) -> FloatArray:
    """``mat[np.ix_(tour, tour)]``: the matrix with rows and columns in tour order."""
    n = tour.shape[0]
    q = np.empty((n, n))
    for i in range(n):
        row = tour[i]
        for j in range(n):
            q[i, j] = mat[row, tour[j]]
    return q


@numba.njit(cache=True, nogil=True)
def two_opt_step(
    mat: FloatArray, tour: IntArray, tmat: FloatArray, timed: bool, slack: float, eps: float
) -> tuple[bool, float]:
    """One 2-opt pass on ``tour``, in place; returns (whether a move was applied, remaining slack).

    Move (i, j), j >= i + 2, replaces edges i and j by (tour[i], tour[j]) and
    (tour[i+1], tour[j+1]) and reverses tour[i+1..j]. (Skipping far blocks of edges as
    ``or_opt_step`` does was measured slower here: a row's scan is already short.)
    """
    n_edges = tour.shape[0] - 1
    best = np.empty(n_edges)
    best_j = np.empty(n_edges, dtype=np.intp)
    seen = np.empty(n_edges + 1, dtype=np.intp)
    return _two_opt_pass(mat, tour, tmat, timed, slack, eps, best, best_j, seen, False)


@numba.njit(cache=True, nogil=True)
def _scan_row(
    row_a: FloatArray, row_b: FloatArray, edge_i: float, tour: IntArray, edge: FloatArray, start: int
) -> tuple[float, int]:
    """Row i's best untimed 2-opt move over edges ``start..`` (the first minimum): (delta, j)."""
    row_best = np.inf
    row_j = 0
    for j in range(start, edge.shape[0]):
        delta = ((row_a[tour[j]] + row_b[tour[j + 1]]) - edge_i) - edge[j]
        if delta < row_best:
            row_best = delta
            row_j = j
    return row_best, row_j


@numba.njit(cache=True, nogil=True)
def _two_opt_rows_cached(
    mat: FloatArray, tour: IntArray, edge: FloatArray, best: FloatArray, best_j: IntArray, seen: IntArray
) -> None:
    """Every row's best untimed move into ``best``/``best_j``, reusing the previous pass's where exact.

    ``best``/``best_j`` hold the rows' best moves on the tour ``seen`` (the tour this is
    called on for the previous pass). Move (i, j) reads only the nodes at positions i, i+1,
    j, j+1, so where the nodes of edge j are unchanged so is every move into it. A row whose
    own edge and whose previous best edge are unchanged therefore keeps that best among its
    unchanged edges (it was the first minimum of all of them), and only its changed edges
    are scanned; ties keep the lower j, as the full scan does. Other rows are scanned whole.
    """
    n_edges = edge.shape[0]
    changed = np.empty(n_edges, dtype=np.bool_)
    chg = np.empty(n_edges, dtype=np.intp)
    n_chg = 0
    for e in range(n_edges):
        changed[e] = seen[e] != tour[e] or seen[e + 1] != tour[e + 1]
        if changed[e]:
            chg[n_chg] = e
            n_chg += 1
    first = 0
    for i in range(n_edges):
        row_a = mat[tour[i]]
        row_b = mat[tour[i + 1]]
        edge_i = edge[i]
        while first < n_chg and chg[first] < i + 2:
            first += 1
        if i + 2 >= n_edges:
            best[i] = np.inf
            best_j[i] = 0
        elif not changed[i] and not changed[best_j[i]]:
            row_best = best[i]
            row_j = best_j[i]
            for t in range(first, n_chg):
                j = chg[t]
                delta = ((row_a[tour[j]] + row_b[tour[j + 1]]) - edge_i) - edge[j]
                if delta < row_best or (delta == row_best and j < row_j):
                    row_best = delta
                    row_j = j
            best[i] = row_best
            best_j[i] = row_j
        else:
            best[i], best_j[i] = _scan_row(row_a, row_b, edge_i, tour, edge, i + 2)


@numba.njit(cache=True, nogil=True)
def _two_opt_pass(
    mat: FloatArray,
    tour: IntArray,
    tmat: FloatArray,
    timed: bool,
    slack: float,
    eps: float,
    best: FloatArray,
    best_j: IntArray,
    seen: IntArray,
    cached: bool,
) -> tuple[bool, float]:
    """``two_opt_step``; with ``cached`` (untimed only) the rows of the previous pass are reused.

    ``best``, ``best_j`` (one per edge) and ``seen`` (one per position) carry the rows'
    best moves and the tour they were found on from one pass to the next
    (``_two_opt_rows_cached``); on return they hold this pass's. Under a time limit every
    pass scans everything: which moves fit depends on the slack left.
    """
    n_edges = tour.shape[0] - 1
    best_dt = np.empty(n_edges)
    used = np.empty(n_edges, dtype=np.bool_)
    # Every move reads the edge it removes from the far end: look the edges up once.
    edge = np.empty(n_edges)
    edge_t = np.empty(n_edges)
    for e in range(n_edges):
        edge[e] = mat[tour[e], tour[e + 1]]
        edge_t[e] = tmat[tour[e], tour[e + 1]] if timed else 0.0
        used[e] = False
    if cached and not timed:
        _two_opt_rows_cached(mat, tour, edge, best, best_j, seen)
    for i in range(0 if timed or not cached else n_edges, n_edges):
        best[i] = np.inf
        best_j[i] = 0
        best_dt[i] = 0.0
        row_a = mat[tour[i]]
        row_b = mat[tour[i + 1]]
        edge_i = edge[i]
        if timed:
            time_a = tmat[tour[i]]
            time_b = tmat[tour[i + 1]]
            for j in range(i + 2, n_edges):
                c = tour[j]
                d = tour[j + 1]
                dt = ((time_a[c] + time_b[d]) - edge_t[i]) - edge_t[j]
                if dt > slack:
                    continue
                delta = ((row_a[c] + row_b[d]) - edge_i) - edge[j]
                if delta < best[i]:
                    best[i] = delta
                    best_j[i] = j
                    best_dt[i] = dt
        else:
            best[i], best_j[i] = _scan_row(row_a, row_b, edge_i, tour, edge, i + 2)
    for p in range(n_edges + 1):
        seen[p] = tour[p]
    rows = np.empty(n_edges, dtype=np.intp)
    gains = np.empty(n_edges)
    n_rows = 0
    for i in range(n_edges):
        if best[i] < -eps:
            rows[n_rows] = i
            gains[n_rows] = best[i]
            n_rows += 1
    if n_rows == 0:
        return False, slack
    ranked = stable_argsort(gains[:n_rows])
    applied = False
    for t in range(n_rows):
        i = rows[ranked[t]]
        j = best_j[i]
        claimed, slack = _claim(used, i, j + 1, timed, best_dt[i] if timed else 0.0, slack)
        if not claimed:
            continue
        lo, hi = i + 1, j
        while lo < hi:
            tour[lo], tour[hi] = tour[hi], tour[lo]
            lo += 1
            hi -= 1
        applied = True
    return applied, slack


@numba.njit(cache=True, nogil=True)
def or_opt_step(
    mat: FloatArray,
    tour: IntArray,
    tmat: FloatArray,
    timed: bool,
    slack: float,
    eps: float,
    pts: FloatArray,
    circuity: float,
) -> tuple[bool, IntArray, float]:
    """One or-opt pass: move runs of 1-3 stops to another edge, maybe reversed.

    Returns (whether a move was applied, the new tour, remaining slack). Run c of length
    L covers positions c + 1 .. c + L; edge g joins positions g and g + 1. With ``pts``
    (one row per node, for a ``mat`` that is their ``circuity * hypot`` road matrix) and no
    time limit, blocks of edges that ``block_bounds`` shows cannot hold a run's best
    improving insertion are skipped (``_or_opt_moves_pruned``); ``pts`` of shape (0, 2)
    scans everything.
    """
    n_pos = tour.shape[0]
    k = n_pos - 2
    cap = OR_OPT_MAX_LEN * (k if k > 1 else 1)
    m_delta = np.empty(cap)
    m_time = np.empty(cap)
    m_len = np.empty(cap, dtype=np.intp)
    m_start = np.empty(cap, dtype=np.intp)
    m_gap = np.empty(cap, dtype=np.intp)
    m_rev = np.empty(cap, dtype=np.bool_)
    count = 0
    if not timed and pts.shape[0] > 0:
        count = _or_opt_moves_pruned(mat, tour, pts, circuity, eps, m_delta, m_len, m_start, m_gap, m_rev)
        for m in range(count):
            m_time[m] = 0.0
        return _apply_or_opt(tour, timed, slack, count, m_delta, m_time, m_len, m_start, m_gap, m_rev)
    # The matrices in tour order, read along the rows of a run's end stops: they are
    # symmetric (bit for bit), so q[g, c + 1] == q[c + 1, g].
    q = _tour_ordered(mat, tour)
    qt = _tour_ordered(tmat, tour) if timed else q
    edge = np.empty(k + 1)
    edge_t = np.empty(k + 1)
    for g in range(k + 1):
        edge[g] = q[g, g + 1]
        edge_t[g] = qt[g, g + 1]
    longest = k - 1 if k - 1 < OR_OPT_MAX_LEN else OR_OPT_MAX_LEN
    for seg_len in range(1, longest + 1):
        for c in range(k - seg_len + 1):
            first = q[c + 1]
            last = q[c + seg_len]
            first_t = qt[c + 1]
            last_t = qt[c + seg_len]
            gain = (q[c, c + 1] + last[c + seg_len + 1]) - q[c, c + seg_len + 1]
            gain_t = (qt[c, c + 1] + last_t[c + seg_len + 1]) - qt[c, c + seg_len + 1] if timed else 0.0
            best = np.inf
            best_g = 0
            best_rev = False
            best_t = 0.0
            if timed:
                for g in range(k + 1):
                    if c <= g <= c + seg_len:
                        continue  # the edge touches the run itself: not a move
                    fwd = (first[g] + last[g + 1]) - edge[g]
                    rev = (last[g] + first[g + 1]) - edge[g]
                    fwd_t = (first_t[g] + last_t[g + 1]) - edge_t[g]
                    rev_t = (last_t[g] + first_t[g + 1]) - edge_t[g]
                    if fwd_t - gain_t > slack:
                        fwd = np.inf
                    if rev_t - gain_t > slack:
                        rev = np.inf
                    use_rev = rev < fwd
                    ins = rev if use_rev else fwd
                    if ins < best:
                        best = ins
                        best_g = g
                        best_rev = use_rev
                        best_t = rev_t if use_rev else fwd_t
            else:
                # The edges before the run, then those after it (an edge touching the run is no move).
                best, best_g = _cheapest_gap(first, last, edge, 0, c, best, best_g)
                best, best_g = _cheapest_gap(first, last, edge, c + seg_len + 1, k + 1, best, best_g)
                g = best_g
                best_rev = ((last[g] + first[g + 1]) - edge[g]) < ((first[g] + last[g + 1]) - edge[g])
            delta = best - gain
            if delta < -eps:
                m_delta[count] = delta
                m_time[count] = best_t - gain_t if timed else 0.0
                m_len[count] = seg_len
                m_start[count] = c + 1
                m_gap[count] = best_g
                m_rev[count] = best_rev
                count += 1
    return _apply_or_opt(tour, timed, slack, count, m_delta, m_time, m_len, m_start, m_gap, m_rev)


@numba.njit(cache=True, nogil=True)
def _or_opt_moves_pruned(
    mat: FloatArray,
    tour: IntArray,
    pts: FloatArray,
    circuity: float,
    eps: float,
    m_delta: FloatArray,
    m_len: IntArray,
    m_start: IntArray,
    m_gap: IntArray,
    m_rev: npt.NDArray[np.bool_],
) -> int:
    """The untimed or-opt move of every run (as ``or_opt_step`` records them), skipping far blocks of edges.

    The same arithmetic on the same matrix entries (read through the tour instead of from a
    tour-ordered copy); a block of edges is skipped only if its bound shows that no
    insertion into it beats the run's best so far nor its removal gain, so every recorded
    move, its gap and direction are those of the full scan. Returns the move count.
    """
    n_pos = tour.shape[0]
    k = n_pos - 2
    edge = np.empty(k + 1)
    for g in range(k + 1):
        edge[g] = mat[tour[g], tour[g + 1]]
    near, longest = block_bounds(pts, tour, edge)
    count = 0
    longest_run = k - 1 if k - 1 < OR_OPT_MAX_LEN else OR_OPT_MAX_LEN
    for seg_len in range(1, longest_run + 1):
        for c in range(k - seg_len + 1):
            f = tour[c + 1]
            lst = tour[c + seg_len]
            first = mat[f]
            last = mat[lst]
            gain = (edge[c] + last[tour[c + seg_len + 1]]) - mat[tour[c], tour[c + seg_len + 1]]
            best = np.inf
            best_g = 0
            # The edges before the run, then those after it (an edge touching the run is no move).
            for part in range(2):
                lo_g = 0 if part == 0 else c + seg_len + 1
                hi_g = c if part == 0 else k + 1
                if lo_g >= hi_g:
                    continue
                for b in range(lo_g // BLOCK, (hi_g - 1) // BLOCK + 1):
                    if _far(near[c + 1, b], near[c + seg_len, b], circuity, 0.0, longest[b], min(best, gain)):
                        continue
                    lo = b * BLOCK if b * BLOCK > lo_g else lo_g
                    hi = b * BLOCK + BLOCK if b * BLOCK + BLOCK < hi_g else hi_g
                    for g in range(lo, hi):
                        u = tour[g]
                        v = tour[g + 1]
                        fwd = (first[u] + last[v]) - edge[g]
                        rev = (last[u] + first[v]) - edge[g]
                        ins = rev if rev < fwd else fwd
                        if ins < best:
                            best = ins
                            best_g = g
            u = tour[best_g]
            v = tour[best_g + 1]
            delta = best - gain
            if delta < -eps:
                m_delta[count] = delta
                m_len[count] = seg_len
                m_start[count] = c + 1
                m_gap[count] = best_g
                m_rev[count] = ((last[u] + first[v]) - edge[best_g]) < ((first[u] + last[v]) - edge[best_g])
                count += 1
    return count


@numba.njit(cache=True, nogil=True)
def _apply_or_opt(
    tour: IntArray,
    timed: bool,
    slack: float,
    count: int,
    m_delta: FloatArray,
    m_time: FloatArray,
    m_len: IntArray,
    m_start: IntArray,
    m_gap: IntArray,
    m_rev: npt.NDArray[np.bool_],
) -> tuple[bool, IntArray, float]:
    """Apply the recorded or-opt moves, best first, that touch disjoint stretches of the tour."""
    n_pos = tour.shape[0]
    if count == 0:
        return False, tour, slack
    # Moves whose position hulls are disjoint commute and their gains add up; place each
    # moved run between its target positions via fractional sort keys.
    used = np.empty(n_pos, dtype=np.bool_)
    key = np.empty(n_pos)
    for i in range(n_pos):
        used[i] = False
        key[i] = i
    applied = False
    ranked = stable_argsort(m_delta[:count])
    for t in range(count):
        m = ranked[t]
        seg_len = m_len[m]
        p0 = m_start[m]
        g = m_gap[m]
        lo = p0 - 1 if p0 - 1 < g else g
        hi = p0 + seg_len if p0 + seg_len > g + 1 else g + 1
        claimed, slack = _claim(used, lo, hi + 1, timed, m_time[m], slack)
        if not claimed:
            continue
        for s in range(seg_len):
            rank = seg_len - s if m_rev[m] else s + 1
            key[p0 + s] = g + float(rank) / (seg_len + 1)
        applied = True
    if not applied:
        return False, tour, slack
    placed = stable_argsort(key)
    new_tour = np.empty(n_pos, dtype=np.intp)
    for p in range(n_pos):
        new_tour[p] = tour[placed[p]]
    return True, new_tour, slack


@numba.njit(cache=True, nogil=True)
def local_search_tour(
    mat: FloatArray,
    tour: IntArray,
    tmat: FloatArray,
    timed: bool,
    slack: float,
    eps: float,
    pts: FloatArray,
    circuity: float,
) -> IntArray:
    """2-opt passes to a local optimum, then an or-opt pass, repeated until neither improves.

    The pass loop of ``sim.routing.search.local_search``, compiled so that a route's ~20
    passes cost one call; ``tour`` is closed and changed in place by the 2-opt passes.
    """
    n_edges = tour.shape[0] - 1
    best = np.empty(n_edges)
    best_j = np.empty(n_edges, dtype=np.intp)
    seen = np.empty(n_edges + 1, dtype=np.intp)
    cached = False
    while True:
        applied = True
        while applied:
            applied, slack = _two_opt_pass(mat, tour, tmat, timed, slack, eps, best, best_j, seen, cached)
            cached = True
        moved, tour, slack = or_opt_step(mat, tour, tmat, timed, slack, eps, pts, circuity)
        if not moved:
            return tour
