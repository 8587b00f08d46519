"""Planning on several threads gives exactly the plans of one thread (sim.routing.threads)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from routing_checker import check_plan, make_problem, with_slots

from sim.routing import plan_heuristic, planning_threads, set_planning_threads
from sim.routing.threads import map_routes


@pytest.fixture
def restore_threads(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    before = planning_threads()
    monkeypatch.setattr("sim.routing.threads.PARALLEL_MIN_STOPS", 0)  # small test plans use the pool too
    yield
    set_planning_threads(before)


def _plan_key(plan: object) -> list[tuple[list[int], float, float]]:
    return [(r.stops.tolist(), r.distance_km, r.duration_h) for r in plan.routes]  # type: ignore[attr-defined]


@pytest.mark.parametrize("slots", [False, True])
def test_two_threads_plan_exactly_as_one(restore_threads: None, slots: bool) -> None:
    # Many routes (so the pool is used) and a fleet too small for every stop (so routes are
    # improved twice: after the sweep and after insertion).
    problems = [make_problem(400, seed=seed, routes_by_volume=12.0, max_routes=10, max_route_hours=6.0)
                for seed in range(3)]
    if slots:
        problems = [with_slots(p, 2.0, seed=7) for p in problems]
    plans = {}
    for threads in (1, 2, 3):
        set_planning_threads(threads)
        plans[threads] = [plan_heuristic(p) for p in problems]
    for problem, one, two, three in zip(problems, plans[1], plans[2], plans[3], strict=True):
        check_plan(problem, two)
        assert _plan_key(two) == _plan_key(one) == _plan_key(three)
        assert np.array_equal(two.unassigned, one.unassigned)
    assert any(len(plan.routes) >= 2 for plan in plans[2])


def test_map_routes_keeps_the_order(restore_threads: None) -> None:
    set_planning_threads(2)
    assert map_routes(lambda x: x * x, list(range(50)), 10**6) == [x * x for x in range(50)]
    assert map_routes(lambda x: x, [], 0) == []


def test_thread_count_must_be_positive(restore_threads: None) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        set_planning_threads(0)
    set_planning_threads(1)
    assert planning_threads() == 1


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")
def test_a_forked_child_plans_after_the_parent_used_the_pool(restore_threads: None) -> None:
    import multiprocessing

    set_planning_threads(2)
    problem = make_problem(300, seed=5, routes_by_volume=8.0)
    expected = _plan_key(plan_heuristic(problem))  # the parent's pool now runs threads
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        child = pool.apply_async(_plan_in_child, (problem,)).get(timeout=60)
    assert child == expected


def _plan_in_child(problem: object) -> list[tuple[list[int], float, float]]:
    return _plan_key(plan_heuristic(problem))  # type: ignore[arg-type]


def test_the_environment_sets_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    import sim.routing.threads as threads

    monkeypatch.setattr(threads, "_threads", None)
    monkeypatch.setenv("SIM_PLANNING_THREADS", "3")
    assert planning_threads() == 3
    monkeypatch.setenv("SIM_PLANNING_THREADS", "zero")
    with pytest.raises(ValueError, match="SIM_PLANNING_THREADS='zero': allowed"):
        planning_threads()
