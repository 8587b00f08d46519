"""Fill of each line-haul trip over time, by stage, from the trips table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.plotting.axes import axes_or_new

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

STAGE_MARKERS = {"factory_to_central": "s", "central_to_regional": "o"}


def plot_linehaul_fill(trips: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Each trip's fill (% of the vehicle's capacity) at its departure day, one colour per stage, mean dashed.

    ``trips`` is the run's trips table (``stage``, ``depart_h``, ``fill``).
    """
    ax = axes_or_new(ax)
    for stage, rows in trips.groupby("stage", sort=True, observed=True):
        name = str(stage)
        points = ax.plot(rows["depart_h"] / 24, 100 * rows["fill"], linestyle="none",
                         marker=STAGE_MARKERS.get(name, "^"), alpha=0.7, label=name.replace("_", " "))[0]
        ax.axhline(100 * float(rows["fill"].mean()), color=points.get_color(), linestyle="--", linewidth=1,
                   label=f"mean {100 * float(rows['fill'].mean()):.0f} %")
    ax.set_xlabel("departure day (simulation day)")
    ax.set_ylabel("fill (% of capacity)")
    ax.set_ylim(0, 105)
    ax.set_title("Line-haul fill by trip")
    ax.legend(fontsize=7)
    return ax
