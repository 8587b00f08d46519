"""Fill rate and on-time rate by order day, with the disruptions' windows shaded and censored days marked."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.plotting.axes import axes_or_new
from sim.plotting.colours import DISRUPTION_COLOURS, OTHER_COLOUR

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

CENSORED_COLOUR = "#8C8C8C"


def not_yet_due_by_day(parcels: pd.DataFrame, end_h: float) -> pd.Series:
    """Per order day, the share of its parcels not served by ``end_h`` whose promise runs past ``end_h``.

    Those parcels are censored: the run ended before anyone could tell whether
    they arrive on time, so the day's on-time rate (over the parcels served so
    far) is not a final figure. ``parcels`` needs ``order_time_h``,
    ``promise_h``, ``available_time_h`` and ``state``.
    """
    served = parcels["available_time_h"].notna() & parcels["state"].isin(["delivered", "at_pickup_point"])
    censored = (~served) & (parcels["promise_h"].to_numpy(dtype=float) > end_h)
    day = (parcels["order_time_h"].to_numpy(dtype=float) // 24.0).astype(np.int64)
    return censored.astype(float).groupby(day).mean().rename("not_yet_due_share")


def plot_daily_service(daily: pd.DataFrame, window: tuple[float, float], disruptions: pd.DataFrame | None = None,
                       ax: Axes | None = None, not_yet_due: pd.Series | None = None) -> Axes:
    """Fill rate and on-time rate by order day, with each disruption's event (dark) and recovery (light) shaded.

    ``daily`` is the service-by-day table (``day``, ``fill_rate``, ``on_time_rate``,
    as ``sim.metrics.daily_service`` gives it); ``window`` the measurement window in
    hours; ``disruptions`` one row per occurrence (``kind``, ``target``, ``start_h``,
    ``end_h``, ``recovered_h``). Each day's point sits in the middle of the day, so
    the shading (hours / 24) lines up with the orders placed while it lasted. The
    dotted line is the end of the warm-up.

    ``not_yet_due`` (``not_yet_due_by_day``) marks the days some of whose parcels
    were still within their promise at the horizon: their on-time rate is drawn
    as hollow grey points over a hatched band, never as a final on-time figure.
    Without it nothing is marked (the daily table alone does not say which
    parcels were still due); the run's PNG and report.html always pass it when
    the parcel table is there.
    """
    ax = axes_or_new(ax)
    day = daily["day"].to_numpy(dtype=int)
    x = day + 0.5
    censored = (np.isin(day, not_yet_due.index[not_yet_due.to_numpy() > 0]) if not_yet_due is not None
                else np.zeros(len(day), dtype=bool))
    on_time = 100 * daily["on_time_rate"].to_numpy(dtype=float)
    ax.plot(x, 100 * daily["fill_rate"], marker=".", color="#4C72B0", label="fill rate")
    ax.plot(x, np.where(censored, np.nan, on_time), marker=".", color="#DD8452", label="on time")
    if censored.any():
        first = float(x[censored].min()) - 0.5
        ax.axvspan(first, window[1] / 24, facecolor="none", edgecolor=CENSORED_COLOUR, hatch="//", linewidth=0,
                   label="censored: parcels not yet due at the horizon")
        ax.plot(x[censored], on_time[censored], linestyle="none", marker="o", markerfacecolor="none",
                color=CENSORED_COLOUR, label="served so far on time (not final)")
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
    ax.set_ylim(top=102)
    ax.set_xlabel("order day (simulation day, warm-up included)")
    ax.set_ylabel("% of the day's orders")
    ax.set_title("Service by order day")
    ax.legend(fontsize=7, loc="lower left")
    return ax
