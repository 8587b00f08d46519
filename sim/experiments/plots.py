"""Figures of experiments: a KPI against a sweep factor with CI bands, and a paired comparison.

Every function takes an optional matplotlib Axes (like ``sim.plots``); the
files of a sweep are drawn on ``Figure`` objects, without pyplot's global state.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sim.experiments.comparison import Comparison
    from sim.experiments.risk import RiskResult

MAX_LINES = 8


def _axes(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(6, 4))[1]


def plot_sweep(aggregate: pd.DataFrame, kpi: str, factor: str, ax: Axes | None = None) -> Axes:
    """Mean of ``kpi`` against ``factor``, with its 95 % CI as a band.

    With other factors in the sweep, each combination of their values gets its
    own line while there are few of them (a grid); otherwise (many
    combinations, a Latin hypercube) each point is drawn with an error bar.
    """
    ax = _axes(ax)
    rows = aggregate[aggregate["kpi"] == kpi]
    factors = [c for c in aggregate.columns[1:aggregate.columns.get_loc("kpi")] if c != factor]
    groups = list(rows.groupby(factors, sort=True, dropna=False)) if factors else [((), rows)]
    if len(groups) <= MAX_LINES and all(g[factor].is_unique for _, g in groups):
        for key, group in groups:
            group = group.sort_values(factor)
            x = _numeric(group[factor])
            label = _label(factors, key if isinstance(key, tuple) else (key,)) if factors else None
            line = ax.plot(x, group["mean"], marker="o", label=label)[0]
            ax.fill_between(x, group["ci_low"], group["ci_high"], alpha=0.2, color=line.get_color(), linewidth=0)
        if factors:
            ax.legend(fontsize="small")
    else:
        x = _numeric(rows[factor])
        err = (rows["half_width"].fillna(0)).to_numpy()
        ax.errorbar(x, rows["mean"], yerr=err, fmt="o", capsize=2, alpha=0.8)
    ax.set_xlabel(_short(factor))
    ax.set_ylabel(kpi)
    ax.set_title(f"{kpi} (mean, 95 % CI)")
    ax.grid(alpha=0.3)
    return ax


def _numeric(values: pd.Series) -> np.ndarray:
    numbers = pd.to_numeric(values, errors="coerce")
    # Text factors (a policy name) are placed at 0, 1, 2 ... in their given order.
    return numbers.to_numpy(dtype=float) if numbers.notna().all() else np.arange(len(values), dtype=float)


def _short(path: str, width: int = 40) -> str:
    """A long key path keeps its last segments, which name the quantity."""
    parts = path.split(".")
    while len(parts) > 1 and len(".".join(parts)) > width:
        parts = parts[1:]
    return path if parts == path.split(".") else "…" + ".".join(parts)


def _label(factors: Sequence[str], values: Sequence[object]) -> str:
    return ", ".join(f"{f.rsplit('.', 1)[-1]}={v}" for f, v in zip(factors, values, strict=True))


def write_sweep_plots(aggregate: pd.DataFrame, factors: Sequence[str], kpis: Sequence[str],
                      folder: Path) -> tuple[list[Path], list[str]]:
    """One PNG per KPI (a panel per factor) in ``folder``; returns the files and the KPIs not in the table."""
    from matplotlib.figure import Figure

    known = set(aggregate["kpi"])
    written, unknown = [], []
    folder.mkdir(parents=True, exist_ok=True)
    for kpi in kpis:
        if kpi not in known:
            unknown.append(kpi)
            continue
        fig = Figure(figsize=(5.5 * len(factors), 4.2))
        axes = fig.subplots(1, len(factors), squeeze=False)[0]
        for ax, factor in zip(axes, factors, strict=True):
            plot_sweep(aggregate, kpi, factor, ax=ax)
        fig.tight_layout()
        path = folder / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', kpi)}.png"
        fig.savefig(path, dpi=100)
        written.append(path)
    return written, unknown


def plot_paired(comparison: Comparison, kpi: str, ax: Axes | None = None,
                labels: tuple[str, str] | None = None) -> Axes:
    """Each replication's ``kpi`` under A and B joined by a line: parallel lines are what CRN buys.

    ``labels`` name A and B on the axis (default: the scenario names).
    """
    ax = _axes(ax)
    runs = comparison.runs[comparison.runs["status"] == "ok"]
    wide = runs.pivot(index="replication", columns="variant", values=kpi)
    for a, b in zip(wide["a"].to_numpy(dtype=float), wide["b"].to_numpy(dtype=float), strict=True):
        ax.plot([0, 1], [a, b], color="tab:blue", alpha=0.5, marker="o")
    a, b = labels or (comparison.scenario_a.name, comparison.scenario_b.name)
    ax.set_xticks([0, 1], [f"A: {a}", f"B: {b}"])
    ax.set_xlim(-0.3, 1.3)
    ax.set_ylabel(kpi)
    row = comparison.kpi(kpi)
    ax.set_title(f"B - A = {row['diff']:.4g} ± {row['half_width']:.4g} (paired), ± {row['welch_half_width']:.4g} "
                 "(unpaired)", fontsize="medium")
    ax.grid(alpha=0.3)
    return ax


def plot_risk(result: RiskResult, kpi: str = "cost_per_parcel.total", ax: Axes | None = None) -> Axes:
    """Histogram of ``kpi`` over the disrupted runs, with the undisrupted mean and the bad-side 95 % quantile."""
    ax = _axes(ax)
    row = result.kpi(kpi)
    values = result.disrupted[kpi].to_numpy(dtype=float)
    values = values[np.isfinite(values)]
    ax.hist(values, bins=max(5, min(30, len(values) // 2)), color="tab:red", alpha=0.6, label="with disruptions")
    ax.axvline(float(row["reference_mean"]), color="black", linestyle="--", label="mean without disruptions")
    ax.axvline(float(row["worst_5pct"]), color="tab:red", linestyle=":", label="bad-side 95 % quantile")
    ax.set_xlabel(str(row["title"]))
    ax.set_ylabel("replications")
    ax.set_title(f"{result.scenario.name}: {len(values)} replications")
    ax.legend(fontsize="small")
    return ax
