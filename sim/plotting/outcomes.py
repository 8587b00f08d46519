"""Final state of the parcels ordered in the measurement window, from the parcels table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.plotting.axes import axes_or_new
from sim.records import FINAL_STATES

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

OUTCOME_COLOURS = ("#55A868", "#8172B3", "#CCB974", "#C44E52", "#8C8C8C", "#64B5CD", "#DA8BC3")


def plot_outcomes(parcels: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Count of window parcels by final state, delivered ones split into home and pickup-point deliveries.

    ``parcels`` needs the columns ``in_window``, ``state`` and ``delivered_via``.
    """
    ax = axes_or_new(ax)
    window = parcels[parcels["in_window"]]
    labels = ["delivered at home", "collected at pickup point", *(s.replace("_", " ") for s in FINAL_STATES[1:])]
    delivered = window[window["state"] == "delivered"]
    counts = [
        int(delivered["delivered_via"].isin(["home", "carrier"]).sum()),
        int((delivered["delivered_via"] == "pickup_point").sum()),
        *[int((window["state"] == s).sum()) for s in FINAL_STATES[1:]],
    ]
    bars = ax.bar(labels, counts, color=list(OUTCOME_COLOURS[: len(labels)]))
    ax.bar_label(bars, fontsize=8)
    ax.set_ylabel("parcels")
    ax.set_title("Delivery outcomes (parcels ordered in the window)")
    ax.tick_params(axis="x", labelrotation=15)
    return ax
