"""Last-mile cost per parcel by component, from a cost table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.plotting.axes import axes_or_new
from sim.plotting.colours import LEG_COLOURS

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes


def plot_last_mile_components(cost_table: pd.DataFrame, ax: Axes | None = None, currency: str = "") -> Axes:
    """Horizontal bars of the last-mile rows of ``cost_table`` (columns ``leg``, ``component``, ``per_parcel``).

    The table is the one ``RunResult.cost_table()`` gives; the largest component is drawn on top.
    """
    ax = axes_or_new(ax)
    last_mile = cost_table[cost_table["leg"] == "last_mile"].sort_values("per_parcel", ascending=True)
    ax.barh(last_mile["component"].astype(str).str.replace("_", " "), last_mile["per_parcel"],
            color=LEG_COLOURS["last_mile"])
    ax.set_xlabel(f"cost per parcel ({currency})" if currency else "cost per parcel")
    ax.set_title("Last-mile cost by component")
    return ax
