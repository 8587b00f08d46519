"""Compiled construction and perturbation for routes with time windows.

* ``insert_cheapest`` -- time-window-aware cheapest insertion of one stop into any route
  (or one empty route), each position checked in O(1) (``tw_kernels.compose_ok``).
* ``construct`` -- routes built from nothing by inserting stops one at a time, in a given
  order, at their cheapest feasible position.
* ``ils`` -- iterated local search: ruin (remove strings of consecutive stops from routes
  near a random stop, as in string removal), recreate by cheapest insertion in one of four
  orders, local search (``tw_moves.search``), and accept when the result is at most a
  small, shrinking threshold longer than the current solution. The best solution is kept.
  The served set never changes: an iteration that cannot re-insert a stop is undone.

Randomness comes from a xorshift generator seeded by the caller, so a given problem always
gives the same plan (no global random state).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.routing.tw_kernels import CVOL, LW, VOL, E, compose_ok, dist, total_km, update, write
from sim.routing.tw_moves import search

# After a perturbation, retry only the stops whose own route changed (``search``'s ``own``):
# about 3x cheaper per round than the full retest, for slightly weaker rounds.
OWN = True


@njit(cache=True)
def _rand(state):
    """Next value of a 64-bit xorshift generator (``state`` is a 1-element uint64 array)."""
    x = state[0]
    x ^= (x << np.uint64(13)) & np.uint64(0xFFFFFFFFFFFFFFFF)
    x ^= x >> np.uint64(7)
    x ^= (x << np.uint64(17)) & np.uint64(0xFFFFFFFFFFFFFFFF)
    state[0] = x
    return x


@njit(cache=True)
def _below(state, k):
    """A pseudo-random integer in [0, k)."""
    return int(_rand(state) % np.uint64(k))


@njit(cache=True)
def insert_cheapest(nd, lim, R, L, F, rof, pof, x, seq, buf, stamp, touched, clock):
    """Insert stop x where it adds the fewest km among the feasible positions; False if none is."""
    best = np.inf
    br = -1
    bp = -1
    seen_empty = False
    seq[0] = x
    for r in range(L.shape[0]):
        k = L[r]
        if k == 0:
            if seen_empty:
                continue
            seen_empty = True
        if F[r, k, CVOL] + nd[x, VOL] > lim[0]:
            continue
        for p in range(k + 1):
            a = R[r, p]
            b = R[r, p + 1]
            delta = dist(nd, lim, a, x) + dist(nd, lim, x, b) - dist(nd, lim, a, b)
            if delta < best and compose_ok(nd, lim, R, L, F, r, p, seq, 1, r, p + 1):
                best = delta
                br = r
                bp = p
    if br < 0:
        return False
    m = 0
    for p in range(1, bp + 1):
        buf[m] = R[br, p]
        m += 1
    buf[m] = x
    m += 1
    for p in range(bp + 1, L[br] + 1):
        buf[m] = R[br, p]
        m += 1
    write(nd, lim, R, L, F, rof, pof, br, buf, m)
    clock[0] += 1
    stamp[br] = clock[0]
    touched[br] = True
    return True


@njit(cache=True)
def construct(nd, lim, R, L, F, rof, pof, order, seq, buf, stamp, touched, clock):
    """Empty every route, then insert ``order``'s stops one by one; False if one fits nowhere."""
    for r in range(L.shape[0]):
        write(nd, lim, R, L, F, rof, pof, r, buf, 0)
    for x in order:
        rof[x] = -1
    # numba compiles loops, not generator expressions: keep the explicit loop.
    for x in order:  # noqa: SIM110
        if not insert_cheapest(nd, lim, R, L, F, rof, pof, x, seq, buf, stamp, touched, clock):
            return False
    return True


@njit(cache=True)
def insert_each(nd, lim, R, L, F, rof, pof, stops):
    """Cheapest feasible insertion of ``stops`` in order; per stop, whether it was placed."""
    width = R.shape[1]
    seq = np.zeros(width, dtype=np.int64)
    buf = np.zeros(width, dtype=np.int64)
    stamp = np.zeros(L.shape[0], dtype=np.int64)
    touched = np.zeros(L.shape[0], dtype=np.bool_)
    clock = np.zeros(1, dtype=np.int64)
    placed = np.zeros(stops.shape[0], dtype=np.bool_)
    for q in range(stops.shape[0]):
        placed[q] = insert_cheapest(nd, lim, R, L, F, rof, pof, stops[q], seq, buf, stamp, touched, clock)
    return placed


@njit(cache=True)
def _ruin(nd, lim, R, L, F, rof, pof, nbr, served, state, removed, buf, max_remove, stamp, touched, clock):
    """Remove strings of consecutive stops from the routes nearest a random stop; return how many."""
    c = served[_below(state, served.shape[0])]
    target = 1 + _below(state, max_remove)
    count = 0
    for k in range(-1, nbr.shape[1]):
        if count >= target:
            break
        w = c if k < 0 else nbr[c, k]
        if w < 0:
            break
        r = rof[w]
        if r < 0 or touched[r]:
            continue
        length = min(L[r], 1 + _below(state, min(10, target - count + 1)))
        start = pof[w] - _below(state, length)
        start = max(1, min(start, L[r] - length + 1))
        m = 0
        for p in range(1, L[r] + 1):
            x = R[r, p]
            if start <= p < start + length:
                removed[count] = x
                count += 1
                rof[x] = -1
            else:
                buf[m] = x
                m += 1
        write(nd, lim, R, L, F, rof, pof, r, buf, m)
        clock[0] += 1
        stamp[r] = clock[0]
        touched[r] = True
    return count


