"""Fill rate and on-time rate by order day, with the disruptions' windows shaded."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.plotting.axes import axes_or_new
from sim.plotting.colours import DISRUPTION_COLOURS, OTHER_COLOUR

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes


def plot_daily_service(daily: pd.DataFrame, window: tuple[float, float], disruptions: pd.DataFrame | None = None,
                       ax: Axes | None = None) -> Axes:
    """Fill rate and on-time rate by order day, with each disruption's event (dark) and recovery (light) shaded.

    ``daily`` is the service-by-day table (``day``, ``fill_rate``, ``on_time_rate``,
    as ``sim.metrics.daily_service`` gives it); ``window`` the measurement window in
    hours; ``disruptions`` one row per occurrence (``kind``, ``target``, ``start_h``,
    ``end_h``, ``recovered_h``). Each day's point sits in the middle of the day, so
    the shading (hours / 24) lines up with the orders placed while it lasted. The
    dotted line is the end of the warm-up.
    """
    ax = axes_or_new(ax)
    x = daily["day"].to_numpy(dtype=float) + 0.5
    ax.plot(x, 100 * daily["fill_rate"], marker=".", color="#4C72B0", label="fill rate")
    ax.plot(x, 100 * daily["on_time_rate"], marker=".", color="#DD8452", label="on time")
    shown: set[str] = set()
    rows = disruptions.to_dict("records") if disruptions is not None else []
    for row in rows:
        kind = str(row["kind"])
        start, end, recovered = (float(row[key]) / 24 for key in ("start_h", "end_h", "recovered_h"))
        colour = DISRUPTION_COLOURS.get(kind, OTHER_COLOUR)
        label = None if kind in shown else f"{kind.replace('_', ' ')} ({row['target']})"
        shown.add(kind)
        ax.axvspan(start, end, color=colour, alpha=0.25, label=label)
        if recovered > end:
            ax.axvspan(end, recovered, color=colour, alpha=0.1)
    ax.axvline(window[0] / 24, color="k", linestyle=":", linewidth=1)
    ax.set_xlim(0, window[1] / 24)
    ax.set_xlabel("order day (simulation day, warm-up included)")
    ax.set_ylabel("% of the day's orders")
    ax.set_title("Service by order day")
    ax.legend(fontsize=8, loc="lower left")
    return ax
