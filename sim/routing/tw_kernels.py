"""Compiled kernels of the time-window improvement phase (``sim.routing.tw_search``).

The state of a solution is a set of route rows: ``R[r, 0..L[r] + 1]`` holds route r's nodes
with the depot (node ``n``) at both ends, ``rof`` / ``pof`` give each stop's route and
position (-1: not routed), and ``F[r, p, :]`` holds per position

* ``DEP`` -- departure time from the node (after waiting for its window and serving it),
* ``LATE`` -- the latest arrival at the node from which the rest of the route still meets
  every window end and is back by the shift end (``-inf`` when no arrival is),
* ``CVOL`` / ``CWT`` / ``CKM`` -- volume, weight and road km accumulated up to the node.

With these forward and backward values any route made of a prefix of one route, up to
three explicit stops and a suffix of another (``compose_ok``) is checked in O(1): the
departure from the prefix's end is propagated through the explicit stops and the arrival
at the suffix's first node compared with its ``LATE``; loads and km come from the prefix
sums. That covers relocating a run of 1-3 stops to another route, swapping two stops of
different routes, 2-opt* (exchanging route tails) and insertion. Moves inside one route
(2-opt, relocate, swap) change the times of the stops in between, so they are checked by
propagating through the changed stretch -- only for moves that shorten the route.

Margins: arrivals must be ``SLACK`` before a window end or the shift end and km ``SLACK``
below the range, so that the exact re-check of the planner (numpy, other order of
operations) never disagrees.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# Columns of the node table ``nd`` (one row per stop, the depot last). Columns N_NODE + j,
# when present, hold the road km to node j: a matrix lookup is several times cheaper than
# ``hypot`` in the search's inner loops (``tw_search`` adds them for problems that are not huge).
X, Y, E, LW, S, VOL, WT = 0, 1, 2, 3, 4, 5, 6
N_NODE = 7
# Entries of the limits vector ``lim`` (unused limits are +inf).
CAP, PAYLOAD, MAX_KM, MAX_STOPS, MAX_H, CIRC, AREA, STEM, SLACK = 0, 1, 2, 3, 4, 5, 6, 7, 8
N_LIMITS = 9
# Columns of the route state ``F[r, p, :]``.
DEP, LATE, CVOL, CWT, CKM = 0, 1, 2, 3, 4
N_STATE = 5
# A move must gain more than this (km) to be applied.
EPS = 1e-9


@njit(cache=True)
def dist(nd, lim, i, j):
    """Road km between nodes i and j (circuity x euclidean; from the table's matrix columns if it has them)."""
    if nd.shape[1] > N_NODE:
        return nd[i, N_NODE + j]
    return lim[CIRC] * math.hypot(nd[i, X] - nd[j, X], nd[i, Y] - nd[j, Y])


@njit(cache=True)
def travel(nd, lim, i, j, d):
    """Hours to drive ``d`` km from i to j: stem speed when either end is the depot."""
    depot = nd.shape[0] - 1
    if i == depot or j == depot:
        return d / lim[STEM]
    return d / lim[AREA]


@njit(cache=True)
def update(nd, lim, R, L, F, r):
    """Recompute the forward and backward values of route r from its nodes."""
    k = L[r]
    F[r, 0, DEP] = 0.0
    F[r, 0, CVOL] = 0.0
    F[r, 0, CWT] = 0.0
    F[r, 0, CKM] = 0.0
    for p in range(1, k + 2):
        a = R[r, p - 1]
        b = R[r, p]
        d = dist(nd, lim, a, b)
        F[r, p, CKM] = F[r, p - 1, CKM] + d
        if p <= k:
            arrive = F[r, p - 1, DEP] + travel(nd, lim, a, b, d)
            F[r, p, DEP] = max(arrive, nd[b, E]) + nd[b, S]
            F[r, p, CVOL] = F[r, p - 1, CVOL] + nd[b, VOL]
            F[r, p, CWT] = F[r, p - 1, CWT] + nd[b, WT]
        else:
            F[r, p, CVOL] = F[r, p - 1, CVOL]
            F[r, p, CWT] = F[r, p - 1, CWT]
    F[r, k + 1, LATE] = lim[MAX_H]
    for p in range(k, 0, -1):
        x = R[r, p]
        nxt = R[r, p + 1]
        bound = F[r, p + 1, LATE] - travel(nd, lim, x, nxt, dist(nd, lim, x, nxt)) - nd[x, S]
        # Arriving early only means waiting for the window: if even the window start is too
        # late for the rest of the route, no arrival time works.
        F[r, p, LATE] = min(nd[x, LW], bound) if nd[x, E] <= bound else -np.inf


@njit(cache=True)
def write(nd, lim, R, L, F, rof, pof, r, buf, m):
    """Make route r the stops ``buf[:m]`` and recompute its values."""
    depot = nd.shape[0] - 1
    R[r, 0] = depot
    for q in range(m):
        x = buf[q]
        R[r, q + 1] = x
        rof[x] = r
        pof[x] = q + 1
    R[r, m + 1] = depot
    L[r] = m
    update(nd, lim, R, L, F, r)


@njit(cache=True)
def times_fit(nd, lim, dep, prev, seq, m, nxt, nxt_late):
    """Leaving ``prev`` at ``dep``, visit ``seq[:m]`` and reach ``nxt`` by ``nxt_late``?"""
    slack = lim[SLACK]
    t = dep
    for q in range(m):
        x = seq[q]
        arrive = t + travel(nd, lim, prev, x, dist(nd, lim, prev, x))
        if arrive > nd[x, LW] - slack:
            return False
        t = max(arrive, nd[x, E]) + nd[x, S]
        prev = x
    return t + travel(nd, lim, prev, nxt, dist(nd, lim, prev, nxt)) <= nxt_late - slack


@njit(cache=True)
def compose_ok(nd, lim, R, L, F, ra, i, seq, m, rb, j):
    """Is the route ``R[ra, 0..i] + seq[:m] + R[rb, j..L[rb] + 1]`` feasible? O(m)."""
    if i + m + L[rb] + 1 - j > lim[MAX_STOPS]:
        return False
    vol = F[ra, i, CVOL] + F[rb, L[rb], CVOL] - F[rb, j - 1, CVOL]
    wt = F[ra, i, CWT] + F[rb, L[rb], CWT] - F[rb, j - 1, CWT]
    prev = R[ra, i]
    km = F[ra, i, CKM] + F[rb, L[rb] + 1, CKM] - F[rb, j, CKM]
    for q in range(m):
        x = seq[q]
        vol += nd[x, VOL]
        wt += nd[x, WT]
        km += dist(nd, lim, prev, x)
        prev = x
    km += dist(nd, lim, prev, R[rb, j])
    if vol > lim[CAP] or wt > lim[PAYLOAD] or km > lim[MAX_KM] - lim[SLACK]:
        return False
    return times_fit(nd, lim, F[ra, i, DEP], R[ra, i], seq, m, R[rb, j], F[rb, j, LATE])


@njit(cache=True)
def route_ok(nd, lim, buf, m):
    """Full check of the order-dependent limits of a route ``buf[:m]`` (its loads are unchanged)."""
    depot = nd.shape[0] - 1
    slack = lim[SLACK]
    t = 0.0
    km = 0.0
    prev = depot
    for q in range(m):
        x = buf[q]
        d = dist(nd, lim, prev, x)
        km += d
        arrive = t + travel(nd, lim, prev, x, d)
        if arrive > nd[x, LW] - slack:
            return False
        t = max(arrive, nd[x, E]) + nd[x, S]
        prev = x
    d = dist(nd, lim, prev, depot)
    return t + travel(nd, lim, prev, depot, d) <= lim[MAX_H] - slack and km + d <= lim[MAX_KM] - slack


@njit(cache=True)
def total_km(F, L):
    """Planned road km of all routes."""
    s = 0.0
    for r in range(L.shape[0]):
        if L[r] > 0:
            s += F[r, L[r] + 1, CKM]
    return s
