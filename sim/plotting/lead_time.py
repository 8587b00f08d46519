"""Histogram of order-to-delivery lead time, from the parcels table."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.plotting.axes import axes_or_new
from sim.plotting.units import integer_ticks

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

BIN_HOURS = 6
MIN_RANGE_HOURS = 24.0


def plot_lead_time(parcels: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Lead time (hours) of the window's delivered parcels in 6-hour bins, with the mean and 95th percentile marked.

    ``parcels`` needs the columns ``in_window``, ``state`` and ``lead_time_h``.
    """
    ax = axes_or_new(ax)
    lead = parcels.loc[parcels["in_window"] & (parcels["state"] == "delivered"), "lead_time_h"].dropna()
    if len(lead):
        edges = np.arange(0, max(MIN_RANGE_HOURS, float(lead.max())) + BIN_HOURS, BIN_HOURS).tolist()
        ax.hist(lead, bins=edges, color="#4C72B0")
        ax.axvline(float(lead.mean()), color="k", linestyle="--", label=f"mean {lead.mean():.0f} h")
        ax.axvline(float(np.percentile(lead, 95)), color="r", linestyle=":",
                   label=f"p95 {np.percentile(lead, 95):.0f} h")
        ax.legend()
    ax.set_xlabel("lead time, order to delivery (hours)")
    ax.set_ylabel("parcels (count)")
    integer_ticks(ax.yaxis)
    ax.set_title("Lead-time distribution")
    return ax
