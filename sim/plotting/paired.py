"""Each replication's KPI under A and B joined by a line, from a comparison's runs and table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.plotting.axes import axes_or_new
from sim.plotting.sweep import EXPERIMENT_FIGSIZE
from sim.plotting.units import integer_ticks, is_count, kpi_label

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes


def plot_paired(runs: pd.DataFrame, table: pd.DataFrame, kpi: str, labels: tuple[str, str],
                ax: Axes | None = None) -> Axes:
    """Replication by replication, ``kpi`` under A and under B joined by a line: parallel lines are what CRN buys.

    ``runs`` has one row per run (``status``, ``replication``, ``variant`` 'a' or
    'b', the KPI columns); ``table`` one row per KPI with the paired ``diff``,
    ``half_width`` and the unpaired ``welch_half_width``; ``labels`` name A and B.
    """
    ax = axes_or_new(ax, EXPERIMENT_FIGSIZE)
    ok = runs[runs["status"] == "ok"]
    wide = ok.pivot(index="replication", columns="variant", values=kpi)
    for a, b in zip(wide["a"].to_numpy(dtype=float), wide["b"].to_numpy(dtype=float), strict=True):
        ax.plot([0, 1], [a, b], color="tab:blue", alpha=0.5, marker="o")
    ax.set_xticks([0, 1], [f"A: {labels[0]}", f"B: {labels[1]}"])
    ax.set_xlim(-0.3, 1.3)
    ax.set_ylabel(kpi_label(kpi))
    if is_count(kpi):
        integer_ticks(ax.yaxis)
    row = table.loc[table["kpi"] == kpi].iloc[0]
    ax.set_title(f"B - A = {row['diff']:.4g} ± {row['half_width']:.4g} (paired), ± {row['welch_half_width']:.4g} "
                 "(unpaired)", fontsize="medium")
    ax.grid(alpha=0.3)
    return ax
