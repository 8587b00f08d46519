"""Compiled local search for routes with time windows: relocate, swap, 2-opt*, 2-opt, or-opt.

Granular neighbourhoods: each stop u is tried against its nearest stops v only
(``nbr[u]``), and every move creates an edge between u and v. Between routes:

* relocate a run of 1-3 stops starting at u to just after or just before v (both
  orientations), or into an empty route;
* swap u and v;
* 2-opt* -- exchange the tails of the two routes so that u and v become neighbours.

Inside a route: 2-opt (reverse the stretch between u and v, two ways) and relocating a
run of 1-3 stops next to v, over stretches of at most ``MAX_STRETCH`` positions.
Inter-route moves are checked in O(1) from the routes' forward/backward values
(``tw_kernels.compose_ok``); intra-route moves by propagating the times through the
stretch they change, which is only done when the move is shorter.

First improvement with "tested" stamps: a pair (u, v) is skipped when neither u's nor v's
route changed since u was last tried, so after a perturbation only the neighbourhood of
what changed is searched again. Objective: road km; every applied move gains > ``EPS``.
"""

from __future__ import annotations

from numba import njit

from sim.routing.tw_kernels import CKM, DEP, EPS, LATE, compose_ok, dist, times_fit, update, write

# Moves inside a route change at most this many positions: reversing or crossing a longer
# stretch almost never meets the windows, and checking it costs its length.
MAX_STRETCH = 24


@njit(cache=True)
def _copy(R, r, a, b, buf, m):
    """Append ``R[r, a..b]`` (inclusive; nothing when b < a) to ``buf`` at ``m``; return the new length."""
    for p in range(a, b + 1):
        buf[m] = R[r, p]
        m += 1
    return m


@njit(cache=True)
def _copy_rev(R, r, a, b, buf, m):
    """Append ``R[r, b..a]`` (reversed) to ``buf`` at ``m``; return the new length."""
    for p in range(b, a - 1, -1):
        buf[m] = R[r, p]
        m += 1
    return m


@njit(cache=True)
def _mark(stamp, touched, clock, r):
    clock[0] += 1
    stamp[r] = clock[0]
    touched[r] = True


@njit(cache=True)
def _segment_move(nd, lim, R, ru, pu, m, rb, ia):
    """A run's ends, the km its removal saves, and the ends and km of the edge it would go into.

    The run is ``R[ru, pu..pu+m-1]``; the edge is ``R[rb, ia] -> R[rb, ia + 1]``.
    """
    first = R[ru, pu]
    last = R[ru, pu + m - 1]
    p = R[ru, pu - 1]
    s = R[ru, pu + m]
    rem = dist(nd, lim, p, first) + dist(nd, lim, last, s) - dist(nd, lim, p, s)
    a = R[rb, ia]
    b = R[rb, ia + 1]
    return first, last, rem, a, b, dist(nd, lim, a, b)


@njit(cache=True)
def relocate_inter(nd, lim, R, L, F, rof, pof, ru, pu, m, rb, ia, seq, bufa, bufb, stamp, touched, clock):
    """Move ``R[ru, pu..pu+m-1]`` between positions ia and ia + 1 of another route rb, if shorter and feasible."""
    first, last, rem, a, b, base = _segment_move(nd, lim, R, ru, pu, m, rb, ia)
    for rev in range(2 if m > 1 else 1):
        f, lt = (last, first) if rev else (first, last)
        if dist(nd, lim, a, f) + dist(nd, lim, lt, b) - base - rem >= -EPS:
            continue
        if rev:
            _copy_rev(R, ru, pu, pu + m - 1, seq, 0)
        else:
            _copy(R, ru, pu, pu + m - 1, seq, 0)
        if not compose_ok(nd, lim, R, L, F, rb, ia, seq, m, rb, ia + 1):
            continue
        if not compose_ok(nd, lim, R, L, F, ru, pu - 1, seq, 0, ru, pu + m):
            continue
        ma = _copy(R, ru, 1, pu - 1, bufa, 0)
        ma = _copy(R, ru, pu + m, L[ru], bufa, ma)
        mb = _copy(R, rb, 1, ia, bufb, 0)
        for q in range(m):
            bufb[mb + q] = seq[q]
        mb = _copy(R, rb, ia + 1, L[rb], bufb, mb + m)
        write(nd, lim, R, L, F, rof, pof, ru, bufa, ma)
        write(nd, lim, R, L, F, rof, pof, rb, bufb, mb)
        _mark(stamp, touched, clock, ru)
        _mark(stamp, touched, clock, rb)
        return True
    return False


