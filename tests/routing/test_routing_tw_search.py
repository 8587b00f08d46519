"""Route quality and feasibility under time windows (sim.routing.tw_search, tw_moves, tw_ils, tw_kernels).

Optima of small problems come from an independent brute force (every feasible route of
every stop subset by depth-first search over orders, then the best partition into at most
``max_routes`` routes), measured with the checker's own formulas.
"""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pytest
from routing_checker import check_plan, make_problem, ref_distance, ref_schedule

from sim.routing import RoutingProblem, plan_heuristic, route_is_feasible, solve
from sim.routing import tw_kernels as tk
from sim.routing.arrays import ProblemArrays
from sim.routing.tw_search import _State, limits, node_table

# The heuristic's stated gap to the optimum on the brute-forced problems below.
HEURISTIC_GAP = 0.02
PYVRP_GAP = 0.02


def windowed(n: int, seed: int, *, max_routes: int = 3, width_h: tuple[float, float] = (0.5, 3.0)) -> RoutingProblem:
    """Random stops with random windows in a 6-hour day; capacity for about half the stops per van."""
    base = make_problem(n, seed=seed, side_km=12.0, routes_by_volume=2.0, max_routes=max_routes, max_route_hours=6.0)
    rng = np.random.default_rng(seed + 1000)
    start = rng.uniform(0.0, 4.0, size=n)
    return dataclasses.replace(
        base,
        stop_priority=np.zeros(n, dtype=np.int64),
        stop_tw_start_h=start,
        stop_tw_end_h=start + rng.uniform(*width_h, size=n),
    )


def _route_ok(problem: RoutingProblem, stops: list[int]) -> bool:
    arrivals, back = ref_schedule(problem, stops)
    late = problem.stop_tw_end_h
    assert late is not None
    return back <= problem.max_route_hours and all(a <= float(late[s]) for s, a in zip(stops, arrivals, strict=True))


def brute_force_optimum(problem: RoutingProblem) -> float:
    """Fewest km serving every stop (inf if impossible), by exhaustive search."""
    n = problem.num_stops
    best_route = [math.inf] * (1 << n)
    best_route[0] = 0.0

    def extend(order: list[int], mask: int) -> None:
        # Windows only get harder as a route grows, so an infeasible prefix is pruned.
        if order:
            if not _route_ok(problem, order):
                return
            best_route[mask] = min(best_route[mask], ref_distance(problem, order))
        for s in range(n):
            if not mask >> s & 1:
                order.append(s)
                extend(order, mask | 1 << s)
                order.pop()

    extend([], 0)
    cap = problem.vehicle_capacity_m3
    vol = [float(v) for v in problem.stop_volume_m3]
    for mask in range(1, 1 << n):
        if sum(vol[s] for s in range(n) if mask >> s & 1) > cap:
            best_route[mask] = math.inf
    # best[k][mask]: fewest km of mask in at most k routes.
    best = [[math.inf] * (1 << n) for _ in range(problem.max_routes + 1)]
    for k in range(problem.max_routes + 1):
        best[k][0] = 0.0
    for k in range(1, problem.max_routes + 1):
        for mask in range(1, 1 << n):
            low = mask & -mask
            sub = mask
            value = math.inf
            while sub:
                if sub & low and best_route[sub] < math.inf:
                    value = min(value, best_route[sub] + best[k - 1][mask ^ sub])
                sub = (sub - 1) & mask
            best[k][mask] = value
    return best[problem.max_routes][(1 << n) - 1]


@pytest.mark.parametrize("seed", range(8))
def test_small_windowed_problems_near_the_brute_force_optimum(seed: int) -> None:
    n = 6 if seed < 4 else 8
    problem = windowed(n, seed)
    optimum = brute_force_optimum(problem)
    assert optimum < math.inf, "the generator should make servable problems"
    heuristic = plan_heuristic(problem)
    check_plan(problem, heuristic)
    assert heuristic.unassigned.size == 0
    assert heuristic.distance_km <= optimum * (1.0 + HEURISTIC_GAP) + 1e-9
    assert heuristic.distance_km >= optimum - 1e-6  # nothing beats the optimum
    pyvrp = solve(problem, seed=1, budget=0.1, planner="pyvrp")
    check_plan(problem, pyvrp)
    assert pyvrp.unassigned.size == 0
    assert pyvrp.distance_km <= optimum * (1.0 + PYVRP_GAP) + 1e-9


def test_brute_force_finds_the_known_optimum_of_a_line() -> None:
    # Four stops on a line east of the depot, windows forcing the far pair first on one
    # van: the optimum is out and back along the line, 2 x 4 km x circuity.
    problem = RoutingProblem(
        depot_xy=np.array([0.0, 0.0]),
        stop_xy=np.array([[1.0, 0.0], [2.0, 0.0], [3.0, 0.0], [4.0, 0.0]]),
        stop_volume_m3=np.full(4, 0.1),
        stop_service_h=np.zeros(4),
        stop_priority=np.zeros(4, dtype=np.int64),
        vehicle_capacity_m3=1.0,
        max_route_hours=10.0,
        max_routes=1,
        circuity=1.0,
        area_speed_kmh=1.0,
        stem_speed_kmh=1.0,
        stop_tw_start_h=np.zeros(4),
        stop_tw_end_h=np.array([10.0, 10.0, 3.0, 4.0]),
    )
    assert brute_force_optimum(problem) == pytest.approx(8.0)
    plan = plan_heuristic(problem)
    check_plan(problem, plan)
    assert plan.distance_km == pytest.approx(8.0)
    # Stops 2 and 3 can only be met on the way out: the route is 0 1 2 3 then home.
    assert plan.routes[0].stops.tolist() == [0, 1, 2, 3]


