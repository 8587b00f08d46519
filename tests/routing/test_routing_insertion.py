"""Tests of cheapest feasible insertion (sim.routing.insertion) against brute force."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from routing_checker import make_problem, ref_distance, with_slots

from sim.routing import RoutingProblem, route_is_feasible
from sim.routing.arrays import ProblemArrays
from sim.routing.insertion import insert_stops


def cheapest_feasible_position(
    problem: RoutingProblem, routes: list[list[int]], stop: int
) -> tuple[int, int] | None:
    """(route, position) of the cheapest insertion of ``stop`` that keeps its route feasible."""
    best: tuple[float, int, int] | None = None
    for r, route in enumerate(routes):
        for pos in range(len(route) + 1):
            trial = [*route[:pos], stop, *route[pos:]]
            if not route_is_feasible(problem, np.array(trial)):
                continue
            extra = ref_distance(problem, trial) - ref_distance(problem, route)
            if best is None or extra < best[0]:
                best = (extra, r, pos)
    return None if best is None else (best[1], best[2])


def insert_one(problem: RoutingProblem, routes: list[list[int]], stop: int) -> tuple[list[list[int]], list[int]]:
    built = [np.array(r, dtype=np.intp) for r in routes]
    left, _ = insert_stops(ProblemArrays(problem), built, np.array([stop], dtype=np.intp))
    return [r.tolist() for r in built], left.tolist()


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("windows", [False, True])
def test_stop_goes_to_its_cheapest_feasible_position(seed: int, windows: bool) -> None:
    problem = make_problem(9, seed=300 + seed, routes_by_volume=0.5, max_route_hours=3.0)
    if windows:
        problem = with_slots(problem, slot_h=2.0, day_h=6.0, seed=seed)
        problem = dataclasses.replace(problem, max_route_hours=10.0)
    routes = [[0, 1, 2, 3], [4, 5, 6, 7]]
    routes = [r for r in routes if route_is_feasible(problem, np.array(r))] or [[0]]
    expected = cheapest_feasible_position(problem, routes, 8)
    after, left = insert_one(problem, routes, 8)
    if expected is None:
        assert left == [8] and after == routes
    else:
        r, pos = expected
        want = [list(x) for x in routes]
        want[r].insert(pos, 8)
        assert left == [] and after == want


def test_cheapest_position_that_breaks_a_window_is_skipped() -> None:
    # Stops on a line: depot 0, stop 0 at 1 km, stop 1 at 3 km; the new stop 2 at 2 km
    # costs nothing between them, but stop 1 must be reached by 0.165 h (0.16 h directly,
    # 0.17 h via the new stop), so the new stop can only go after it (detour back).
    problem = RoutingProblem(
        depot_xy=np.array([0.0, 0.0]),
        stop_xy=np.array([[1.0, 0.0], [3.0, 0.0], [2.0, 0.0]]),
        stop_volume_m3=np.full(3, 0.1),
        stop_service_h=np.full(3, 0.01),
        stop_priority=np.zeros(3, dtype=int),
        vehicle_capacity_m3=1.0,
        max_route_hours=5.0,
        max_routes=1,
        circuity=1.0,
        area_speed_kmh=20.0,
        stem_speed_kmh=20.0,
        stop_tw_end_h=np.array([1.0, 0.165, 5.0]),
    )
    assert route_is_feasible(problem, np.array([0, 1]))
    assert not route_is_feasible(problem, np.array([0, 2, 1]))
    after, left = insert_one(problem, [[0, 1]], 2)
    assert left == [] and after == [[0, 1, 2]]
    free = dataclasses.replace(problem, stop_tw_end_h=None)
    assert insert_one(free, [[0, 1]], 2)[0] == [[0, 2, 1]]


def test_stop_that_fits_nowhere_is_left() -> None:
    problem = make_problem(5, seed=310, routes_by_volume=0.5)
    full = dataclasses.replace(problem, vehicle_capacity_m3=float(problem.stop_volume_m3[:4].sum()))
    after, left = insert_one(full, [[0, 1, 2, 3]], 4)
    assert left == [4] and after == [[0, 1, 2, 3]]
