"""Plain-text tables of replication sets, paired comparisons and sweeps for the terminal."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.comparison import Comparison
from sim.experiments.kpis import chosen, kind, unit, value
from sim.experiments.replications import ReplicationSet
from sim.experiments.risk import RiskResult
from sim.experiments.sweep import SweepResult


def number(value: Any) -> str:
    """Six significant digits with thousands separators; NaN (an undefined KPI) as 'n/a'."""
    if value is None or not math.isfinite(float(value)):
        return "n/a"
    return f"{float(value):,.6g}"


def render(header: Sequence[str], rows: Sequence[Sequence[str]], title: str = "") -> str:
    """An aligned plain-text table (rich, no colour, no borders but a rule under the header)."""
    import io

    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, title=title or None, title_justify="left")
    for i, name in enumerate(header):
        table.add_column(name, justify="left" if i < 2 else "right", no_wrap=True)
    for row in rows:
        table.add_row(*row)
    out = io.StringIO()
    Console(file=out, width=400, color_system=None, force_terminal=False, highlight=False, emoji=False,
            markup=False).print(table)
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines() if line.strip())


def _shown(frame: pd.DataFrame, kpis: Sequence[str] | None) -> pd.DataFrame:
    """The rows of the KPIs to print: the headline ones and the requested ones (see :func:`kpis.chosen`)."""
    names = chosen(list(frame["kpi"]), kpis)
    return frame[frame["kpi"].isin(names)]


def _more(frame: pd.DataFrame, shown: pd.DataFrame) -> str:
    hidden = len(frame) - len(shown)
    return (f"{hidden} more KPIs in the folder's tables; print them with --kpi NAME (repeatable) or --kpi all"
            if hidden > 0 else "")


def format_replications(reps: ReplicationSet, kpis: Sequence[str] | None = None) -> str:
    """Each KPI's mean and confidence interval over the replications, in its unit (headline KPIs by default).

    A count (parcels, trips, ...) shows the range of the replications instead of
    a t interval, which could reach below zero.
    """
    first, last = reps.replications[0], reps.replications[-1]
    title = f"{reps.scenario.name}: seed {reps.seed}, replications {first}..{last} ({len(reps.replications)} runs)"
    currency = reps.scenario.currency
    ok = reps.runs[reps.runs["status"] == "ok"]
    shown = _shown(reps.summary, kpis)
    rows = []
    for row in shown.to_dict("records"):
        name = str(row["kpi"])
        if kind(name) == "count" and name in ok:
            spread = f"range {value(name, ok[name].min())} .. {value(name, ok[name].max())}"
        else:
            spread = f"[{value(name, row['ci_low'])}, {value(name, row['ci_high'])}]"
        rows.append([name, unit(name, currency), value(name, row["mean"]), spread, value(name, row["std"]),
                     str(row["n"])])
    level = f"{reps.confidence:.0%} CI (Student t) / range"
    lines = [title, "=" * len(title), "", render(["kpi", "unit", "mean", level, "std", "n"], rows)]
    more = _more(reps.summary, shown)
    if more:
        lines += ["", more]
    if not reps.failed.empty:
        lines += ["", f"{len(reps.failed)} replication(s) failed:"]
        lines += [f"  replication {r.replication}: {r.error}" for r in reps.failed.itertuples()]
    return "\n".join(lines)


def format_comparison(comparison: Comparison, kpis: Sequence[str] | None = None,
                      labels: tuple[str, str] | None = None) -> str:
    """Both means, the paired difference B - A with its CI and significance, and the unpaired (Welch) CI's width.

    ``labels`` name A and B in the title (default: the scenario names).
    """
    a, b = labels or (comparison.scenario_a.name, comparison.scenario_b.name)
    n = len(comparison.replications)
    title = f"A = {a}, B = {b}: seed {comparison.seed}, {n} paired replications (common random numbers)"
    currency = comparison.scenario_a.currency
    table = _shown(comparison.table, kpis)
    rows = []
    for row in table.to_dict("records"):
        name = str(row["kpi"])
        rows.append([name, unit(name, currency), value(name, row["mean_a"]), value(name, row["mean_b"]),
                     value(name, row["diff"], difference=True),
                     f"[{value(name, row['ci_low'], difference=True)}, {value(name, row['ci_high'], difference=True)}]",
                     "yes" if row["significant"] else "no",
                     "±" + value(name, row["welch_half_width"], difference=True).lstrip("+")])
    level = f"{comparison.confidence:.0%}"
    header = ["kpi", "unit", "A", "B", "B - A", f"{level} CI of B - A (paired)", "sig.", "unpaired CI"]
    lines = [title, "=" * len(title), "", render(header, rows), "",
             f"sig.: the paired {level} CI excludes 0; unpaired CI: the half-width of an unpaired (Welch) CI. "
             "Shares in %, their differences in percentage points (pp)."]
    varying = table["narrower"].to_numpy(dtype=float)
    varying = varying[np.isfinite(varying)]
    if len(varying):
        median = float(np.median(varying))
        how = f"{median:.0%} narrower" if median >= 0 else f"{-median:.0%} wider"
        lines.append(f"Pairing by replication makes the CI of B - A {how} than an unpaired (Welch) CI "
                     f"(median over {len(varying)} KPIs shown; 100 % where CRN makes B - A exact).")
    more = _more(comparison.table, table)
    if more:
        lines.append(more)
    failed = comparison.runs[comparison.runs["status"] != "ok"]
    if not failed.empty:
        lines.append(f"{len(failed)} run(s) failed and their pairs were left out:")
        lines += [f"  {r.variant} replication {r.replication}: {r.error}" for r in failed.itertuples()]
    return "\n".join(lines)


def comparison_names(a: str, b: str, set_a: Sequence[str], set_b: Sequence[str]) -> str:
    """The ``A-vs-B`` part of a comparison's folder name; a side that is the other with overrides is named by them
    (``baseline-vs-max_attempts_1``, not ``baseline-vs-baseline``)."""
    def label(name: str, overrides: Sequence[str]) -> str:
        if not overrides or a != b:
            return name
        parts = [re.sub(r"[^A-Za-z0-9_.-]+", "_", item.split("=", 1)[0].rsplit(".", 1)[-1] + "_"
                        + item.split("=", 1)[-1]).strip("._") for item in overrides]
        text = "+".join(part for part in parts if part) or name
        return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)[:40].strip("._-") or name
    left, right = label(a, set_a), label(b, set_b)
    if left == right:  # the same name on both sides with the same (or no) overrides: say which is which
        left, right = f"{left}-a", f"{right}-b"
    return f"{left}-vs-{right}"


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


RISK_COLUMNS = ("best", "p5", "p50", "mean", "p95", "worst")


def _risk_rows(result: RiskResult, table: pd.DataFrame) -> list[list[str]]:
    currency = result.scenario.currency
    rows = []
    for row in table.to_dict("records"):
        name = str(row["kpi"])
        rows.append([name, unit(name, currency), *(value(name, row[c]) for c in RISK_COLUMNS),
                     value(name, row["reference_mean"]), value(name, row["impact_mean"], difference=True),
                     f"[{value(name, row['impact_ci_low'], difference=True)}, "
                     f"{value(name, row['impact_ci_high'], difference=True)}]",
                     value(name, row["worst_impact"], difference=True)])
    return rows


def _risk_header(result: RiskResult) -> list[str]:
    return ["kpi", "unit", *RISK_COLUMNS, "no disruption", "impact", f"{result.confidence:.0%} CI of impact",
            "worst impact"]


def _risk_title(result: RiskResult) -> str:
    return (f"{result.scenario.name}: risk over {len(result.replications)} replications of seed {result.seed} "
            "(each with its own disruption draws), paired with the same runs without disruptions")


RISK_NOTE = ("best/worst: the best and worst replication for that KPI (lowest cost, highest fill rate, ...); "
             "impact: disrupted minus undisrupted, pair by pair under common random numbers.")


def format_risk(result: RiskResult, kpis: Sequence[str] | None = None) -> str:
    """The spread of each KPI over the disrupted replications, and the paired impact (headline KPIs by default)."""
    title = _risk_title(result)
    table = _shown(result.table, kpis)
    lines = [title, "=" * len(title), "", render(_risk_header(result), _risk_rows(result, table)), "", RISK_NOTE]
    more = _more(result.table, table)
    if more:
        lines.append(more)
    if not result.failed.empty:
        lines.append(f"{len(result.failed)} run(s) failed and their pairs were left out:")
        lines += [f"  {r.variant} replication {r.replication}: {r.error}" for r in result.failed.itertuples()]
    return "\n".join(lines)


def risk_markdown(result: RiskResult) -> str:
    """``risk.md``: the whole risk table (every KPI) as a Markdown document with a title, units and notes."""
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    header = _risk_header(result)
    lines = [f"# Risk: {cell(result.scenario.name)}", "", _risk_title(result) + ".", "",
             "| " + " | ".join(header) + " |", "|" + "|".join(["---", "---", *["---:"] * (len(header) - 2)]) + "|"]
    lines += ["| " + " | ".join(f"`{row[0]}`" if i == 0 else cell(c) for i, c in enumerate(row)) + " |"
              for row in _risk_rows(result, result.table)]
    lines += ["", RISK_NOTE + " Shares in %, their differences in percentage points (pp)."]
    if not result.failed.empty:
        lines += ["", f"{len(result.failed)} run(s) failed and their pairs were left out:", ""]
        lines += [f"- {r.variant} replication {r.replication}: {cell(str(r.error))}"
                  for r in result.failed.itertuples()]
    return "\n".join(lines) + "\n"