@pytest.mark.parametrize("seed", range(3))
def test_larger_windowed_days_are_feasible_and_shorter_than_sweep_routes(seed: int) -> None:
    problem = windowed(120, seed, max_routes=8, width_h=(1.0, 2.0))
    plan = plan_heuristic(problem)
    check_plan(problem, plan)
    for route in plan.routes:
        assert route_is_feasible(problem, route.stops)
    # The one-stop-per-route plan of the same stops is a (weak) upper bound that any
    # reasonable planner beats by far when stops share routes.
    alone = sum(ref_distance(problem, [s]) for r in plan.routes for s in r.stops.tolist())
    assert plan.distance_km < 0.5 * alone


def test_windowed_plans_are_deterministic() -> None:
    problem = windowed(80, 11, max_routes=5)
    first, second = plan_heuristic(problem), plan_heuristic(dataclasses.replace(problem))
    assert [r.stops.tolist() for r in first.routes] == [r.stops.tolist() for r in second.routes]
    assert first.unassigned.tolist() == second.unassigned.tolist()


def test_short_fleet_under_windows_still_leaves_out_the_least_urgent() -> None:
    # One van with room for about half the stops: every served stop must be at least as
    # urgent as every stop left out that would have fitted alone.
    base = windowed(40, 3, max_routes=1, width_h=(3.0, 6.0))
    problem = dataclasses.replace(base, stop_priority=np.arange(40))
    plan = plan_heuristic(problem)
    check_plan(problem, plan)
    assert 0 < plan.num_served < 40
    served = sorted(int(s) for r in plan.routes for s in r.stops)
    assert served[: len(served) // 2] == list(range(len(served) // 2))  # the most urgent half is in


# --------------------------------------------------------------------------- O(1) checks against the checker


def _planned_routes(problem: RoutingProblem) -> list[list[int]]:
    """Feasible routes to cut prefixes and suffixes from (the kernels assume their routes are)."""
    return [r.stops.tolist() for r in plan_heuristic(problem).routes]


def test_compose_ok_agrees_with_the_independent_checker() -> None:
    rng = np.random.default_rng(5)
    checked = feasible = 0
    for seed in range(4):
        problem = windowed(40, seed, max_routes=4, width_h=(0.5, 2.0))
        arrays = ProblemArrays(problem)
        nd, lim = node_table(arrays), limits(arrays)
        routes = _planned_routes(problem)
        st = _State(arrays, nd, lim, len(routes))
        st.load([np.asarray(r, dtype=np.intp) for r in routes])
        seq = np.zeros(4, dtype=np.int64)
        for _ in range(400):
            ra, rb = rng.integers(0, len(routes), size=2)
            i = int(rng.integers(0, len(routes[ra]) + 1))
            j = int(rng.integers(1, len(routes[rb]) + 2))
            if ra == rb and j <= i:
                continue
            pool = [s for s in range(problem.num_stops) if s not in routes[ra][:i] and s not in routes[rb][j - 1 :]]
            m = int(rng.integers(0, 4))
            middle = [int(x) for x in rng.choice(pool, size=min(m, len(pool)), replace=False)]
            seq[: len(middle)] = middle
            stops = routes[ra][:i] + middle + routes[rb][j - 1 :]
            if len(set(stops)) != len(stops):
                continue
            kernel = tk.compose_ok(nd, lim, st.R, st.L, st.F, ra, i, seq, len(middle), rb, j)
            truth = _route_ok(problem, stops) and (
                sum(float(problem.stop_volume_m3[s]) for s in stops) <= problem.vehicle_capacity_m3
            )
            # Only a route within the margin of a limit may be judged differently.
            assert kernel == truth or _near_limit(problem, stops)
            checked += 1
            feasible += truth
    assert checked > 1000 and 0 < feasible < checked


def _near_limit(problem: RoutingProblem, stops: list[int]) -> bool:
    arrivals, back = ref_schedule(problem, stops)
    late = problem.stop_tw_end_h
    assert late is not None
    gaps = [float(late[s]) - a for s, a in zip(stops, arrivals, strict=True)] + [problem.max_route_hours - back]
    return min(abs(g) for g in gaps) < 1e-6


def test_route_state_matches_the_reference_schedule() -> None:
    problem = windowed(30, 2, max_routes=3)
    arrays = ProblemArrays(problem)
    nd, lim = node_table(arrays), limits(arrays)
    plan = plan_heuristic(problem)
    st = _State(arrays, nd, lim, plan.num_routes)
    st.load([r.stops for r in plan.routes])
    for r, route in enumerate(plan.routes):
        stops = route.stops.tolist()
        k = len(stops)
        assert st.F[r, k + 1, tk.CKM] == pytest.approx(ref_distance(problem, stops), rel=1e-12)
        assert st.F[r, k, tk.CVOL] == pytest.approx(route.load_m3, rel=1e-12)
        _, back = ref_schedule(problem, stops)
        last = stops[-1]
        home = st.F[r, k, tk.DEP] + ref_distance(problem, [last]) / 2 / problem.stem_speed_kmh
        assert home == pytest.approx(back, rel=1e-9)
        # Latest arrivals: arriving at a stop at its LATE keeps the rest feasible, a bit later does not.
        for p, s in enumerate(stops, start=1):
            assert st.F[r, p, tk.LATE] <= float(problem.stop_tw_end_h[s]) + 1e-12
        for a, b in itertools.pairwise(range(1, k + 1)):
            assert st.F[r, b, tk.DEP] >= st.F[r, a, tk.DEP]
