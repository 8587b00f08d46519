"""Workers: one warm pool per command, the longest runs submitted first, tables independent of either."""

from __future__ import annotations

import signal
import subprocess
import sys
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import pytest

from sim import load_scenario
from sim.experiments import executors, run_sweep
from sim.experiments.engine import run_all
from sim.experiments.executors import SerialExecutor, Workers, local_workers
from sim.experiments.tasks import RunTask, expected_run_seconds
from tests.conftest import BASELINE
from tests.experiments.test_experiments_engine import FakeExecutor


def worker_state() -> dict[str, Any]:
    """What a pool worker has loaded before its first task, and how it treats Ctrl-C."""
    return {"runner": "sim.runner" in sys.modules, "warm": "sim.experiments.warmup" in sys.modules,
            "sigint_ignored": signal.getsignal(signal.SIGINT) is signal.SIG_IGN}


def test_a_pool_worker_starts_with_the_simulator_loaded_and_leaves_ctrl_c_to_the_parent() -> None:
    with local_workers(2) as workers:
        state = workers.executor.submit(worker_state).result()
    assert state == {"runner": True, "warm": True, "sigint_ignored": True}


WARMING_PROBE = """
import sys
from multiprocessing import forkserver
from sim.experiments.executors import start_warming
start_warming(int(sys.argv[1]))
print(forkserver._forkserver._forkserver_pid is not None)
"""


@pytest.mark.parametrize(("jobs", "started"), [(1, "False"), (2, "True")])
def test_warming_starts_the_fork_server_only_for_a_pool(jobs: int, started: str) -> None:
    # The server is launched (it warms up in the background) before the command's own set-up; one job needs none.
    done = subprocess.run([sys.executable, "-c", WARMING_PROBE, str(jobs)], capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.strip() == started


def test_a_sweep_makes_one_pool_for_all_its_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[int] = []

    def counted_pool(jobs: int) -> Executor:
        # Runs in this process: what is counted is how often a pool is made.
        made.append(jobs)
        return SerialExecutor()

    monkeypatch.setattr(executors, "new_pool", counted_pool)
    spec = tmp_path / "sweep.toml"
    spec.write_text(f'scenario = "{BASELINE.as_posix()}"\nseed = 1\nreplications = 2\n'
                    'set = ["horizon.warmup_days=1", "horizon.days=1"]\n'
                    '[factors]\n"regional_warehouses.metro.area.absence_probability" = [0.1, 0.2]\n')
    result = run_sweep(spec, jobs=2, out=tmp_path / "out", plots=False, progress=False)
    assert made == [2] and result.complete and list(result.runs["index"]) == [0, 1, 2, 3]


def test_the_longest_runs_are_submitted_first_and_the_table_keeps_the_run_order() -> None:
    days = [2, 9, 5, 9]
    tasks = [RunTask(index=i, scenario=load_scenario(BASELINE, ["horizon.warmup_days=1", f"horizon.days={d}"]),
                     seed=1, replication=0) for i, d in enumerate(days)]
    executor = FakeExecutor()
    records: list[dict[str, Any]] = []
    run_all(tasks, Workers(executor, in_flight=2), records.append)
    assert executor.submitted == [1, 3, 2, 0]  # longest first; equally long ones in their order
    assert sorted(r["index"] for r in records) == [0, 1, 2, 3]


def test_expected_run_length_grows_with_days_and_demand_and_counts_pyvrp_budget() -> None:
    base = load_scenario(BASELINE)
    longer = load_scenario(BASELINE, ["horizon.days=56"])
    busier = load_scenario(BASELINE, ["regional_warehouses.metro.area.orders_per_household_per_day=0.016"])
    pyvrp = load_scenario(BASELINE, ["routing.planner=pyvrp", "routing.time_budget_s=0.5"])
    seconds = expected_run_seconds(base)
    assert seconds > 0
    assert expected_run_seconds(longer) == pytest.approx(seconds * (7 + 56) / (7 + 28))
    assert expected_run_seconds(busier) > seconds
    # Three depots, six delivery days a week over 35 days: 90 depot-days of half a second.
    assert expected_run_seconds(pyvrp) == pytest.approx(seconds + 0.5 * 3 * 35 * 6 / 7)


@pytest.mark.parametrize(("jobs", "tasks", "size"), [
    (None, None, 3),  # the machine's CPUs
    (2, None, 2),
    (4, 3, 3),        # never more workers than runs
    (2, 0, 1),        # nothing to run: one, in this process
    (None, 1, 1),
])
def test_a_pool_is_the_jobs_asked_for_but_never_more_than_the_runs(
        monkeypatch: pytest.MonkeyPatch, jobs: int | None, tasks: int | None, size: int) -> None:
    monkeypatch.setattr(executors, "machine_jobs", lambda: 3)
    assert executors.pool_size(jobs, tasks) == size
