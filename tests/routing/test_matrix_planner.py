"""Planning on travel matrices: same plans as on coordinates when they agree, exact km on asymmetric ones."""

from __future__ import annotations

import importlib.util
import itertools
from typing import Any

import numpy as np
import pytest

from sim.routing import RoutingProblem, route_duration_h, route_is_feasible, solve

CIRCUITY, AREA_KMH, STEM_KMH = 1.3, 25.0, 40.0


def _base(n: int = 120, seed: int = 3, **changes: Any) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    base: dict[str, Any] = dict(
        depot_xy=np.array([4.0, 4.0]), stop_xy=rng.uniform(0, 8, (n, 2)), stop_volume_m3=np.full(n, 0.03),
        stop_service_h=rng.uniform(0.02, 0.05, n), stop_priority=np.zeros(n, dtype=int), vehicle_capacity_m3=1.2,
        max_route_hours=6.0, max_routes=4, circuity=CIRCUITY, area_speed_kmh=AREA_KMH, stem_speed_kmh=STEM_KMH)
    base.update(changes)
    return base


def _coordinate_matrices(base: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """circuity x straight line, stems at stem speed: the coordinate planner's own travel model."""
    pts = np.vstack([base["depot_xy"], base["stop_xy"]])
    km = CIRCUITY * np.hypot(pts[:, None, 0] - pts[None, :, 0], pts[:, None, 1] - pts[None, :, 1])
    hours = km / AREA_KMH
    hours[0, :] = km[0, :] / STEM_KMH
    hours[:, 0] = km[:, 0] / STEM_KMH
    return km, hours


def _along(matrix: np.ndarray, stops: np.ndarray) -> float:
    nodes = np.concatenate(([0], stops + 1, [0]))
    return float(sum(matrix[a, b] for a, b in itertools.pairwise(nodes)))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_on_the_coordinate_model_as_a_matrix_the_km_match_the_coordinate_planner(seed: int) -> None:
    base = _base(seed=seed)
    km, hours = _coordinate_matrices(base)
    coordinate = solve(RoutingProblem(**base))
    matrix = solve(RoutingProblem(**base, travel_km=km, travel_h=hours))
    assert matrix.num_served == coordinate.num_served
    # Stated tolerance: within 0.5 % (construction is the same plan; the matrix search only shortens it).
    assert matrix.distance_km == pytest.approx(coordinate.distance_km, rel=5e-3)
    assert matrix.distance_km <= coordinate.distance_km * (1 + 1e-9)


def _asymmetric(base: dict[str, Any], seed: int = 9) -> tuple[np.ndarray, np.ndarray]:
    km, _ = _coordinate_matrices(base)
    rng = np.random.default_rng(seed)
    km = km * (1.0 + 0.4 * rng.random(km.shape))  # one way up to 40 % longer than the other
    np.fill_diagonal(km, 0.0)
    return km, km / 22.0


@pytest.mark.parametrize("windows", [False, True])
def test_on_an_asymmetric_matrix_the_reported_km_is_the_sum_along_each_route(windows: bool) -> None:
    base = _base(n=90)
    if windows:
        rng = np.random.default_rng(5)
        start = rng.choice([0.0, 2.0], size=90)
        base.update(stop_tw_start_h=start, stop_tw_end_h=start + 3.0)
    km, hours = _asymmetric(base)
    problem = RoutingProblem(**base, travel_km=km, travel_h=hours)
    solution = solve(problem)
    served = np.concatenate([r.stops for r in solution.routes])
    assert sorted(served.tolist() + solution.unassigned.tolist()) == list(range(90))
    for route in solution.routes:
        assert route.distance_km == pytest.approx(_along(km, route.stops), rel=1e-12)
        if not windows:
            expected_h = _along(hours, route.stops) + float(base["stop_service_h"][route.stops].sum())
            assert route.duration_h == pytest.approx(expected_h, rel=1e-12)
        assert route.duration_h == route_duration_h(problem, route.stops) <= base["max_route_hours"]
        assert route_is_feasible(problem, route.stops)
    # Reversing a route changes its km on this matrix: the planner used the direction as driven.
    longest = max(solution.routes, key=lambda r: r.stops.shape[0])
    assert _along(km, longest.stops[::-1]) != pytest.approx(longest.distance_km, rel=1e-9)


def test_matrix_plans_are_deterministic() -> None:
    base = _base(n=80)
    km, hours = _asymmetric(base)
    plans = [solve(RoutingProblem(**base, travel_km=km, travel_h=hours)) for _ in range(2)]
    assert [r.stops.tolist() for r in plans[0].routes] == [r.stops.tolist() for r in plans[1].routes]
    assert plans[0].distance_km == plans[1].distance_km


def test_the_matrix_search_shortens_the_coordinate_construction() -> None:
    # On a matrix the coordinates do not predict, the search must beat the plain construction order.
    base = _base(n=80)
    km, hours = _asymmetric(base, seed=4)
    problem = RoutingProblem(**base, travel_km=km, travel_h=hours)
    coordinate = solve(RoutingProblem(**base))
    on_matrix = solve(problem)
    assert on_matrix.num_served == coordinate.num_served
    as_constructed = sum(_along(km, r.stops) for r in coordinate.routes)
    assert on_matrix.distance_km < as_constructed


@pytest.mark.skipif(importlib.util.find_spec("pyvrp") is None, reason="PyVRP not installed")
def test_pyvrp_plans_on_the_matrices() -> None:
    base = _base(n=40, max_routes=3)
    km, hours = _asymmetric(base)
    problem = RoutingProblem(**base, travel_km=km, travel_h=hours)
    solution = solve(problem, seed=1, budget=0.2, planner="pyvrp")
    heuristic = solve(problem)
    assert solution.num_served >= heuristic.num_served
    for route in solution.routes:
        assert route.distance_km == pytest.approx(_along(km, route.stops), rel=1e-12)
        assert route_is_feasible(problem, route.stops)
    assert solution.distance_km <= heuristic.distance_km + 1e-9 or solution.num_served > heuristic.num_served


def test_matrices_of_the_wrong_shape_are_refused() -> None:
    base = _base(n=10)
    with pytest.raises(ValueError, match=r"shape \(11, 11\)"):
        solve(RoutingProblem(**base, travel_km=np.zeros((10, 10)), travel_h=np.zeros((10, 10))))
