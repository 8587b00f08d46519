"""The route planner's tours against the BHH law and against PyVRP's near-optimal tours.

A single vehicle without limits visiting n points uniform in a square of area A
has an optimal tour of length about beta sqrt(n A) for large n, beta = 0.7124
(Beardwood, Halton & Hammersley 1959; the constant estimated by Percus & Martin
1996 and Applegate et al. 2006). On a finite square the boundary makes the
optimal tour a few percent longer, and a heuristic is a few percent above
optimal: the band accepts 1.00-1.15 x BHH (a project tolerance). The
comparison with PyVRP (full mode) plans the same instance with PyVRP's hybrid
genetic search, warm-started from the heuristic; the heuristic must be within 6 %.

Stored reference tours (``data/reference_tours.json``, every mode) are PyVRP
tours of fixed instances with a long budget, kept with their visiting order:
the check regenerates each instance (its coordinates' hash must match), recomputes
the stored tour's length (it must match), and compares the heuristic's tour with it.
Rebuild them with :func:`write_reference_tours` (only when the instance
generator changes).
"""

from __future__ import annotations

import hashlib
import json
import math
from importlib import resources
from pathlib import Path

import numpy as np

from sim.routing import RoutingProblem, plan_heuristic, route_distance_km, solve
from sim.verify.checks import CheckRow, VerifyContext, band, register

BHH_BETA = 0.7124
BHH_SOURCE = "Beardwood, Halton & Hammersley (1959); beta = 0.7124: Percus & Martin (1996), Applegate et al. (2006)"
SIDE_KM = 10.0
REFERENCE_SEEDS = {200: 7200, 800: 7800}  # fixed instances of the stored reference tours
REFERENCE_BAND = (0.95, 1.06)


def tsp_problem(stops: int, seed: int) -> RoutingProblem:
    """One vehicle with no capacity, time or distance limit; ``stops`` points uniform in a 10 km square."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0.0, SIDE_KM, (stops, 2))
    return RoutingProblem(
        depot_xy=np.array([SIDE_KM / 2, SIDE_KM / 2]), stop_xy=xy, stop_volume_m3=np.zeros(stops),
        stop_service_h=np.zeros(stops), stop_priority=np.zeros(stops, dtype=np.int64), vehicle_capacity_m3=1e9,
        max_route_hours=1e6, max_routes=1, circuity=1.0, area_speed_kmh=30.0, stem_speed_kmh=30.0)


def coordinates_hash(problem: RoutingProblem) -> str:
    """SHA-256 of the instance's stop coordinates (float64 bytes): proves a regenerated instance is the same."""
    return hashlib.sha256(np.ascontiguousarray(problem.stop_xy, dtype=np.float64).tobytes()).hexdigest()


def write_reference_tours(path: Path, budget_s: float = 60.0) -> None:
    """Solve each reference instance with PyVRP for ``budget_s`` seconds and store the tours at ``path``."""
    import importlib.metadata

    cases = []
    for stops, seed in REFERENCE_SEEDS.items():
        problem = tsp_problem(stops, seed)
        solution = solve(problem, seed=1, budget=budget_s, planner="pyvrp")
        order = solution.routes[0].stops.tolist()
        cases.append({"stops": stops, "seed": seed, "xy_sha256": coordinates_hash(problem),
                      "length_km": route_distance_km(problem, order), "order": order})
    document = {"side_km": SIDE_KM, "solver": f"PyVRP {importlib.metadata.version('pyvrp')}, {budget_s:g} s",
                "cases": cases}
    path.write_text(json.dumps(document) + "\n", encoding="utf-8")


def reference_rows() -> list[CheckRow]:
    """The heuristic's tour over each stored near-optimal tour of the same instance."""
    document = json.loads(resources.files("sim.verify").joinpath("data/reference_tours.json").read_text("utf-8"))
    rows = []
    for case in document["cases"]:
        problem = tsp_problem(case["stops"], case["seed"])
        if coordinates_hash(problem) != case["xy_sha256"]:
            raise ValueError(f"reference instance of {case['stops']} stops no longer regenerates: rebuild the "
                             "stored tours (sim.verify.routing.write_reference_tours)")
        stored = route_distance_km(problem, case["order"])
        if not math.isclose(stored, case["length_km"], rel_tol=1e-9):
            raise ValueError(f"stored tour of {case['stops']} stops has length {stored}, not {case['length_km']}")
        length = plan_heuristic(problem).distance_km
        rows.append(band("route planner", f"tour length / stored near-optimal tour, {case['stops']} stops",
                         f"stored tour ({document['solver']}, {case['length_km']:.2f} km); band "
                         f"{REFERENCE_BAND[0]:.2f}-{REFERENCE_BAND[1]:.2f}",
                         "Wouda, Lan & Kool, PyVRP, INFORMS J. Computing (2024)", length / stored, *REFERENCE_BAND))
    return rows


@register("routing_bhh", "route planner")
def bhh_checks(ctx: VerifyContext) -> list[CheckRow]:
    """Heuristic tour length over BHH's beta sqrt(n A), over the stored tours, and over PyVRP's tour (full mode)."""
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
    return rows + reference_rows()
