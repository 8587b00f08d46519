"""Final state of the parcels ordered in the measurement window, from the parcels table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from sim.plotting.axes import axes_or_new
from sim.plotting.units import integer_ticks
from sim.records import FINAL_STATES

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

OUTCOME_COLOURS = ("#55A868", "#8172B3", "#CCB974", "#C44E52", "#8C8C8C", "#64B5CD", "#DA8BC3")


def outcome_counts(parcels: pd.DataFrame) -> dict[str, int]:
    """Window parcels by final state, delivered ones split into home (or carrier) and pickup-point deliveries."""
    window = parcels[parcels["in_window"]]
    delivered = window[window["state"] == "delivered"]
    counts = {
        "delivered at home": int(delivered["delivered_via"].isin(["home", "carrier"]).sum()),
        "collected at pickup point": int((delivered["delivered_via"] == "pickup_point").sum()),
    }
    for state in FINAL_STATES[1:]:
        counts[state.replace("_", " ")] = int((window["state"] == state).sum())
    return counts


def summary_outcome_counts(parcels: Mapping[str, int]) -> dict[str, int]:
    """``outcome_counts`` from a run summary's ``parcels`` counts (no parcel table needed)."""
    counts = {"delivered at home": int(parcels["delivered"]) - int(parcels.get("delivered_pickup_point", 0)),
              "collected at pickup point": int(parcels.get("delivered_pickup_point", 0))}
    for state in FINAL_STATES[1:]:
        counts[state.replace("_", " ")] = int(parcels.get(state, 0))
    return counts


def plot_outcomes(parcels: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Count of window parcels by final state, delivered ones split into home and pickup-point deliveries.

    ``parcels`` needs the columns ``in_window``, ``state`` and ``delivered_via``.
    """
    return plot_outcome_counts(outcome_counts(parcels), ax)


def plot_outcome_counts(counts: Mapping[str, int], ax: Axes | None = None) -> Axes:
    """Horizontal bars of parcels by outcome (``outcome_counts``), so the names never overlap however many."""
    ax = axes_or_new(ax)
    labels = list(counts)[::-1]  # the first state on top
    values = [counts[label] for label in labels]
    bars = ax.barh(labels, values, color=list(OUTCOME_COLOURS[: len(labels)])[::-1])
    ax.bar_label(bars, labels=[f"{v:,}" for v in values], fontsize=8, padding=2)
    ax.set_xlabel("parcels (count)")
    ax.set_xlim(0, max([*values, 1]) * 1.15)  # room for the count beside the longest bar
    integer_ticks(ax.xaxis)
    ax.set_title("Delivery outcomes (parcels ordered in the window)")
    return ax
