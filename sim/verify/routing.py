"""The route planner's tours against the BHH law and against PyVRP's near-optimal tours.

A single vehicle without limits visiting n points uniform in a square of area A
has an optimal tour of length about beta sqrt(n A) for large n, beta = 0.7124
(Beardwood, Halton & Hammersley 1959; the constant estimated by Percus & Martin
1996 and Applegate et al. 2006). On a finite square the boundary makes the
optimal tour a few percent longer, and a heuristic is a few percent above
optimal: the band accepts 1.00-1.15 x BHH (a project tolerance). The
comparison with PyVRP (full mode) plans the same instance with PyVRP's hybrid
genetic search, warm-started from the heuristic; the heuristic must be within 6 %.
"""

from __future__ import annotations

import math

import numpy as np

from sim.routing import RoutingProblem, plan_heuristic, solve
from sim.verify.checks import CheckRow, VerifyContext, band, register

BHH_BETA = 0.7124
BHH_SOURCE = "Beardwood, Halton & Hammersley (1959); beta = 0.7124: Percus & Martin (1996), Applegate et al. (2006)"
SIDE_KM = 10.0


def tsp_problem(stops: int, seed: int) -> RoutingProblem:
    """One vehicle with no capacity, time or distance limit; ``stops`` points uniform in a 10 km square."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0.0, SIDE_KM, (stops, 2))
    return RoutingProblem(
        depot_xy=np.array([SIDE_KM / 2, SIDE_KM / 2]), stop_xy=xy, stop_volume_m3=np.zeros(stops),
        stop_service_h=np.zeros(stops), stop_priority=np.zeros(stops, dtype=np.int64), vehicle_capacity_m3=1e9,
        max_route_hours=1e6, max_routes=1, circuity=1.0, area_speed_kmh=30.0, stem_speed_kmh=30.0)


@register("routing_bhh", "route planner")
def bhh_checks(ctx: VerifyContext) -> list[CheckRow]:
    """Heuristic tour length over BHH's beta sqrt(n A), and over PyVRP's tour (full mode)."""
    sizes = [200, 800] if ctx.quick else [200, 800, 1600]
    rows = []
    for stops in sizes:
        problem = tsp_problem(stops, ctx.seed + stops)
        length = plan_heuristic(problem).distance_km
        # The depot is one more point of the tour: n + 1 points.
        bhh = BHH_BETA * math.sqrt((stops + 1) * SIDE_KM ** 2)
        rows.append(band("route planner", f"tour length / BHH, {stops} uniform stops in a square",
                         "L ~ 0.7124 sqrt(n A); band 1.00-1.15 (finite-square boundary + heuristic gap)",
                         BHH_SOURCE, length / bhh, 1.0, 1.15))
        if not ctx.quick and stops <= 800:
            reference = solve(problem, seed=ctx.seed, budget=20.0, planner="pyvrp").distance_km
            rows.append(band("route planner", f"tour length / PyVRP near-optimal tour, {stops} stops",
                             "PyVRP hybrid genetic search, 20 s, warm-started; band 1.00-1.06",
                             "Wouda, Lan & Kool, PyVRP, INFORMS J. Computing (2024)", length / reference,
                             1.0 - 1e-9, 1.06))
    return rows
