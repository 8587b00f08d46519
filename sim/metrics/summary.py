"""The summary of a run: every KPI of ``summary.json``, built once, from the run's records and tables.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from sim.metrics.channels import channel_shares, channel_summary, online_view, store_summary
from sim.metrics.costs import cost_summary, emission_summary
from sim.metrics.lifecycle import DrainRecord, LifecycleCosts, drain_warnings, lifecycle_summary
from sim.metrics.parcels import daily_service, parcel_summary, service_summary
from sim.metrics.streaming import ParcelKpis
from sim.metrics.transport import linehaul_summary, route_summary
from sim.metrics.warmup import warmup_diagnostic, warmup_warning
from sim.metrics.window import fsum, ratio, window_ledger, within_window
from sim.records import PlantRecord, RunRecords


def summarize(
    ledger: pd.DataFrame,
    parcels: pd.DataFrame | ParcelKpis,
    routes: pd.DataFrame,
    trips: pd.DataFrame,
    start_h: float,
    end_h: float,
    emissions: pd.DataFrame | None = None,
    store_sales: pd.DataFrame | None = None,
    store_orders: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Every KPI of ``summary.json`` (see README, 'What summary.json holds').

    ``store_sales`` and ``store_orders`` are given when the scenario has shops:
    the summary then gets ``channels`` and the headline is the online view.
    ``parcels`` is the parcel table, or the KPIs accumulated from its pieces
    (the same numbers, without the whole table).
    """
    parcel_kpis = parcels.parcel_summary() if isinstance(parcels, ParcelKpis) else parcel_summary(parcels)
    ordered = parcel_kpis["parcels"]["ordered"]
    delivered = parcel_kpis["parcels"]["delivered"]
    in_window = window_ledger(ledger, start_h, end_h)
    store_units = 0
    if store_sales is not None:
        store_units = int(within_window(store_sales, "time_h", start_h, end_h)["demanded"].sum())
    online_share = channel_shares(ordered, store_units)["online"]
    summary: dict[str, Any] = {"window_hours": [start_h, end_h]}
    summary.update(cost_summary(online_view(in_window, online_share), ordered, delivered))
    summary.update(parcel_kpis)
    summary["service"] = parcels.service_summary() if isinstance(parcels, ParcelKpis) else service_summary(parcels)
    emissions_in_window = None if emissions is None else window_ledger(emissions, start_h, end_h)
    if emissions_in_window is not None:
        summary["co2e_kg"] = emission_summary(online_view(emissions_in_window, online_share, "co2e_kg"), ordered)
    summary["routes"] = route_summary(routes, start_h, end_h)
    failures = summary["routes"]["failed_attempts"]
    failed_components = in_window["component"].isin(["failed_attempt", "failed_attempt_handling"])
    failed_cost = fsum(in_window.loc[failed_components, "amount"])
    summary["cost_per_failed_attempt"] = ratio(failed_cost, failures)
    summary["linehaul"] = linehaul_summary(trips, start_h, end_h)
    if store_sales is not None and store_orders is not None:
        channels = channel_summary(in_window, ordered, store_units, emissions_in_window)
        channels["stores"] = store_summary(store_sales, store_orders, trips, start_h, end_h)
        summary["channels"] = channels
    return summary


def plant_kpis(plant: PlantRecord, start_h: float, end_h: float) -> dict[str, float | int]:
    """A factory's KPIs over [start_h, end_h).

    ``units_produced``: units finished; ``downtime_hours``: hours broken down;
    ``setups``: product changes started; ``setup_hours``: working time they
    cost (``setups * setup_hours``, whole set-ups); ``fg_units`` and
    ``backlog_units``: finished goods at the factory and open orders at the end.
    """
    produced = sum(units for t, _, units in plant.output if start_h <= t < end_h)
    down = sum(max(0.0, min(b, end_h) - max(a, start_h)) for a, b in plant.downtime)
    setups = sum(1 for t, _ in plant.setups if start_h <= t < end_h)
    return {
        "units_produced": int(produced),
        "downtime_hours": float(down),
        "setups": setups,
        "setup_hours": setups * plant.setup_hours,
        "fg_units": plant.fg_units,
        "backlog_units": plant.backlog_units,
    }


def disruption_load(occurrences: list[dict[str, Any]], end_h: float) -> dict[str, float]:
    """How much disruption a run drew: its occurrences, and the hours of their events inside the run."""
    return {
        "occurrences": len(occurrences),
        "hours": math.fsum(max(0.0, min(o["end_h"], end_h) - o["start_h"]) for o in occurrences),
    }


