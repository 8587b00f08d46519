"""Plain-text tables of replication sets, paired comparisons and sweeps for the terminal."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.comparison import Comparison
from sim.experiments.replications import ReplicationSet
from sim.experiments.risk import RiskResult
from sim.experiments.sweep import SweepResult


def number(value: Any) -> str:
    """Six significant digits with thousands separators; NaN (an undefined KPI) as 'n/a'."""
    if value is None or not math.isfinite(float(value)):
        return "n/a"
    return f"{float(value):,.6g}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths,
                                                                                              strict=True)))
    return [line(header), "-" * len(line(header)), *(line(r) for r in rows)]


def _pick(frame: pd.DataFrame, kpis: Sequence[str] | None) -> pd.DataFrame:
    return frame if not kpis else frame[frame["kpi"].isin(kpis)]


def format_replications(reps: ReplicationSet, kpis: Sequence[str] | None = None) -> str:
    """Every KPI's mean, standard deviation and confidence interval over the replications."""
    first, last = reps.replications[0], reps.replications[-1]
    title = f"{reps.scenario.name}: seed {reps.seed}, replications {first}..{last} ({len(reps.replications)} runs)"
    level = f"{reps.confidence:.0%} CI (Student t)"
    rows = [[str(row["kpi"]), number(row["mean"]), number(row["std"]),
             f"[{number(row['ci_low'])}, {number(row['ci_high'])}]", str(row["n"])]
            for row in _pick(reps.summary, kpis).to_dict("records")]
    lines = [title, "=" * len(title), "", *_table(["kpi", "mean", "std", level, "n"], rows)]
    if not reps.failed.empty:
        lines += ["", f"{len(reps.failed)} replication(s) failed:"]
        lines += [f"  replication {r.replication}: {r.error}" for r in reps.failed.itertuples()]
    return "\n".join(lines)


def format_comparison(comparison: Comparison, kpis: Sequence[str] | None = None,
                      labels: tuple[str, str] | None = None) -> str:
    """Both means, the paired difference B - A with its CI and significance, and the unpaired (Welch) width.

    ``labels`` name A and B in the title (default: the scenario names).
    """
    a, b = labels or (comparison.scenario_a.name, comparison.scenario_b.name)
    n = len(comparison.replications)
    title = f"A = {a}, B = {b}: seed {comparison.seed}, {n} paired replications (common random numbers)"
    rows = []
    table = _pick(comparison.table, kpis)
    for row in table.to_dict("records"):
        narrower = float(row["narrower"])
        rows.append([str(row["kpi"]), number(row["mean_a"]), number(row["mean_b"]), number(row["diff"]),
                     f"[{number(row['ci_low'])}, {number(row['ci_high'])}]", "yes" if row["significant"] else "no",
                     number(row["half_width"]), number(row["welch_half_width"]),
                     f"{narrower:.0%}" if math.isfinite(narrower) else "n/a"])
    level = f"{comparison.confidence:.0%}"
    header = ["kpi", "mean A", "mean B", "B - A", f"{level} CI of B - A (paired)", "significant",
              "± paired", "± unpaired (Welch)", "paired narrower by"]
    lines = [title, "=" * len(title), "", *_table(header, rows), ""]
    varying = table["narrower"].to_numpy(dtype=float)
    varying = varying[np.isfinite(varying)]
    if len(varying):
        lines.append(f"Pairing by replication makes the CI of B - A {np.median(varying):.0%} narrower than an "
                     f"unpaired (Welch) CI (median over {len(varying)} KPIs; 100 % where CRN makes B - A exact).")
    failed = comparison.runs[comparison.runs["status"] != "ok"]
    if not failed.empty:
        lines.append(f"{len(failed)} run(s) failed and their pairs were left out:")
        lines += [f"  {r.variant} replication {r.replication}: {r.error}" for r in failed.itertuples()]
    return "\n".join(lines)


def format_sweep(result: SweepResult) -> str:
    """One paragraph: where the sweep is, how many runs finished, failed or are missing."""
    runs = result.runs
    ok = int((runs["status"] == "ok").sum()) if not runs.empty else 0
    lines = [f"{ok} runs ok, {len(result.failed)} failed, {len(result.missing)} missing "
             f"({result.executed} started now, {result.skipped} done before)"]
    for row in result.failed.itertuples():
        lines.append(f"  run {row.index} (point {row.point}, replication {row.replication}): {row.error}")
    if result.unknown_plot_kpis:
        lines.append(f"plot_kpis not in the runs table (not plotted): {', '.join(result.unknown_plot_kpis)}")
    lines.append(f"tables: {result.folder / 'runs.csv'}, {result.folder / 'aggregate.csv'} (and .parquet)")
    if result.plots:
        lines.append(f"plots: {result.folder / 'plots'}")
    lines.append(f"sweep: {result.folder}")
    return "\n".join(lines)


def format_risk(result: RiskResult) -> str:
    """The spread of each KPI over the disrupted replications, and the paired impact of the disruptions."""
    n = len(result.replications)
    title = (f"{result.scenario.name}: risk over {n} replications of seed {result.seed} "
             "(each with its own disruption draws), paired with the same runs without disruptions")
    rows = []
    for row in result.table.to_dict("records"):
        rows.append([str(row["kpi"]), *(number(row[c]) for c in ("best", "p5", "p50", "mean", "p95", "worst")),
                     number(row["reference_mean"]), number(row["impact_mean"]),
                     f"[{number(row['impact_ci_low'])}, {number(row['impact_ci_high'])}]",
                     number(row["worst_impact"])])
    level = f"{result.confidence:.0%} CI"
    header = ["kpi", "best", "p5", "p50", "mean", "p95", "worst", "no disruption", "impact", level,
              "worst impact"]
    lines = [title, "=" * len(title), "", *_table(header, rows), "",
             "best/worst: the best and worst replication for that KPI (lowest cost, highest fill rate, ...); "
             "impact: disrupted minus undisrupted, pair by pair under common random numbers."]
    if not result.failed.empty:
        lines.append(f"{len(result.failed)} run(s) failed and their pairs were left out:")
        lines += [f"  {r.variant} replication {r.replication}: {r.error}" for r in result.failed.itertuples()]
    return "\n".join(lines)
