"""Cost per parcel by stage, from a run's summary."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sim.ledger import PARCEL_STAGES
from sim.plotting.axes import axes_or_new
from sim.plotting.colours import LEG_COLOURS

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def plot_cost_per_parcel(summary: Mapping[str, Any], ax: Axes | None = None, currency: str = "") -> Axes:
    """Cost per parcel ordered, by stage, coloured by leg, with the last-mile share in the title.

    ``summary`` needs ``cost_per_parcel`` (by stage) and ``last_mile_share``, as in a run's summary.
    """
    ax = axes_or_new(ax)
    stages = list(PARCEL_STAGES)
    values = [summary["cost_per_parcel"][s] for s in stages]
    colours = [LEG_COLOURS[PARCEL_STAGES[s]] for s in stages]
    bars = ax.bar([s.replace("_", " ") for s in stages], values, color=colours)
    ax.bar_label(bars, fmt="%.2f", fontsize=8)
    ax.set_ylabel(f"cost per parcel ({currency})" if currency else "cost per parcel")
    ax.set_title(f"Cost per parcel by stage — last mile {summary['last_mile_share']:.0%} of logistics cost")
    ax.tick_params(axis="x", labelrotation=20)
    return ax