@njit(cache=True)
def swap_inter(nd, lim, R, L, F, rof, pof, u, v, seq, stamp, touched, clock):
    """Exchange stops u and v of two different routes, if shorter and feasible."""
    ru, pu, rv, pv = rof[u], pof[u], rof[v], pof[v]
    a, b = R[ru, pu - 1], R[ru, pu + 1]
    c, d = R[rv, pv - 1], R[rv, pv + 1]
    delta = (
        dist(nd, lim, a, v) + dist(nd, lim, v, b) + dist(nd, lim, c, u) + dist(nd, lim, u, d)
        - dist(nd, lim, a, u) - dist(nd, lim, u, b) - dist(nd, lim, c, v) - dist(nd, lim, v, d)
    )
    if delta >= -EPS:
        return False
    seq[0] = v
    if not compose_ok(nd, lim, R, L, F, ru, pu - 1, seq, 1, ru, pu + 1):
        return False
    seq[0] = u
    if not compose_ok(nd, lim, R, L, F, rv, pv - 1, seq, 1, rv, pv + 1):
        return False
    R[ru, pu] = v
    R[rv, pv] = u
    rof[u], pof[u], rof[v], pof[v] = rv, pv, ru, pu
    update(nd, lim, R, L, F, ru)
    update(nd, lim, R, L, F, rv)
    _mark(stamp, touched, clock, ru)
    _mark(stamp, touched, clock, rv)
    return True


@njit(cache=True)
def tails(nd, lim, R, L, F, rof, pof, ra, i, rb, j, seq, bufa, bufb, stamp, touched, clock):
    """2-opt*: routes become ``ra[..i] + rb[j+1..]`` and ``rb[..j] + ra[i+1..]``, if shorter and feasible."""
    a, a1 = R[ra, i], R[ra, i + 1]
    b, b1 = R[rb, j], R[rb, j + 1]
    delta = dist(nd, lim, a, b1) + dist(nd, lim, b, a1) - dist(nd, lim, a, a1) - dist(nd, lim, b, b1)
    if delta >= -EPS:
        return False
    if not compose_ok(nd, lim, R, L, F, ra, i, seq, 0, rb, j + 1):
        return False
    if not compose_ok(nd, lim, R, L, F, rb, j, seq, 0, ra, i + 1):
        return False
    ma = _copy(R, ra, 1, i, bufa, 0)
    ma = _copy(R, rb, j + 1, L[rb], bufa, ma)
    mb = _copy(R, rb, 1, j, bufb, 0)
    mb = _copy(R, ra, i + 1, L[ra], bufb, mb)
    write(nd, lim, R, L, F, rof, pof, ra, bufa, ma)
    write(nd, lim, R, L, F, rof, pof, rb, bufb, mb)
    _mark(stamp, touched, clock, ra)
    _mark(stamp, touched, clock, rb)
    return True


@njit(cache=True)
def two_opt_intra(nd, lim, R, L, F, rof, pof, r, i, j, seq, bufa, stamp, touched, clock):
    """Reverse ``R[r, i+1..j]`` (i + 1 < j <= i + MAX_STRETCH), if shorter and still meeting every window."""
    if j - i > MAX_STRETCH:
        return False
    a, a1 = R[r, i], R[r, i + 1]
    b, b1 = R[r, j], R[r, j + 1]
    if dist(nd, lim, a, b) + dist(nd, lim, a1, b1) - dist(nd, lim, a, a1) - dist(nd, lim, b, b1) >= -EPS:
        return False
    m = _copy_rev(R, r, i + 1, j, seq, 0)
    if not times_fit(nd, lim, F[r, i, DEP], a, seq, m, b1, F[r, j + 1, LATE]):
        return False
    ma = _copy(R, r, 1, i, bufa, 0)
    for q in range(m):
        bufa[ma + q] = seq[q]
    ma = _copy(R, r, j + 1, L[r], bufa, ma + m)
    write(nd, lim, R, L, F, rof, pof, r, bufa, ma)
    _mark(stamp, touched, clock, r)
    return True


@njit(cache=True)
def relocate_intra(nd, lim, R, L, F, rof, pof, r, pu, m, ia, seq, bufa, stamp, touched, clock):
    """Move ``R[r, pu..pu+m-1]`` between positions ia and ia + 1 of its own route (either orientation)."""
    if pu - 1 <= ia <= pu + m - 1 or abs(ia - pu) > MAX_STRETCH:
        return False
    first, last, rem, a, b, base = _segment_move(nd, lim, R, r, pu, m, r, ia)
    for rev in range(2 if m > 1 else 1):
        f, lt = (last, first) if rev else (first, last)
        if dist(nd, lim, a, f) + dist(nd, lim, lt, b) - base - rem >= -EPS:
            continue
        # The changed stretch, from the first position whose successor changes.
        if ia > pu:
            start, nxt = pu - 1, ia + 1
            k = _copy(R, r, pu + m, ia, seq, 0)
            k = _copy_rev(R, r, pu, pu + m - 1, seq, k) if rev else _copy(R, r, pu, pu + m - 1, seq, k)
        else:
            start, nxt = ia, pu + m
            k = _copy_rev(R, r, pu, pu + m - 1, seq, 0) if rev else _copy(R, r, pu, pu + m - 1, seq, 0)
            k = _copy(R, r, ia + 1, pu - 1, seq, k)
        if not times_fit(nd, lim, F[r, start, DEP], R[r, start], seq, k, R[r, nxt], F[r, nxt, LATE]):
            continue
        ma = _copy(R, r, 1, start, bufa, 0)
        for q in range(k):
            bufa[ma + q] = seq[q]
        ma = _copy(R, r, nxt, L[r], bufa, ma + k)
        write(nd, lim, R, L, F, rof, pof, r, bufa, ma)
        _mark(stamp, touched, clock, r)
        return True
    return False


