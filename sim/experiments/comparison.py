"""Paired comparison of two scenarios under common random numbers.

Replication r of both scenarios uses the same (seed, r), so they see the same
demand and the same per-parcel draws; the difference of a KPI is then measured
pair by pair, and its interval is narrower than the one that treats the two
samples as independent (Welch), which the report shows side by side.
"""

from __future__ import annotations

import math
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from sim.experiments.engine import Record, run_all
from sim.experiments.executors import workers_for
from sim.experiments.progress import Progress
from sim.experiments.stats import CONFIDENCE, paired_interval, t_interval, welch_interval
from sim.experiments.tables import kpi_columns, kpi_row, runs_frame
from sim.experiments.tasks import OK, RunTask
from sim.plotting import plot_paired
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from matplotlib.axes import Axes

VARIANT = "variant"
COLUMNS = ["kpi", "n_pairs", "mean_a", "mean_b", "diff", "diff_std", "half_width", "ci_low", "ci_high",
           "significant", "welch_half_width", "narrower"]


@dataclass
class Comparison:
    """Both scenarios' runs (column ``variant`` = 'a' or 'b') and the per-KPI paired comparison.

    ``table`` columns: ``mean_a``, ``mean_b``; ``diff`` = mean of (b - a) over the
    pairs, its ``half_width``/``ci_low``/``ci_high``; ``significant`` when the CI
    excludes 0; ``welch_half_width`` of the unpaired interval and ``narrower``,
    the fraction by which the paired half-width is smaller (0.8 = 80 % narrower).
    """

    scenario_a: Scenario
    scenario_b: Scenario
    seed: int
    replications: list[int]
    runs: pd.DataFrame
    table: pd.DataFrame
    confidence: float = CONFIDENCE

    def kpi(self, name: str) -> pd.Series:
        """One KPI's row of the comparison table."""
        return kpi_row(self.table, name)

    def plot(self, kpi: str, ax: Axes | None = None, labels: tuple[str, str] | None = None) -> Axes:
        """Each replication's ``kpi`` under A and B joined by a line (see :func:`sim.plotting.plot_paired`).

        ``labels`` name A and B on the axis (default: the scenario names).
        """
        names = labels or (self.scenario_a.name, self.scenario_b.name)
        return plot_paired(self.runs, self.table, kpi, names, ax=ax)


def paired_table(runs: pd.DataFrame, confidence: float = CONFIDENCE) -> pd.DataFrame:
    """The per-KPI comparison of a runs table with variants 'a' and 'b' paired by replication."""
    ok = runs[runs["status"] == OK]
    a = ok[ok[VARIANT] == "a"].set_index("replication")
    b = ok[ok[VARIANT] == "b"].set_index("replication")
    both = a.index.intersection(b.index).sort_values()
    rows = []
    for kpi in kpi_columns(runs):
        x = a.loc[both, kpi].to_numpy(dtype=float)
        y = b.loc[both, kpi].to_numpy(dtype=float)
        diff = paired_interval(x, y, confidence)
        welch = welch_interval(x, y, confidence)
        significant = bool(diff.n >= 2 and (diff.low > 0 or diff.high < 0))
        narrower = 1 - diff.half_width / welch.half_width if welch.half_width > 0 else math.nan
        rows.append([kpi, diff.n, t_interval(a[kpi], confidence).mean, t_interval(b[kpi], confidence).mean,
                     diff.mean, diff.std, diff.half_width, diff.low, diff.high, significant,
                     welch.half_width, narrower])
    return pd.DataFrame(rows, columns=COLUMNS)


def compare(
    scenario_a: Scenario,
    scenario_b: Scenario,
    replications: int,
    seed: int | None = None,
    *,
    first: int = 0,
    jobs: int | None = None,
    executor: Executor | None = None,
    client: Any = None,
    confidence: float = CONFIDENCE,
    progress: bool | None = None,
) -> Comparison:
    """Run replications ``first ..`` of both scenarios with the same seeds and compare them pair by pair.

    ``seed`` defaults to scenario A's. Differences are B - A.
    """
    if replications < 1:
        raise ValueError(f"replications = {replications}: must be at least 1")
    seed = scenario_a.seed if seed is None else seed
    numbers = list(range(first, first + replications))
    tasks = [
        RunTask(index=2 * i + k, scenario=scenario, seed=seed, replication=r, point=k, factors={VARIANT: variant})
        for i, r in enumerate(numbers)
        for k, (variant, scenario) in enumerate((("a", scenario_a), ("b", scenario_b)))
    ]
    records: list[Record] = []
    bar = Progress(len(tasks), f"{scenario_a.name} vs {scenario_b.name}", progress)
    try:
        with workers_for(executor, client, jobs, len(tasks)) as workers:
            run_all(tasks, workers, records.append, bar)
    finally:
        bar.close()
    runs = runs_frame(records, factors=[VARIANT])
    return Comparison(scenario_a, scenario_b, seed, numbers, runs, paired_table(runs, confidence), confidence)
