"""Independent replications of one scenario, summarised KPI by KPI with Student t intervals."""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from sim.errors import ScenarioError
from sim.experiments.engine import Record, run_all
from sim.experiments.executors import workers_for
from sim.experiments.precision import Precision, precision_of
from sim.experiments.progress import Progress
from sim.experiments.stats import CONFIDENCE, summarize_columns
from sim.experiments.tables import kpi_columns, kpi_row, runs_frame
from sim.experiments.tasks import OK, RunTask
from sim.scenario.schema import Scenario


@dataclass
class ReplicationSet:
    """The runs of a replication set (one row each) and the per-KPI summary (mean, std, CI)."""

    scenario: Scenario
    seed: int
    replications: list[int]
    runs: pd.DataFrame
    summary: pd.DataFrame
    confidence: float = CONFIDENCE
    folders: dict[int, str] = field(default_factory=dict)  # replication -> results folder, when written

    @property
    def failed(self) -> pd.DataFrame:
        """The runs that raised, with their error messages."""
        return self.runs[self.runs["status"] != OK]

    def kpi(self, name: str) -> pd.Series:
        """One KPI's row of the summary (n, mean, std, half_width, ci_low, ci_high)."""
        return kpi_row(self.summary, name)


def replication_tasks(scenario: Scenario, seed: int, replications: list[int], **write: Any) -> list[RunTask]:
    """One task per replication number; the task index is the replication number."""
    return [RunTask(index=r, scenario=scenario, seed=seed, replication=r, **write) for r in replications]


def summarize_runs(runs: pd.DataFrame, confidence: float = CONFIDENCE) -> pd.DataFrame:
    """Per KPI over the successful runs: n, mean, std, half_width, ci_low, ci_high."""
    return summarize_columns(runs[runs["status"] == OK], kpi_columns(runs), confidence)


def run_replications(
    scenario: Scenario,
    replications: int,
    seed: int | None = None,
    *,
    first: int = 0,
    jobs: int | None = None,
    executor: Executor | None = None,
    client: Any = None,
    confidence: float = CONFIDENCE,
    progress: bool | None = None,
    write_root: str | None = None,
    plots: bool = False,
    command: tuple[str, ...] | None = None,
) -> ReplicationSet:
    """Run replications ``first .. first + replications - 1`` of ``seed`` (default: the scenario's).

    Replication r of seed s is the same run as ``run(scenario, s, r)``, whatever
    else runs beside it. Runs go to ``executor``, a Dask ``client``, or a local
    pool of ``jobs`` processes (default: one per CPU; ``jobs=1`` runs here).
    With ``write_root`` every replication also writes its results folder there.
    """
    if replications < 1:
        raise ValueError(f"replications = {replications}: must be at least 1")
    seed = scenario.seed if seed is None else seed
    numbers = list(range(first, first + replications))
    tasks = replication_tasks(scenario, seed, numbers, write_root=write_root, plots=plots, command=command)
    records: list[Record] = []
    bar = Progress(len(tasks), scenario.name, progress)
    try:
        with workers_for(executor, client, jobs, len(tasks)) as workers:
            run_all(tasks, workers, records.append, bar)
    finally:
        bar.close()
    return replication_set(scenario, seed, numbers, records, confidence)


def replication_set(
    scenario: Scenario, seed: int, replications: list[int], records: list[Record], confidence: float = CONFIDENCE
) -> ReplicationSet:
    """The replication set of ``scenario`` from its runs' records (tasks of :func:`replication_tasks`)."""
    runs = runs_frame(records)
    folders = {int(r["replication"]): str(r["folder"]) for r in records if r.get("folder")}
    return ReplicationSet(scenario, seed, replications, runs, summarize_runs(runs, confidence), confidence, folders)


def run_to_precision(
    scenario: Scenario,
    kpi: str,
    target: float,
    cap: int,
    seed: int | None = None,
    *,
    first: int = 0,
    n0: int = 3,
    jobs: int | None = None,
    executor: Executor | None = None,
    client: Any = None,
    confidence: float = CONFIDENCE,
    progress: bool | None = None,
    write_root: str | None = None,
    plots: bool = False,
    command: tuple[str, ...] | None = None,
) -> tuple[ReplicationSet, Precision]:
    """Replications from ``first`` on until ``kpi``'s relative CI half-width is at most ``target`` (or ``cap`` runs).

    See :mod:`sim.experiments.precision` for the stopping rule and the stages.
    Every stage runs on the same workers (one pool for the whole sequence).
    """
    if not 2 <= n0 <= cap:
        raise ValueError(f"n0 = {n0}, cap = {cap}: needs 2 <= n0 <= cap")
    seed = scenario.seed if seed is None else seed
    records: list[Record] = []
    have = 0
    want = n0
    bar = Progress(cap, scenario.name, progress)
    try:
        with workers_for(executor, client, jobs, cap) as workers:
            while True:
                numbers = list(range(first + have, first + want))
                tasks = replication_tasks(scenario, seed, numbers, write_root=write_root, plots=plots,
                                          command=command)
                run_all(tasks, workers, records.append, bar)
                have = want
                runs = runs_frame(records)
                if kpi not in runs.columns:
                    raise ScenarioError(f"--precision-kpi {kpi}: not a KPI of the runs (see runs.csv)")
                values = runs.loc[runs["status"] == OK, kpi].to_numpy(dtype=float)
                state = precision_of(list(values), kpi, target, cap, confidence)
                state = replace(state, n=have)  # failed runs count against the cap, not towards the precision
                want = state.next_n()
                if want <= have:
                    break
    finally:
        bar.close()
    return replication_set(scenario, seed, list(range(first, first + have)), records, confidence), state
