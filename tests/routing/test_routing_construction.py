"""Tests of route construction (sim.routing.construction) on hand-made instances."""

from __future__ import annotations

import numpy as np
import pytest
from routing_reference import sweep_from_scratch

from sim.routing import RoutingProblem
from sim.routing.arrays import ProblemArrays
from sim.routing.construction import (
    largest_feasible_prefix,
    nearest_neighbour_order,
    sweep_build,
    sweep_order,
    time_oriented_nearest_neighbour,
)


def line_problem(xy: list[tuple[float, float]], window_start_h: list[float]) -> RoutingProblem:
    n = len(xy)
    return RoutingProblem(
        depot_xy=np.zeros(2),
        stop_xy=np.array(xy),
        stop_volume_m3=np.full(n, 0.1),
        stop_service_h=np.full(n, 0.5),
        stop_priority=np.zeros(n, dtype=int),
        vehicle_capacity_m3=10.0,
        max_route_hours=24.0,
        max_routes=1,
        circuity=1.0,
        area_speed_kmh=1.0,
        stem_speed_kmh=1.0,
        stop_tw_start_h=np.array(window_start_h),
    )


def test_nearest_neighbour_order() -> None:
    xy = np.array([[5.0, 0.0], [1.0, 0.0], [2.0, 0.0], [10.0, 0.0]])
    assert nearest_neighbour_order(np.zeros(2), xy).tolist() == [1, 2, 0, 3]
    # Ties go to the lowest index.
    assert nearest_neighbour_order(np.zeros(2), np.array([[1.0, 0.0], [-1.0, 0.0]])).tolist() == [0, 1]
    assert nearest_neighbour_order(np.zeros(2), np.zeros((0, 2))).tolist() == []


def test_time_oriented_nearest_neighbour_serves_the_open_window_first() -> None:
    # Stop 0 is nearer but opens at 5 h; stop 1 can be served at 2 h, so it goes first
    # (plain nearest neighbour would take stop 0 first).
    problem = line_problem([(1.0, 0.0), (2.0, 0.0)], [5.0, 0.0])
    arrays = ProblemArrays(problem)
    stops = np.array([0, 1], dtype=np.intp)
    order = time_oriented_nearest_neighbour(arrays, stops, arrays.d0[stops], arrays.pair_distance(arrays.xy[stops]))
    assert order.tolist() == [1, 0]
    assert nearest_neighbour_order(problem.depot_xy, problem.stop_xy).tolist() == [0, 1]


def test_sweep_starts_after_the_largest_angular_gap() -> None:
    # Four stops bunched around 180 degrees, where atan2 wraps: in the sweep's polar order
    # around their centroid the largest angular gap must be the wrap from the last stop
    # back to the first, so the sweep does not cut the bunch in two.
    angles = np.radians([175.0, 160.0, 205.0, 190.0])
    xy = np.column_stack((np.cos(angles), np.sin(angles)))
    xy += np.array([3.0, 3.0])  # away from the depot
    problem = line_problem([(float(x), float(y)) for x, y in xy], [0.0] * 4)
    order = sweep_order(ProblemArrays(problem), np.arange(4, dtype=np.intp))
    assert sorted(order.tolist()) == [0, 1, 2, 3]
    centre = xy.mean(axis=0)
    ang = np.arctan2(xy[order, 1] - centre[1], xy[order, 0] - centre[0])
    gaps = np.mod(np.diff(np.concatenate((ang, ang[:1]))), 2 * np.pi)
    assert int(np.argmax(gaps)) == 3
    # A sweep that simply started at -pi would have its largest gap inside the order.
    naive = np.sort(ang)
    naive_gaps = np.mod(np.diff(np.concatenate((naive, naive[:1]))), 2 * np.pi)
    assert int(np.argmax(naive_gaps)) != 3


@pytest.mark.parametrize("guess", [1, 3, 7, 8, 16, 40])
@pytest.mark.parametrize(("limit", "k_max"), [(7, 20), (1, 20), (20, 20), (7, 5)])
def test_largest_feasible_prefix(guess: int, limit: int, k_max: int) -> None:
    calls: list[int] = []

    def feasible(k: int) -> bool:
        calls.append(k)
        return k <= limit

    assert largest_feasible_prefix(feasible, k_max, guess) == min(limit, k_max)
    assert all(1 <= k <= k_max for k in calls)


@pytest.mark.parametrize("seed", range(6))
def test_sweep_equals_the_sweep_from_scratch(seed: int) -> None:
    # Reused and grown distance matrices, windowed run bounds: the routes of the plain sweep.
    rng = np.random.default_rng(300 + seed)
    n = int(rng.integers(50, 700))
    problem = RoutingProblem(
        depot_xy=np.array([12.0, 0.0]),
        stop_xy=rng.uniform(-3.0, 3.0, size=(n, 2)),
        stop_volume_m3=rng.uniform(0.01, 0.05, n),
        stop_service_h=rng.uniform(0.02, 0.05, n),
        stop_priority=np.zeros(n, dtype=int),
        vehicle_capacity_m3=float(rng.uniform(0.5, 3.0)),
        max_route_hours=float(rng.uniform(2.0, 8.5)),
        max_routes=int(rng.integers(3, 30)),
        circuity=1.3,
        area_speed_kmh=25.0,
        stem_speed_kmh=40.0,
    )
    arrays = ProblemArrays(problem)
    stops = np.arange(n, dtype=np.intp)
    routes, rest = sweep_build(arrays, stops, arrays.max_routes)
    expected, expected_rest = sweep_from_scratch(arrays, stops, arrays.max_routes)
    assert len(routes) == len(expected)
    assert all(np.array_equal(r, e) for r, e in zip(routes, expected, strict=True))
    assert np.array_equal(rest, expected_rest)
