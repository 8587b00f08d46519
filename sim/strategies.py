"""Last-mile strategies side by side: each example scenario against the baseline, with CIs.

Every scenario runs the same replications of the same seed, so replication r of
a strategy and of the baseline share their demand, presence, service and traffic
draws (common random numbers); the difference from the baseline is measured pair
by pair, and its confidence interval is the paired one. All the runs of the
table go to one pool of workers, started once, which moves on from one
scenario's runs to the next without waiting for the slowest of them.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.engine import Record, run_all
from sim.experiments.executors import workers_for
from sim.experiments.progress import Progress
from sim.experiments.replications import ReplicationSet, replication_set, replication_tasks
from sim.experiments.stats import paired_interval
from sim.scenario.schema import Scenario


@dataclass(frozen=True)
class Column:
    """A KPI of the strategy table and how to show it."""

    kpi: str  # flat KPI name, as in the runs tables
    title: str
    percent: bool = False


COLUMNS = (
    Column("cost_per_parcel.last_mile", "last-mile cost per parcel"),
    Column("last_mile_share", "last-mile share", percent=True),
    Column("first_attempt_success_rate", "first-attempt success", percent=True),
    Column("service.on_time_rate", "on time", percent=True),
    Column("co2e_kg.per_parcel.last_mile", "last-mile kg CO2e per parcel"),
)


def compare_strategies(
    baseline: Scenario,
    strategies: Sequence[Scenario],
    replications: int,
    seed: int,
    jobs: int | None = None,
    progress: bool | None = None,
) -> pd.DataFrame:
    """One row per (scenario, KPI): mean and 95 % CI half-width, and the paired difference from the baseline.

    Replication r of every scenario is ``run(scenario, seed, r)``; ``jobs``
    worker processes (default: one per CPU; 1 runs here) serve every scenario.
    """
    base, *others = run_scenarios([baseline, *strategies], replications, seed, jobs, progress)
    rows = _rows(base, base)
    for runs in others:
        rows += _rows(runs, base)
    return pd.DataFrame(rows)


def run_scenarios(
    scenarios: Sequence[Scenario], replications: int, seed: int, jobs: int | None = None,
    progress: bool | None = None,
) -> list[ReplicationSet]:
    """Replications ``0 .. replications - 1`` of each scenario, all on one pool; a replication set per scenario."""
    numbers = list(range(replications))
    tasks = []
    for k, scenario in enumerate(scenarios):
        # Task index k * replications + r, point k: unique across the scenarios, so
        # one stream of tasks can carry them all and be split again by point.
        for task in replication_tasks(scenario, seed, numbers):
            tasks.append(replace(task, index=k * replications + task.replication, point=k))
    records: list[Record] = []
    bar = Progress(len(tasks), "strategies", progress)
    try:
        with workers_for(jobs=jobs, tasks=len(tasks)) as workers:
            run_all(tasks, workers, records.append, bar)
    finally:
        bar.close()
    by_scenario: list[list[Record]] = [[] for _ in scenarios]
    for record in records:
        # Back to the numbering of a replication set of its own (index = replication).
        by_scenario[record["point"]].append({**record, "index": record["replication"], "point": 0})
    return [replication_set(scenario, seed, numbers, mine)
            for scenario, mine in zip(scenarios, by_scenario, strict=True)]


def _rows(runs: ReplicationSet, base: ReplicationSet) -> list[dict[str, object]]:
    ok = runs.runs[runs.runs["status"] == "ok"].set_index("replication")
    base_ok = base.runs[base.runs["status"] == "ok"].set_index("replication")
    pairs = ok.index.intersection(base_ok.index).sort_values()
    rows: list[dict[str, object]] = []
    for column in COLUMNS:
        summary = runs.kpi(column.kpi)
        diff = paired_interval(
            base_ok.loc[pairs, column.kpi].to_numpy(float), ok.loc[pairs, column.kpi].to_numpy(float)
        )
        rows.append({
            "scenario": runs.scenario.name,
            "description": runs.scenario.description,
            "kpi": column.kpi,
            "n": int(summary["n"]),
            "mean": float(summary["mean"]),
            "half_width": float(summary["half_width"]),
            "diff": diff.mean,
            "diff_low": diff.low,
            "diff_high": diff.high,
            "significant": bool(diff.n >= 2 and (diff.low > 0 or diff.high < 0)),
        })
    return rows


def _cell(mean: float, half_width: float, percent: bool) -> str:
    if percent:
        return f"{100 * mean:.1f}% ± {100 * half_width:.1f}"
    return f"{mean:.3f} ± {half_width:.3f}"


def _delta(row: Mapping[Hashable, Any], percent: bool) -> str:
    diff = float(row["diff"])
    if row["scenario"] == "baseline" or not np.isfinite(diff):
        return ""
    scale, unit = (100.0, " pp") if percent else (1.0, "")
    mark = "" if row["significant"] else " (n.s.)"
    return f" ({scale * diff:+.2f}{unit}{mark})"


def format_markdown(table: pd.DataFrame) -> str:
    """The strategy table as Markdown: mean ± 95 % CI half-width, and (paired difference from the baseline)."""
    header = "| scenario | " + " | ".join(c.title for c in COLUMNS) + " |"
    lines = [header, "|" + "---|" * (len(COLUMNS) + 1)]
    for scenario, group in table.groupby("scenario", sort=False):
        rows = {str(r["kpi"]): r for r in group.to_dict("records")}
        cells = [_cell(float(rows[c.kpi]["mean"]), float(rows[c.kpi]["half_width"]), c.percent)
                 + _delta(rows[c.kpi], c.percent) for c in COLUMNS]
        lines.append(f"| {scenario} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
