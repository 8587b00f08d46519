"""Histogram of a KPI over the disrupted runs of a risk experiment, from its runs and table."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.plotting.axes import axes_or_new
from sim.plotting.sweep import EXPERIMENT_FIGSIZE
from sim.plotting.units import integer_ticks, kpi_unit

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes


def plot_risk(disrupted: pd.DataFrame, table: pd.DataFrame, kpi: str, title: str, ax: Axes | None = None) -> Axes:
    """Histogram of ``kpi`` over the ``disrupted`` runs, with the undisrupted mean and the bad-side 95 % quantile.

    ``table`` is the risk table (one row per KPI with ``title``,
    ``reference_mean`` and ``worst_5pct``); ``title`` heads the plot (the count of
    replications is appended).
    """
    ax = axes_or_new(ax, EXPERIMENT_FIGSIZE)
    row = table.loc[table["kpi"] == kpi].iloc[0]
    values = disrupted[kpi].to_numpy(dtype=float)
    values = values[np.isfinite(values)]
    ax.hist(values, bins=max(5, min(30, len(values) // 2)), color="tab:red", alpha=0.6, label="with disruptions")
    ax.axvline(float(row["reference_mean"]), color="black", linestyle="--", label="mean without disruptions")
    ax.axvline(float(row["worst_5pct"]), color="tab:red", linestyle=":", label="bad-side 95 % quantile")
    unit = kpi_unit(kpi)
    ax.set_xlabel(f"{row['title']} ({unit})" if unit else str(row["title"]))
    ax.set_ylabel("replications (count)")
    integer_ticks(ax.yaxis)
    ax.set_title(f"{title}: {len(values)} replications")
    ax.legend(fontsize="small")
    return ax
