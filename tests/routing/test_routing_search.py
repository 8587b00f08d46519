"""Tests of the local search (sim.routing.search) against brute force on small instances."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from sim.routing.search import local_search, or_opt_pass, tour_length, two_opt_pass


def distance_matrix(xy: np.ndarray) -> np.ndarray:
    diff = xy[:, None, :] - xy[None, :, :]
    return np.asarray(np.hypot(diff[..., 0], diff[..., 1]))


def brute_force_optimum(mat: np.ndarray) -> float:
    """Shortest closed tour from node 0 through every other node, by enumeration."""
    k = mat.shape[0] - 1
    return min(tour_length(mat, np.array(p, dtype=np.intp)) for p in itertools.permutations(range(1, k + 1)))


def convex_instance(n_nodes: int, seed: int) -> np.ndarray:
    """Depot and stops on a circle (convex position), stops in a shuffled order.

    For points in convex position a tour without crossing edges is optimal, and a 2-opt
    optimum has no crossings, so 2-opt alone must reach the brute-force optimum.
    """
    rng = np.random.default_rng(seed)
    angles = np.sort(rng.uniform(0.0, 2.0 * math.pi, n_nodes))
    xy = np.column_stack((np.cos(angles), np.sin(angles)))
    return distance_matrix(np.concatenate((xy[:1], rng.permutation(xy[1:]))))


@pytest.mark.parametrize("seed", range(6))
def test_two_opt_reaches_the_optimum_in_convex_position(seed: int) -> None:
    mat = convex_instance(8, seed)
    tour = np.arange(9, dtype=np.intp) % 8  # 0, 1, ..., 7, 0 in the shuffled order
    while two_opt_pass(mat, tour, None, math.inf) is not None:
        pass
    assert tour_length(mat, tour[1:-1]) == pytest.approx(brute_force_optimum(mat), abs=1e-12)


def test_or_opt_moves_a_misplaced_stop_back() -> None:
    # Stops in circle order except that stop 3 is visited last: one or-opt move (a run of
    # one stop) restores the optimal tour.
    angles = np.linspace(0.0, 2.0 * math.pi, 8, endpoint=False)
    mat = distance_matrix(np.column_stack((np.cos(angles), np.sin(angles))))
    tour = np.array([0, 1, 2, 4, 5, 6, 7, 3, 0], dtype=np.intp)
    moved = or_opt_pass(mat, tour, None, math.inf)
    assert moved is not None
    new_tour, slack = moved
    assert slack == math.inf
    assert tour_length(mat, new_tour[1:-1]) == pytest.approx(brute_force_optimum(mat), abs=1e-12)
    assert or_opt_pass(mat, new_tour, None, math.inf) is None


@pytest.mark.parametrize("seed", range(8))
def test_local_search_never_worse_than_its_start_and_optimal_on_small_random_instances(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    k = 7
    mat = distance_matrix(rng.uniform(0.0, 10.0, size=(k + 1, 2)))
    start = rng.permutation(np.arange(1, k + 1)).astype(np.intp)
    best = local_search(mat, start)
    assert sorted(best.tolist()) == list(range(1, k + 1))
    assert tour_length(mat, best) <= tour_length(mat, start) + 1e-12
    # 2-opt + or-opt is a local search, so this is a property of these instances, which
    # it solves to optimality (a search that stopped early would not).
    assert tour_length(mat, best) == pytest.approx(brute_force_optimum(mat), abs=1e-9)


def test_time_slack_is_respected() -> None:
    # With a time matrix and zero slack, no move may add travel time, even if it saves km.
    rng = np.random.default_rng(7)
    mat = distance_matrix(rng.uniform(0.0, 10.0, size=(7, 2)))
    tmat = mat.copy()
    tmat[0, :] *= 10.0  # stems ten times slower
    tmat[:, 0] *= 10.0
    start = np.arange(1, 7, dtype=np.intp)
    best = local_search(mat, start, tmat, 0.0)
    assert tour_length(tmat, best) <= tour_length(tmat, start) + 1e-12
    assert tour_length(mat, best) <= tour_length(mat, start) + 1e-12
