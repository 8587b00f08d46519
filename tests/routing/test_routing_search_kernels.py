"""The compiled local search (sim.routing.search_kernels) equals its numpy formulation bit for bit."""

from __future__ import annotations

import math

import numpy as np
import pytest
import routing_reference as ref

from sim.routing.search import local_search, or_opt_pass, two_opt_pass
from sim.routing.search_kernels import _two_opt_pass, or_opt_step, stable_argsort
from sim.routing.tour_kernels import road_distance_matrix


def instance(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A local distance matrix, its time matrix (slower stems) and a random closed tour."""
    rng = np.random.default_rng(seed)
    k = int(rng.integers(3, 90))
    pts = rng.integers(0, 8, size=(k + 1, 2)).astype(np.float64) if seed % 3 == 0 else rng.uniform(0, 9, (k + 1, 2))
    mat = road_distance_matrix(pts, 1.3)
    tmat = mat / 25.0
    tmat[0, :] = mat[0, :] / 40.0
    tmat[:, 0] = mat[:, 0] / 40.0
    tour = np.concatenate(([0], rng.permutation(np.arange(1, k + 1)), [0])).astype(np.intp)
    return mat, tmat, tour


@pytest.mark.parametrize("timed", [False, True])
@pytest.mark.parametrize("seed", range(15))
def test_passes_equal_the_vectorised_passes(seed: int, timed: bool) -> None:
    mat, tmat, tour = instance(seed)
    t = tmat if timed else None
    slack = 0.05 if timed else math.inf
    for _ in range(6):
        mine, theirs = tour.copy(), tour.copy()
        left = two_opt_pass(mat, mine, t, slack)
        assert left == ref.two_opt_pass(mat, theirs, t, slack)
        assert np.array_equal(mine, theirs)
        moved, expected = or_opt_pass(mat, mine, t, slack), ref.or_opt_pass(mat, theirs, t, slack)
        assert (moved is None) == (expected is None)
        if moved is None or expected is None:
            break
        assert np.array_equal(moved[0], expected[0]) and moved[1] == expected[1]
        tour, slack = moved


@pytest.mark.parametrize("timed", [False, True])
@pytest.mark.parametrize("seed", range(15))
def test_local_search_equals_the_vectorised_search(seed: int, timed: bool) -> None:
    mat, tmat, tour = instance(100 + seed)
    order = tour[1:-1].copy()
    t = tmat if timed else None
    slack = 0.1 if timed else math.inf
    assert np.array_equal(local_search(mat, order, t, slack), ref.local_search(mat, order, t, slack))


@pytest.mark.parametrize("seed", range(12))
def test_pruned_or_opt_finds_the_moves_of_the_full_scan(seed: int) -> None:
    # Longer routes than ``instance`` (several blocks of edges), clustered or on a grid.
    rng = np.random.default_rng(300 + seed)
    k = int(rng.integers(3, 260))
    if seed % 3 == 0:
        pts = rng.integers(0, 10, size=(k + 1, 2)).astype(np.float64)
    elif seed % 3 == 1:
        pts = rng.normal(0.0, 1.0, (k + 1, 2)) + rng.choice([0.0, 6.0], size=(k + 1, 1))
    else:
        pts = rng.uniform(0, 9, (k + 1, 2))
    circ = float(rng.uniform(1.0, 1.6))
    mat = road_distance_matrix(pts, circ)
    tour = np.concatenate(([0], rng.permutation(np.arange(1, k + 1)), [0])).astype(np.intp)
    for _ in range(8):
        pruned, full = or_opt_pass(mat, tour, None, math.inf, pts, circ), or_opt_pass(mat, tour, None, math.inf)
        assert (pruned is None) == (full is None)
        if pruned is None or full is None:
            break
        assert np.array_equal(pruned[0], full[0])
        tour = pruned[0]
    order = tour[1:-1].copy()
    expected = ref.local_search(mat, order, None, math.inf)
    assert np.array_equal(local_search(mat, order, pts=pts, circuity=circ), expected)


@pytest.mark.parametrize("seed", range(12))
def test_cached_two_opt_rows_equal_a_fresh_scan(seed: int) -> None:
    # Grid points (many exact ties) and longer routes; or-opt moves in between, as in local search.
    rng = np.random.default_rng(500 + seed)
    k = int(rng.integers(3, 200))
    pts = rng.integers(0, 6, size=(k + 1, 2)).astype(np.float64) if seed % 2 else rng.uniform(0, 9, (k + 1, 2))
    mat = road_distance_matrix(pts, 1.3)
    tour = np.concatenate(([0], rng.permutation(np.arange(1, k + 1)), [0])).astype(np.intp)
    n_edges = k + 1
    best, best_j, seen = np.empty(n_edges), np.empty(n_edges, dtype=np.intp), np.empty(n_edges + 1, dtype=np.intp)
    cached = False
    for _ in range(40):
        fresh = tour.copy()
        f_best, f_j, f_seen = np.empty(n_edges), np.empty(n_edges, dtype=np.intp), np.empty(n_edges + 1, dtype=np.intp)
        expected = _two_opt_pass(mat, fresh, mat, False, math.inf, 1e-9, f_best, f_j, f_seen, False)
        applied = _two_opt_pass(mat, tour, mat, False, math.inf, 1e-9, best, best_j, seen, cached)
        cached = True
        assert applied == expected and np.array_equal(tour, fresh)
        assert np.array_equal(best, f_best) and np.array_equal(best_j, f_j)
        if not applied[0]:
            moved, tour, _ = or_opt_step(mat, tour, mat, False, math.inf, 1e-9, pts, 1.3)
            if not moved:
                break


@pytest.mark.parametrize("n", [0, 1, 2, 7, 64, 513])
def test_stable_argsort_is_numpys_stable_argsort(n: int) -> None:
    rng = np.random.default_rng(n)
    values = rng.integers(0, 5, n).astype(np.float64)  # many ties: their order must be kept
    assert np.array_equal(stable_argsort(values), np.argsort(values, kind="stable"))