@njit(cache=True)
def _recreate_order(nd, removed, count, state):
    """The removed stops in one of four orders: random, farthest first, earliest window end, largest first."""
    depot = nd.shape[0] - 1
    key = np.empty(count)
    kind = _below(state, 4)
    for q in range(count):
        x = removed[q]
        if kind == 0:
            key[q] = float(_below(state, 1 << 30))
        elif kind == 1:
            key[q] = -((nd[x, 0] - nd[depot, 0]) ** 2 + (nd[x, 1] - nd[depot, 1]) ** 2)
        elif kind == 2:
            key[q] = nd[x, LW] + 1e-9 * nd[x, E]
        else:
            key[q] = -nd[x, VOL]
    return removed[:count][np.argsort(key, kind="mergesort")]


@njit(cache=True)
def _save(R, L, F, Rs, Ls, Fs, touched):
    """Copy the touched routes into the saved state."""
    for r in range(L.shape[0]):
        if touched[r]:
            Rs[r, :] = R[r, :]
            Ls[r] = L[r]
            Fs[r, :, :] = F[r, :, :]


@njit(cache=True)
def _restore(R, L, F, rof, pof, Rs, Ls, Fs, touched, stamp, clock):
    """Undo the touched routes from the saved state (their stops come back with them)."""
    for r in range(L.shape[0]):
        if touched[r]:
            R[r, :] = Rs[r, :]
            L[r] = Ls[r]
            F[r, :, :] = Fs[r, :, :]
            for p in range(1, L[r] + 1):
                rof[R[r, p]] = r
                pof[R[r, p]] = p
            clock[0] += 1
            stamp[r] = clock[0]


@njit(cache=True)
def ils(nd, lim, nbr, served, first, R, L, F, rof, pof, iters, seed, max_remove, threshold):
    """Improve the solution in place: local search from ``first``'s stops, then ``iters`` ruin-and-recreate rounds.

    ``first``: the stops to search from before the rounds (all of them after a change to
    every route, only those of the changed routes otherwise, none when the solution is
    already a local optimum).

    ``threshold``: an iteration's result is accepted when it is at most this fraction
    longer than the current solution, shrinking linearly to 0 over the iterations.
    Leaves the best solution found in R, L, F, rof, pof and returns its km.
    """
    n_routes = L.shape[0]
    width = R.shape[1]
    stamp = np.zeros(n_routes, dtype=np.int64)
    tested = np.full(nd.shape[0], -1, dtype=np.int64)
    clock = np.zeros(1, dtype=np.int64)
    touched = np.zeros(n_routes, dtype=np.bool_)
    seq = np.zeros(width, dtype=np.int64)
    bufa = np.zeros(width, dtype=np.int64)
    bufb = np.zeros(width, dtype=np.int64)
    removed = np.zeros(served.shape[0], dtype=np.int64)
    state = np.full(1, np.uint64(seed) * np.uint64(2654435761) + np.uint64(88172645463325252), dtype=np.uint64)
    order = served.copy()
    search(nd, lim, nbr, first, R, L, F, rof, pof, stamp, tested, clock, touched, seq, bufa, bufb, False)
    current = total_km(F, L)
    best = current
    Rs, Ls, Fs = R.copy(), L.copy(), F.copy()
    Rb, Lb = R.copy(), L.copy()
    for it in range(iters):
        touched[:] = False
        count = _ruin(nd, lim, R, L, F, rof, pof, nbr, served, state, removed, bufa, max_remove, stamp, touched, clock)
        ok = True
        for x in _recreate_order(nd, removed, count, state):
            if not insert_cheapest(nd, lim, R, L, F, rof, pof, x, seq, bufa, stamp, touched, clock):
                ok = False
                break
        if ok:
            # Shuffle the search order now and then, so ties are not always broken alike.
            if it % 16 == 0:
                for q in range(order.shape[0] - 1, 0, -1):
                    z = _below(state, q + 1)
                    order[q], order[z] = order[z], order[q]
            search(nd, lim, nbr, order, R, L, F, rof, pof, stamp, tested, clock, touched, seq, bufa, bufb, OWN)
            km = total_km(F, L)
            ok = km < current * (1.0 + threshold * (1.0 - it / iters)) or km < current - 1e-9
        if ok:
            current = km
            _save(R, L, F, Rs, Ls, Fs, touched)
            if km < best - 1e-9:
                best = km
                Rb[:, :] = R
                Lb[:] = L
        else:
            for x in removed[:count]:
                rof[x] = -1
            _restore(R, L, F, rof, pof, Rs, Ls, Fs, touched, stamp, clock)
    R[:, :] = Rb
    L[:] = Lb
    for r in range(n_routes):
        for p in range(1, L[r] + 1):
            rof[R[r, p]] = r
            pof[R[r, p]] = p
        update(nd, lim, R, L, F, r)
    return total_km(F, L)