def summarize_run(
    records: RunRecords, tables: dict[str, pd.DataFrame], parcel_kpis: ParcelKpis | None = None,
    drain: DrainRecord | None = None, lifecycle: LifecycleCosts | None = None,
) -> dict[str, Any]:
    """The complete ``summary.json`` of a run, from its records and the tables exported from them.

    ``tables`` is ``sim.tables.run_tables(records, ...)``: the store tables are
    in it only when the run has shops. ``parcel_kpis``, when given, stands for
    the parcel table (which ``tables`` then need not hold in full). ``drain``
    is how the clock ended when the run drained (``horizon.drain``): the
    summary then has ``lifecycle``, from ``lifecycle`` (the attributed costs
    accumulated from the parcel table's pieces) or else from ``tables["parcels"]``.
    """
    start_h, end_h = records.warmup_end_h, records.end_h
    parcels = tables["parcels"] if parcel_kpis is None else parcel_kpis
    summary = summarize(tables["ledger"], parcels, tables["routes"], tables["trips"], start_h, end_h,
                        emissions=tables["emissions"], store_sales=tables.get("store_sales"),
                        store_orders=tables.get("store_orders"))
    # Production is not in the ledger (it is not logistics cost): the plants' own logs give their KPIs.
    summary["factories"] = {plant.name: plant_kpis(plant, start_h, end_h) for plant in records.plants}
    if records.disruptions is not None:
        summary["disruptions"] = records.disruptions
        summary["disruption_load"] = disruption_load(records.disruptions, end_h)
    daily = parcel_kpis.daily_service() if parcel_kpis is not None else daily_service(tables["parcels"])
    summary["warmup"] = warmup_diagnostic(daily, tables["ledger"], start_h / 24.0, math.ceil(end_h / 24.0))
    if drain is None:
        summary["warnings"] = (saturation_warnings(summary, tables["routes"], start_h, end_h)
                               + warmup_warning(summary["warmup"]))
        return summary
    if lifecycle is None:
        lifecycle = LifecycleCosts()
        lifecycle.add(tables["parcels"])
    summary["lifecycle"] = lifecycle_summary(lifecycle, tables["ledger"], drain, summary)
    # The backlog test looks at the window's end: after the drain nothing is left to show a saturated fleet.
    at_window_end = {**summary, "parcels": {**summary["parcels"], "in_system": drain.window_open_at_window_end}}
    summary["warnings"] = (saturation_warnings(at_window_end, tables["routes"], start_h, end_h)
                           + warmup_warning(summary["warmup"]) + drain_warnings(drain))
    return summary


# A run that keeps up ends with about two days of orders still in the system (the last day's orders, and
# those waiting for the next delivery day); the shipped scenarios end with 2 to 4.2 (a demand peak near the
# end). More than this many days of the window's mean daily orders means the backlog grew through the run.
BACKLOG_DAYS_LIMIT = 5.0


def saturation_warnings(summary: dict[str, Any], routes: pd.DataFrame, start_h: float, end_h: float) -> list[str]:
    """Lines for ``summary.json``'s ``warnings``: a backlog that grew without bound, with what the fleet managed.

    Saturated: the window's parcels still in the system at the end exceed
    ``BACKLOG_DAYS_LIMIT`` days of the window's mean orders per day. The
    message gives their share, the most the couriers delivered in a window
    day (in all and per regional warehouse) against the orders per day, and the
    stock fill rate when stock was short. A window of 5 days or less cannot
    show it.
    """
    parcels = summary["parcels"]
    ordered, waiting = parcels["ordered"], parcels["in_system"]
    days = (end_h - start_h) / 24.0
    if not ordered or days <= 0:
        return []
    per_day = ordered / days
    backlog_days = waiting / per_day
    if backlog_days <= BACKLOG_DAYS_LIMIT:
        return []
    text = (f"{waiting / ordered:.0%} of the window's parcels ({waiting:,} of {ordered:,}) are still in the "
            f"system at the end, {backlog_days:.1f} days of orders (a run that keeps up ends with about 2): ")
    first_day, last_day = int(start_h // 24), math.ceil(end_h / 24)
    in_window = routes[(routes["day"] >= first_day) & (routes["day"] < last_day)] if len(routes) else routes
    if len(in_window):
        by_day = in_window.groupby(["day", "regional"], sort=True)["delivered"].sum().unstack(fill_value=0)
        # In the scenario's order of regional warehouses (the order their routes appear in).
        regions = ", ".join(f"{name} {int(by_day[name].max()):,}" for name in pd.unique(in_window["regional"]))
        text += (f"the couriers delivered at most {int(by_day.sum(axis=1).max()):,} parcels a day ({regions}) "
                 f"against {per_day:,.0f} ordered a day")
    else:
        text += f"no courier route ran in the window, against {per_day:,.0f} parcels ordered a day"
    fill = summary.get("stock", {}).get("fill_rate", math.nan)
    if isinstance(fill, float) and fill < 0.95:
        text += f"; the regional stock filled only {fill:.0%} of the orders at once"
    return [text + "; the backlog grows without bound: add capacity or lower demand"]


# Diagnostics of a run, not KPIs: kept out of the flat tables of experiments (replications, sweeps, comparisons).
# ``lifecycle`` (the drain's complete-lifecycle costs) is a KPI subtree: sim/experiments/kpis.py names its keys.
NOT_KPIS = frozenset({"warmup"})


def flatten(summary: dict[str, Any], prefix: str = "") -> dict[str, float]:
    """Nested summary -> flat {'cost_per_parcel.total': ...} of the numeric KPIs (for tables and sweeps)."""
    flat: dict[str, float] = {}
    for key, value in summary.items():
        if not prefix and key in NOT_KPIS:
            continue
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, name + "."))
        elif isinstance(value, bool | int | float):
            flat[name] = float(value)
    return flat
