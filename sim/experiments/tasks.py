"""One run as a unit of work that any executor can ship to a worker, and the row it gives back.

``execute`` is a top-level function of plain, picklable arguments so that a
process pool or a Dask worker can import and call it. It never raises for a
model failure: the error is recorded in the returned record and the sweep goes on.
"""

from __future__ import annotations

import shutil
import signal
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.scenario.schema import Scenario

OK = "ok"
FAILED = "failed"
# A round figure for a run's speed, only used to rank runs by their expected length (ASSUMPTION: the
# order of magnitude of the baseline's parcels per second; the ranking does not depend on it).
NOMINAL_PARCELS_PER_SECOND = 10_000.0


@dataclass(frozen=True)
class RunTask:
    """What one run needs: the scenario, seed and replication, and where (if anywhere) to write its folder."""

    index: int
    scenario: Scenario
    seed: int
    replication: int
    point: int = 0
    factors: dict[str, Any] = field(default_factory=dict)
    # When set, the worker writes the full results folder under this root
    # (``write_run`` layout); with ``run_id`` the folder name is fixed so that a
    # resumed sweep can replace a folder left by a killed attempt.
    write_root: str | None = None
    run_id: str | None = None
    plots: bool = False
    command: tuple[str, ...] | None = None

    @property
    def expected_seconds(self) -> float:
        """A rough length of the run, to start long runs first: see :func:`expected_run_seconds`."""
        return expected_run_seconds(self.scenario)


def expected_run_seconds(scenario: Scenario) -> float:
    """Simulated parcels at a nominal speed, plus the time PyVRP is given per depot and delivery day.

    Only the ranking matters: a pool that starts the longest runs first does not
    end with one worker busy on a long run while the others wait.
    """
    days = scenario.horizon.warmup_days + scenario.horizon.days
    parcels = days * sum(r.area.expected_orders_per_day for r in scenario.regional_warehouses)
    seconds = parcels / NOMINAL_PARCELS_PER_SECOND
    if scenario.routing.planner == "pyvrp":
        delivery_days = sum(days * len(r.fleet.delivery_weekdays) / 7 for r in scenario.regional_warehouses)
        seconds += scenario.routing.time_budget_s * delivery_days
    return seconds


def execute(task: RunTask) -> dict[str, Any]:
    """Run one task; return its record (identity, status, error, wall time, nested summary, folder)."""
    from sim.runner import run

    record: dict[str, Any] = {
        "index": task.index,
        "point": task.point,
        "factors": dict(task.factors),
        "seed": task.seed,
        "replication": task.replication,
        "status": OK,
        "error": None,
        "wall_seconds": 0.0,
        "summary": {},
        "folder": None,
    }
    started = time.perf_counter()
    try:
        result = run(task.scenario, seed=task.seed, replication=task.replication)
        record["summary"] = result.summary
        if task.write_root is not None:
            record["folder"] = str(_write_folder(task, result))
    except Exception as exc:  # any model failure is data about this run, not the end of the sweep
        record["status"] = FAILED
        record["error"] = one_line_error(exc)
        record["traceback"] = traceback.format_exc()
    record["wall_seconds"] = time.perf_counter() - started
    return record


def one_line_error(exc: BaseException) -> str:
    """``Type: first line of the message``, short enough for a table cell."""
    text = str(exc).strip().splitlines()
    message = text[0] if text else ""
    return f"{type(exc).__name__}: {message}"[:500]


def _write_folder(task: RunTask, result: Any) -> Path:
    from sim.output import write_run

    assert task.write_root is not None
    root = Path(task.write_root)
    if task.run_id is not None:
        # A killed attempt may have completed this folder without recording the
        # run; write_run would then pick a new name and leave a duplicate.
        stale = root / task.scenario.name / task.run_id
        if stale.exists():
            shutil.rmtree(stale)
    return write_run(result, root, run_id=task.run_id, command=list(task.command) if task.command else None,
                     plots=task.plots)


def ignore_sigint() -> None:
    """Pool worker initializer: leave Ctrl-C to the parent, which stops the sweep cleanly."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
