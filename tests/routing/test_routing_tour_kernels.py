"""The compiled tour kernels (sim.routing.tour_kernels) equal their numpy formulations bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from routing_reference import nearest_neighbour_positions, pair_distance, time_oriented_positions

from sim.routing.tour_kernels import (
    grown_distance_matrix,
    nearest_neighbour_tour,
    nearest_neighbour_xy,
    nearest_neighbour_xy_resumed,
    road_distance_matrix,
    time_oriented_tour,
)


@pytest.mark.parametrize("seed", range(10))
def test_distances_are_numpys(seed: int) -> None:
    rng = np.random.default_rng(seed)
    pts = rng.uniform(-20.0, 20.0, size=(int(rng.integers(1, 300)), 2))
    circ = float(rng.uniform(1.0, 1.6))
    assert np.array_equal(road_distance_matrix(pts, circ), pair_distance(pts, circ))


@pytest.mark.parametrize("seed", range(12))
def test_nearest_neighbour_tour_is_the_argmin_tour(seed: int) -> None:
    rng = np.random.default_rng(seed)
    k = int(rng.integers(1, 200))
    # Coarse integer grids make exact distance ties common: ties must go to the lowest position.
    pts = rng.integers(0, 6, size=(k + 1, 2)).astype(np.float64) if seed % 2 else rng.uniform(0, 9, (k + 1, 2))
    mat = road_distance_matrix(pts, 1.3)
    d0 = mat[0, 1:].copy()
    expected = nearest_neighbour_positions(d0, mat[1:, 1:].copy())
    assert np.array_equal(nearest_neighbour_tour(d0, mat, k, 1), expected)
    inner = np.ascontiguousarray(mat[1:, 1:])
    assert np.array_equal(nearest_neighbour_tour(d0, inner, k, 0), expected)
    # A prefix of the stops, read from the top-left block of a larger matrix.
    m = max(1, k // 2)
    assert np.array_equal(
        nearest_neighbour_tour(d0[:m].copy(), inner, m, 0), nearest_neighbour_positions(d0[:m], inner[:m, :m].copy())
    )


@pytest.mark.parametrize("seed", range(16))
def test_nearest_neighbour_from_coordinates_is_the_matrix_tour(seed: int) -> None:
    rng = np.random.default_rng(seed)
    k = int(rng.integers(1, 250))
    # Integer grids give exact ties and coincident stops; tiny offsets give near-ties.
    if seed % 4 == 1:
        pts = rng.integers(0, 6, size=(k, 2)).astype(np.float64)
    elif seed % 4 == 2:
        pts = rng.integers(0, 3, size=(k, 2)).astype(np.float64) + rng.choice([0.0, 1e-13], size=(k, 2))
    else:
        pts = rng.uniform(-9.0, 9.0, (k, 2))
    circ = float(rng.uniform(1.0, 1.6))
    d0 = circ * np.hypot(pts[:, 0] - 0.5, pts[:, 1] + 0.25)
    mat = road_distance_matrix(pts, circ)
    expected = nearest_neighbour_tour(d0, mat, k, 0)
    order, legs = nearest_neighbour_xy(d0, pts[:, 0].copy(), pts[:, 1].copy(), circ, k)
    assert np.array_equal(order, expected)
    assert np.array_equal(legs, mat[expected[:-1], expected[1:]])
    # A prefix reads only the first m stops of longer arrays.
    m = max(1, k // 3)
    order_m, _ = nearest_neighbour_xy(d0, pts[:, 0].copy(), pts[:, 1].copy(), circ, m)
    assert np.array_equal(order_m, nearest_neighbour_tour(d0[:m].copy(), mat, m, 0))


@pytest.mark.parametrize("seed", range(12))
def test_resumed_prefix_tours_are_the_fresh_ones(seed: int) -> None:
    rng = np.random.default_rng(700 + seed)
    k = int(rng.integers(2, 200))
    # Grids (exact ties, coincident stops) and clusters that the tour leaves and comes back to.
    if seed % 3 == 0:
        pts = rng.integers(0, 5, size=(k, 2)).astype(np.float64)
    elif seed % 3 == 1:
        pts = rng.normal(0.0, 1.0, (k, 2)) + rng.choice([0.0, 5.0], size=(k, 1))
    else:
        pts = rng.uniform(-9.0, 9.0, (k, 2))
    xs, ys = pts[:, 0].copy(), pts[:, 1].copy()
    d0 = 1.3 * np.hypot(xs - 0.5, ys + 0.25)
    big, big_legs = nearest_neighbour_xy(d0, xs, ys, 1.3, k)
    for m in sorted({1, 2, k // 4 + 1, k // 2 + 1, k - 1, k}):
        fresh = nearest_neighbour_xy(d0, xs, ys, 1.3, m)
        resumed = nearest_neighbour_xy_resumed(d0, xs, ys, 1.3, m, big, big_legs)
        assert np.array_equal(resumed[0], fresh[0]) and np.array_equal(resumed[1], fresh[1])


@pytest.mark.parametrize("seed", range(12))
def test_time_oriented_tour_is_the_vectorised_one(seed: int) -> None:
    rng = np.random.default_rng(seed)
    k = int(rng.integers(1, 120))
    pts = rng.integers(0, 5, size=(k + 1, 2)).astype(np.float64) if seed % 2 else rng.uniform(0, 9, (k + 1, 2))
    mat = road_distance_matrix(pts, 1.4)
    dist = np.ascontiguousarray(mat[1:, 1:])
    travel0 = mat[0, 1:] / 40.0
    # Slot-shaped window starts give many equal service starts.
    early = rng.choice([0.0, 2.0, 4.0], size=k)
    service = rng.uniform(0.02, 0.06, size=k)
    expected = time_oriented_positions(travel0, dist, 1.0 / 25.0, early, service)
    assert np.array_equal(time_oriented_tour(travel0, dist, 1.0 / 25.0, early, service), expected)


@pytest.mark.parametrize("seed", range(8))
def test_grown_distances_equal_distances_from_scratch(seed: int) -> None:
    rng = np.random.default_rng(50 + seed)
    pts = rng.uniform(-20.0, 20.0, size=(int(rng.integers(2, 200)), 2))
    m = pts.shape[0]
    # What a previous route measured: a matrix whose rows from ``offset`` on are pts[:s].
    offset = int(rng.integers(0, 40))
    s = int(rng.integers(0, m + 20))
    earlier = rng.uniform(0.0, 9.0, size=(offset, 2))
    known = road_distance_matrix(np.concatenate((earlier, pts[:s])), 1.3)
    assert np.array_equal(grown_distance_matrix(pts, 1.3, known, offset), pair_distance(pts, 1.3))
