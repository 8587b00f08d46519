"""One depot's delivery day on a map: the depot, each stop coloured by its outcome, and the routes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from sim.plotting.axes import axes_or_new

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

# Outcome of a stop on the day drawn -> colour; the order is the legend's.
STOP_OUTCOMES = {
    "delivered": "#55A868",
    "failed, delivered later": "#DD8452",
    "failed, not delivered": "#C44E52",
    "to pickup point": "#8172B3",
}


def plot_delivery_map(stops: pd.DataFrame, depot_xy: tuple[float, float],
                      routes: Sequence[np.ndarray] = (), ax: Axes | None = None, title: str = "",
                      frame: str = "") -> Axes:
    """The stops of one delivery day (``x_km``, ``y_km``, ``outcome`` as in ``STOP_OUTCOMES``) around the depot.

    ``routes`` are polylines (arrays of shape (n, 2), km), drawn under the
    stops -- on a road network, the roads' paths; the coordinates are km from the
    centre of the depot's area, whose place on the Earth ``frame`` names when the area
    has one (e.g. "60.16994 N, 24.94694 E": the axes are then km east and north of it).
    """
    ax = axes_or_new(ax, (6, 6))
    for line in routes:
        ax.plot(line[:, 0], line[:, 1], color="#4C72B0", linewidth=0.6, alpha=0.6)
    for outcome, colour in STOP_OUTCOMES.items():
        rows = stops[stops["outcome"] == outcome]
        if len(rows):
            # Markers of a line, not a scatter: SVG writes the marker once and places it per stop.
            ax.plot(rows["x_km"], rows["y_km"], linestyle="none", marker="o", markersize=2.2, markeredgewidth=0,
                    color=colour, label=f"{outcome} ({len(rows):,})")
    ax.plot([depot_xy[0]], [depot_xy[1]], linestyle="none", marker="s", markersize=7, color="black", label="depot",
            zorder=3)
    ax.set_aspect("equal", adjustable="datalim")
    centre = f"the centre ({frame})" if frame else "the area's centre"
    ax.set_xlabel(f"km east of {centre}")
    ax.set_ylabel(f"km north of {centre}")
    ax.set_title(title or "Delivery day", fontsize="medium")
    ax.legend(fontsize=7, loc="best", markerscale=2)
    return ax
