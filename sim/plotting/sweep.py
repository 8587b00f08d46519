"""A KPI of a sweep against one factor, with its 95 % CI, from the sweep's aggregate table."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.plotting.axes import axes_or_new
from sim.plotting.units import integer_ticks, is_count, kpi_label

if TYPE_CHECKING:
    from matplotlib.axes import Axes

MAX_LINES = 8
EXPERIMENT_FIGSIZE = (6.0, 4.0)


def plot_sweep(aggregate: pd.DataFrame, kpi: str, factor: str, ax: Axes | None = None, currency: str = "") -> Axes:
    """Mean of ``kpi`` against ``factor``, with its 95 % CI as a band.

    ``aggregate`` is a sweep's per-(point, KPI) table: ``point``, the factor
    columns, then ``kpi``, ``mean``, ``half_width``, ``ci_low``, ``ci_high``.
    With other factors in the sweep, each combination of their values gets its
    own line while there are few of them (a grid); otherwise (many
    combinations, a Latin hypercube) each point is drawn with an error bar.
    """
    ax = axes_or_new(ax, EXPERIMENT_FIGSIZE)
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
    # The whole key path, wrapped at its dots: a cut path hides which quantity varied.
    ax.set_xlabel(wrap_path(factor), fontsize="small")
    ax.set_ylabel(kpi_label(kpi, currency), fontsize="small")
    ax.set_title(f"{kpi} (mean, 95 % CI)", fontsize="medium")
    values = pd.to_numeric(rows[factor], errors="coerce")
    if values.notna().all() and (values == values.round()).all():
        integer_ticks(ax.xaxis)  # a factor of whole numbers (vans, attempts) gets no 9.5 ticks
    if is_count(kpi):
        integer_ticks(ax.yaxis)
    text = pd.to_numeric(rows[factor], errors="coerce").isna().any()
    if text:  # text factors sit at 0, 1, 2 ...: name them
        names = list(dict.fromkeys(rows[factor].astype(str)))
        ax.set_xticks(range(len(names)), names, rotation=15, fontsize="small")
    ax.grid(alpha=0.3)
    return ax


def _numeric(values: pd.Series) -> np.ndarray:
    numbers = pd.to_numeric(values, errors="coerce")
    # Text factors (a policy name) are placed at 0, 1, 2 ... in their given order.
    return numbers.to_numpy(dtype=float) if numbers.notna().all() else np.arange(len(values), dtype=float)


def short_path(path: str, width: int = 40) -> str:
    """A long key path keeps its last segments, which name the quantity (``…`` marks the cut)."""
    parts = path.split(".")
    while len(parts) > 1 and len(".".join(parts)) > width:
        parts = parts[1:]
    return path if parts == path.split(".") else "…" + ".".join(parts)


def wrap_path(path: str, width: int = 36) -> str:
    """A key path on as many lines as it needs, broken after its dots, never cut."""
    return "\n".join(textwrap.wrap(path.replace(".", ". "), width=width)).replace(". ", ".")


def _label(factors: Sequence[str], values: Sequence[object]) -> str:
    return ", ".join(f"{f.rsplit('.', 1)[-1]}={v}" for f, v in zip(factors, values, strict=True))
