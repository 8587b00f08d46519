"""The experiments engine on a fake executor: ordering by run index, failures recorded, resume skips finished runs.

No simulation runs here: the executor answers each task with a made-up record
(or an error, as a dead worker would), so these tests only exercise the
machinery around ``run``.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from sim.experiments import store
from sim.experiments.engine import run_all
from sim.experiments.executors import SerialExecutor, Workers
from sim.experiments.spec import load_sweep
from sim.experiments.sweep import run_sweep, shard_indices
from sim.experiments.tables import kpi_columns, points_frame, runs_frame
from sim.experiments.tasks import FAILED, OK, RunTask, one_line_error
from tests.conftest import BASELINE

FACTOR = "regional_warehouses.metro.area.absence_probability"


class FakeExecutor(Executor):
    """Answers ``execute(task)`` without running it: cost = 10 * point + replication; ``broken`` indices raise."""

    def __init__(self, broken: frozenset[int] = frozenset(), failing: frozenset[int] = frozenset()) -> None:
        self.broken = broken
        self.failing = failing
        self.submitted: list[int] = []
        self.futures: list[tuple[int, Future[Any]]] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        (task,) = args
        self.submitted.append(task.index)
        future: Future[Any] = Future()
        if task.index in self.broken:
            future.set_exception(RuntimeError("worker died\nwith a long story"))
        else:
            failed = task.index in self.failing
            future.set_result({"index": task.index, "point": task.point, "factors": dict(task.factors),
                               "seed": task.seed, "replication": task.replication,
                               "status": FAILED if failed else OK, "error": "ValueError: bad" if failed else None,
                               "wall_seconds": 0.5, "summary": {} if failed else {
                                   "cost": {"total": 10.0 * task.point + task.replication}},
                               "folder": None})
        self.futures.append((task.index, future))
        return future


def _tasks(n: int) -> list[RunTask]:
    from sim.scenario import load_scenario

    scenario = load_scenario(BASELINE)
    return [RunTask(index=i, scenario=scenario, seed=1, replication=i % 2, point=i // 2) for i in range(n)]


def test_every_task_gives_one_record_and_a_dead_worker_becomes_a_failed_record() -> None:
    records: list[dict[str, Any]] = []
    executor = FakeExecutor(broken=frozenset({2}))
    run_all(reversed(_tasks(4)), Workers(executor, in_flight=2), records.append)
    assert sorted(executor.submitted) == [0, 1, 2, 3]
    by_index = {r["index"]: r for r in records}
    assert by_index[2]["status"] == FAILED
    assert by_index[2]["error"] == "RuntimeError: worker died"
    assert {by_index[i]["status"] for i in (0, 1, 3)} == {OK}


def test_the_runs_table_is_ordered_by_run_index_whatever_the_completion_order() -> None:
    records: list[dict[str, Any]] = []
    run_all(_tasks(4), Workers(FakeExecutor(), 4), records.append)
    shuffled = runs_frame([records[i] for i in (3, 0, 2, 1)])
    assert list(shuffled["index"]) == [0, 1, 2, 3]
    assert kpi_columns(shuffled) == ["cost.total"]
    assert list(shuffled["cost.total"]) == [0.0, 1.0, 10.0, 11.0]
    pd.testing.assert_frame_equal(shuffled, runs_frame(records))


def test_points_frame_gives_each_point_its_mean_over_the_successful_runs() -> None:
    records: list[dict[str, Any]] = []
    run_all(_tasks(4), Workers(FakeExecutor(failing=frozenset({3})), 4), records.append)
    aggregate = points_frame(runs_frame(records))
    assert list(aggregate["n"]) == [2, 1]
    assert list(aggregate["mean"]) == [0.5, 10.0]


def test_serial_executor_turns_an_exception_into_a_failed_future_but_lets_ctrl_c_through() -> None:
    executor = SerialExecutor()
    assert executor.submit(lambda: 3).result() == 3
    with pytest.raises(ZeroDivisionError):
        executor.submit(lambda: 1 / 0).result()

    def interrupted() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        executor.submit(interrupted)


def test_one_line_error_keeps_the_type_and_the_first_line() -> None:
    assert one_line_error(ValueError("first\nsecond")) == "ValueError: first"
    assert one_line_error(KeyError()) == "KeyError: "


@pytest.fixture()
def sweep_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(f'scenario = "{BASELINE.as_posix()}"\nseed = 1\nreplications = 2\n'
                    f'[factors]\n"{FACTOR}" = [0.1, 0.2]\n')
    return path


def test_a_sweep_records_each_run_and_resume_runs_only_the_failed_and_missing(sweep_file: Path,
                                                                             tmp_path: Path) -> None:
    spec = load_sweep(sweep_file)
    folder = tmp_path / "out"
    first = FakeExecutor(failing=frozenset({1}))
    result = run_sweep(spec, first, folder=folder, plots=False, progress=False)
    assert sorted(first.submitted) == [0, 1, 2, 3]
    assert list(result.failed["index"]) == [1] and not result.complete
    assert store.finished_ok(folder) == {0, 2, 3}
    (folder / "runs" / store.marker_name(3)).unlink()  # as if killed before run 3 was recorded

    again = FakeExecutor()
    resumed = run_sweep(spec, again, folder=folder, resume=True, plots=False, progress=False)
    assert sorted(again.submitted) == [1, 3]
    assert (resumed.executed, resumed.skipped) == (2, 2)
    assert resumed.complete
    assert list(resumed.runs["index"]) == [0, 1, 2, 3]
    assert list(resumed.runs[FACTOR]) == [0.1, 0.1, 0.2, 0.2]
    assert list(resumed.aggregate.loc[resumed.aggregate["kpi"] == "cost.total", "mean"]) == [0.5, 10.5]


def test_a_shard_runs_every_nth_index() -> None:
    assert shard_indices(7, (1, 3)) == [1, 4]
    assert sorted(shard_indices(7, (0, 2)) + shard_indices(7, (1, 2))) == list(range(7))