@njit(cache=True)
def to_empty(nd, lim, R, L, F, rof, pof, u, er, seq, bufa, bufb, stamp, touched, clock):
    """Move stop u alone into the empty route er, if that is shorter and feasible."""
    ru, pu = rof[u], pof[u]
    p, s = R[ru, pu - 1], R[ru, pu + 1]
    depot = nd.shape[0] - 1
    rem = dist(nd, lim, p, u) + dist(nd, lim, u, s) - dist(nd, lim, p, s)
    if 2.0 * dist(nd, lim, depot, u) - rem >= -EPS:
        return False
    seq[0] = u
    if not compose_ok(nd, lim, R, L, F, er, 0, seq, 1, er, 1):
        return False
    if not compose_ok(nd, lim, R, L, F, ru, pu - 1, seq, 0, ru, pu + 1):
        return False
    ma = _copy(R, ru, 1, pu - 1, bufa, 0)
    ma = _copy(R, ru, pu + 1, L[ru], bufa, ma)
    bufb[0] = u
    write(nd, lim, R, L, F, rof, pof, ru, bufa, ma)
    write(nd, lim, R, L, F, rof, pof, er, bufb, 1)
    _mark(stamp, touched, clock, ru)
    _mark(stamp, touched, clock, er)
    return True


@njit(cache=True)
def _pair(nd, lim, R, L, F, rof, pof, u, v, seq, bufa, bufb, stamp, touched, clock):
    """Try every move that makes u and v neighbours; apply the first that gains."""
    ru, pu, rv, pv = rof[u], pof[u], rof[v], pof[v]
    if ru != rv:
        for m in range(1, 4):
            if pu + m - 1 > L[ru]:
                break
            # Just after v, then just before it.
            for ia in (pv, pv - 1):
                if relocate_inter(
                    nd, lim, R, L, F, rof, pof, ru, pu, m, rv, ia, seq, bufa, bufb, stamp, touched, clock
                ):
                    return True
        if swap_inter(nd, lim, R, L, F, rof, pof, u, v, seq, stamp, touched, clock):
            return True
        if tails(nd, lim, R, L, F, rof, pof, ru, pu, rv, pv - 1, seq, bufa, bufb, stamp, touched, clock):
            return True
        return tails(nd, lim, R, L, F, rof, pof, ru, pu - 1, rv, pv, seq, bufa, bufb, stamp, touched, clock)
    i, j = (pu, pv) if pu < pv else (pv, pu)
    if j - i > 1:
        if two_opt_intra(nd, lim, R, L, F, rof, pof, ru, i, j, seq, bufa, stamp, touched, clock):
            return True
        if two_opt_intra(nd, lim, R, L, F, rof, pof, ru, i - 1, j - 1, seq, bufa, stamp, touched, clock):
            return True
    for m in range(1, 4):
        if pu + m - 1 > L[ru]:
            break
        if relocate_intra(nd, lim, R, L, F, rof, pof, ru, pu, m, pv, seq, bufa, stamp, touched, clock):
            return True
        if relocate_intra(nd, lim, R, L, F, rof, pof, ru, pu, m, pv - 1, seq, bufa, stamp, touched, clock):
            return True
    return False


@njit(cache=True)
def search(nd, lim, nbr, order, R, L, F, rof, pof, stamp, tested, clock, touched, seq, bufa, bufb, own):
    """First-improvement local search over ``order``'s stops until no move gains (see the module docstring).

    With ``own``, a stop is only tried again once its own route changed (not merely a
    neighbour's): the cheaper search used after a perturbation, which changes few routes.
    """
    n_routes = L.shape[0]
    improved = True
    while improved:
        improved = False
        for idx in range(order.shape[0]):
            u = order[idx]
            if rof[u] < 0:
                continue
            last = tested[u]
            if own and stamp[rof[u]] <= last:
                continue
            tested[u] = clock[0]
            for k in range(nbr.shape[1]):
                v = nbr[u, k]
                if v < 0:
                    break
                if rof[v] < 0 or (stamp[rof[u]] <= last and stamp[rof[v]] <= last):
                    continue
                if _pair(nd, lim, R, L, F, rof, pof, u, v, seq, bufa, bufb, stamp, touched, clock):
                    improved = True
            if stamp[rof[u]] > last:
                for er in range(n_routes):
                    if L[er] == 0:
                        if to_empty(nd, lim, R, L, F, rof, pof, u, er, seq, bufa, bufb, stamp, touched, clock):
                            improved = True
                        break


@njit(cache=True)
def route_km(F, L, r):
    """Road km of route r."""
    return F[r, L[r] + 1, CKM]
