"""Plots of a run's tables. Each takes an optional matplotlib ``ax`` and returns the axes it drew on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from sim.ledger import PARCEL_STAGES
from sim.records import FINAL_STATES

if TYPE_CHECKING:
    from sim.result import RunResult

LEG_COLOURS = {"upstream": "#4C72B0", "last_mile": "#DD8452"}
DISRUPTION_COLOURS = {"factory_outage": "#C44E52", "linehaul_delay": "#CCB974", "warehouse_closure": "#8172B3",
                      "demand_surge": "#55A868"}


def _axes(ax: Axes | None) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    return ax


def plot_cost_per_parcel(summary: dict[str, Any], ax: Axes | None = None, currency: str = "") -> Axes:
    """Cost per parcel ordered, by stage, coloured by leg, with the last-mile share in the title."""
    ax = _axes(ax)
    stages = list(PARCEL_STAGES)
    values = [summary["cost_per_parcel"][s] for s in stages]
    colours = [LEG_COLOURS[PARCEL_STAGES[s]] for s in stages]
    bars = ax.bar([s.replace("_", " ") for s in stages], values, color=colours)
    ax.bar_label(bars, fmt="%.2f", fontsize=8)
    ax.set_ylabel(f"cost per parcel ({currency})" if currency else "cost per parcel")
    ax.set_title(f"Cost per parcel by stage — last mile {summary['last_mile_share']:.0%} of logistics cost")
    ax.tick_params(axis="x", labelrotation=20)
    return ax


def plot_last_mile_components(cost_table: pd.DataFrame, ax: Axes | None = None, currency: str = "") -> Axes:
    """Last-mile cost per parcel by component (from ``RunResult.cost_table()``)."""
    ax = _axes(ax)
    last_mile = cost_table[cost_table["leg"] == "last_mile"].sort_values("per_parcel", ascending=True)
    ax.barh(last_mile["component"].astype(str).str.replace("_", " "), last_mile["per_parcel"],
            color=LEG_COLOURS["last_mile"])
    ax.set_xlabel(f"cost per parcel ({currency})" if currency else "cost per parcel")
    ax.set_title("Last-mile cost by component")
    return ax


def plot_outcomes(parcels: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Count of window parcels by final state, split into home and pickup-point deliveries."""
    ax = _axes(ax)
    window = parcels[parcels["in_window"]]
    labels = ["delivered at home", "collected at pickup point", *(s.replace("_", " ") for s in FINAL_STATES[1:])]
    delivered = window[window["state"] == "delivered"]
    counts = [
        int(delivered["delivered_via"].isin(["home", "carrier"]).sum()),
        int((delivered["delivered_via"] == "pickup_point").sum()),
        *[int((window["state"] == s).sum()) for s in FINAL_STATES[1:]],
    ]
    colours = ["#55A868", "#8172B3", "#CCB974", "#C44E52", "#8C8C8C", "#64B5CD", "#DA8BC3"]
    bars = ax.bar(labels, counts, color=colours[: len(labels)])
    ax.bar_label(bars, fontsize=8)
    ax.set_ylabel("parcels")
    ax.set_title("Delivery outcomes (parcels ordered in the window)")
    ax.tick_params(axis="x", labelrotation=15)
    return ax


def plot_lead_time(parcels: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Histogram of lead time (order to delivery, hours) with mean and 95th percentile marked."""
    ax = _axes(ax)
    lead = parcels.loc[parcels["in_window"] & (parcels["state"] == "delivered"), "lead_time_h"].dropna()
    if len(lead):
        edges = np.arange(0, max(24.0, float(lead.max())) + 6, 6).tolist()
        ax.hist(lead, bins=edges, color="#4C72B0")
        ax.axvline(float(lead.mean()), color="k", linestyle="--", label=f"mean {lead.mean():.0f} h")
        ax.axvline(float(np.percentile(lead, 95)), color="r", linestyle=":",
                   label=f"p95 {np.percentile(lead, 95):.0f} h")
        ax.legend()
    ax.set_xlabel("lead time, order to delivery (hours)")
    ax.set_ylabel("parcels")
    ax.set_title("Lead-time distribution")
    return ax


def plot_daily_service(result: RunResult, ax: Axes | None = None) -> Axes:
    """Fill rate and on-time rate by order day, with each disruption's event (dark) and recovery (light) shaded.

    Each day's point sits in the middle of the day, so the shading (hours / 24)
    lines up with the orders placed while it lasted. The dotted line is the end
    of the warm-up.
    """
    ax = _axes(ax)
    daily = result.daily_service()
    x = daily["day"].to_numpy(dtype=float) + 0.5
    ax.plot(x, 100 * daily["fill_rate"], marker=".", color="#4C72B0", label="fill rate")
    ax.plot(x, 100 * daily["on_time_rate"], marker=".", color="#DD8452", label="on time")
    shown: set[str] = set()
    rows = result.disruptions.to_dict("records") if result.disruptions is not None else []
    for row in rows:
        kind = str(row["kind"])
        start, end, recovered = (float(row[key]) / 24 for key in ("start_h", "end_h", "recovered_h"))
        colour = DISRUPTION_COLOURS.get(kind, "#8C8C8C")
        label = None if kind in shown else f"{kind.replace('_', ' ')} ({row['target']})"
        shown.add(kind)
        ax.axvspan(start, end, color=colour, alpha=0.25, label=label)
        if recovered > end:
            ax.axvspan(end, recovered, color=colour, alpha=0.1)
    ax.axvline(result.window[0] / 24, color="k", linestyle=":", linewidth=1)
    ax.set_xlim(0, result.window[1] / 24)
    ax.set_xlabel("order day (simulation day, warm-up included)")
    ax.set_ylabel("% of the day's orders")
    ax.set_title("Service by order day")
    ax.legend(fontsize=8, loc="lower left")
    return ax
