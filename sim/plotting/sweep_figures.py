"""The PNG files of a sweep: one per KPI, a panel per factor."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sim.plotting.sweep import plot_sweep

if TYPE_CHECKING:
    import pandas as pd


def write_sweep_figures(aggregate: pd.DataFrame, factors: Sequence[str], kpis: Sequence[str],
                        folder: Path) -> tuple[list[Path], list[str]]:
    """One PNG per KPI (a panel per factor) in ``folder``; returns the files and the KPIs not in the table.

    Drawn on bare ``Figure`` objects, without pyplot's global state, so a sweep
    running in a notebook leaves its backend alone.
    """
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
