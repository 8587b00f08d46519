"""End-of-day stock on hand over time, one line per warehouse, from the inventory table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.plotting.axes import axes_or_new
from sim.plotting.units import integer_ticks

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes


def plot_inventory(inventory: pd.DataFrame, window: tuple[float, float] | None = None,
                   ax: Axes | None = None) -> Axes:
    """Units on hand at the end of each day, summed over products, one line per warehouse (backorders dashed).

    ``inventory`` has one row per day, facility and product (``day``,
    ``facility``, ``on_hand``, ``backorders``), as the run's inventory table.
    ``window`` (hours) draws the end of the warm-up as a dotted line.
    """
    ax = axes_or_new(ax)
    totals = inventory.groupby(["facility", "day"], sort=False, observed=True)[["on_hand", "backorders"]].sum()
    for facility in dict.fromkeys(inventory["facility"].astype(str)):
        rows = totals.loc[facility].sort_index()
        line = ax.plot(rows.index.to_numpy(), rows["on_hand"].to_numpy(), marker=".", label=facility)[0]
        if rows["backorders"].any():
            ax.plot(rows.index.to_numpy(), rows["backorders"].to_numpy(), linestyle="--", color=line.get_color(),
                    label=f"{facility} backorders")
    if window is not None:
        ax.axvline(window[0] / 24, color="k", linestyle=":", linewidth=1)
    ax.set_xlabel("day (end of day, warm-up included)")
    ax.set_ylabel("units on hand (count, all products)")
    integer_ticks(ax.xaxis)
    integer_ticks(ax.yaxis)
    ax.set_title("Inventory over time")
    ax.legend(fontsize=7, ncol=2)
    return ax
