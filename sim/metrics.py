"""KPIs as pure functions of a run's records and tables (no SimPy here, so they can be tested on synthetic data).

``summarize_run`` is the one entry that builds a run's ``summary.json``; the
parcel table's service columns are defined here too (``parcel_service_columns``),
so a KPI and the column it is computed from never disagree.

The measurement window is [warm-up end, run end]: costs are the ledger entries
posted in it and parcels are those ordered in it. Cost per parcel divides the
first by the count of the second; in steady state both are rates over the same
window.

Sales channels. With shops (``regional_warehouses[*].stores``) every ledger
entry belongs to the online channel, the store channel or the shared upstream
network (``sim.ledger.channel_of``). The allocation rule (ASSUMPTION: by units)
gives each channel a share of the shared costs equal to its share of the units
demanded in the window: online, the parcels ordered (one unit each); store, the
units the shops' customers asked for (sold + lost) on days settled in the
window. The headline numbers stay "per online parcel": they are computed on the
online view of the ledger (online entries, plus shared entries times the online
share; store entries left out). Without shops the online share is exactly 1 and
there are no store entries, so the headline is the whole ledger, as always.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from sim.ledger import PARCEL_STAGES, STAGES, TRANSPORT_COMPONENTS
from sim.records import FINAL_STATES, ParcelState, ParcelStore, PlantRecord, RunRecords


def _in_window(table: pd.DataFrame, column: str, start_h: float, end_h: float) -> pd.DataFrame:
    """Rows whose ``column`` (a time in hours) lies inside [start_h, end_h]."""
    return table[(table[column] >= start_h) & (table[column] <= end_h)]


def window_ledger(ledger: pd.DataFrame, start_h: float, end_h: float) -> pd.DataFrame:
    """Ledger entries posted inside the measurement window."""
    return _in_window(ledger, "time_h", start_h, end_h)


def cost_by_stage_component(ledger: pd.DataFrame) -> pd.DataFrame:
    """Total cost per (stage, leg, component), the ledger's aggregated table."""
    if ledger.empty:
        return pd.DataFrame(columns=["stage", "leg", "component", "amount"])
    table = ledger.groupby(["stage", "leg", "component"], observed=True, as_index=False)["amount"].sum()
    return table[table["amount"] != 0].reset_index(drop=True)


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else math.nan


def _fsum(values: pd.Series) -> float:
    return math.fsum(values.tolist())


def cost_summary(ledger: pd.DataFrame, parcels_ordered: int, delivered: int) -> dict[str, Any]:
    """Cost by stage and leg, shares and per-parcel costs of a window's ledger (its online view, with shops)."""
    by_stage = {stage: _fsum(ledger.loc[ledger["stage"] == stage, "amount"]) for stage in PARCEL_STAGES}
    upstream = math.fsum(v for s, v in by_stage.items() if STAGES[s] == "upstream")
    last_mile = math.fsum(v for s, v in by_stage.items() if STAGES[s] == "last_mile")
    total = upstream + last_mile
    transport = ledger[ledger["component"].isin(list(TRANSPORT_COMPONENTS))]
    transport_total = _fsum(transport["amount"])
    transport_last_mile = _fsum(transport.loc[transport["leg"] == "last_mile", "amount"])
    per_parcel: dict[str, float] = {stage: _ratio(value, parcels_ordered) for stage, value in by_stage.items()}
    per_parcel.update(
        upstream=_ratio(upstream, parcels_ordered),
        last_mile=_ratio(last_mile, parcels_ordered),
        total=_ratio(total, parcels_ordered),
    )
    return {
        "total_cost": total,
        "upstream_cost": upstream,
        "last_mile_cost": last_mile,
        "cost_by_stage": by_stage,
        "last_mile_share": _ratio(last_mile, total),
        "last_mile_share_transport": _ratio(transport_last_mile, transport_total),
        "cost_per_parcel": per_parcel,
        "cost_per_delivered_parcel": _ratio(total, delivered),
        "last_mile_cost_per_delivered_parcel": _ratio(last_mile, delivered),
    }


def parcel_service_columns(parcels: ParcelStore, start_h: float, end_h: float) -> dict[str, np.ndarray]:
    """The service KPIs of every parcel: the parcel table's columns the service and parcel summaries read.

    ``in_window``: ordered inside [start_h, end_h]; ``delivered_via``: "home",
    "pickup_point" or "carrier" for a delivered parcel, "" otherwise;
    ``lead_time_h``: order to delivery; ``available_time_h``: when the parcel
    was in the customer's reach; ``on_time`` and ``lateness_h``: against the promise.
    """
    state = parcels.view("state")
    delivered = state == ParcelState.DELIVERED
    via = np.where(delivered, np.where(parcels.view("outsourced"), "carrier",
                                       np.where(parcels.view("via_pickup"), "pickup_point", "home")), "")
    order_time = parcels.view("order_time_h")
    delivered_time = parcels.view("delivered_time_h")
    promise = parcels.view("promise_h")
    handover = parcels.view("pickup_handover_h")
    served = delivered | (state == ParcelState.AT_PICKUP_POINT)
    # The promise is kept when the parcel is in the customer's reach: handed over at the door, or
    # put into a pickup point or locker (however long the customer then takes to collect it).
    available = np.where(np.isnan(handover), delivered_time, handover)
    return {
        "in_window": (order_time >= start_h) & (order_time <= end_h),
        "delivered_via": via,
        "lead_time_h": delivered_time - order_time,
        "available_time_h": available,
        "on_time": served & (available <= promise),
        "lateness_h": np.where(served, np.maximum(available - promise, 0.0), np.nan),
    }


def parcel_summary(parcels: pd.DataFrame) -> dict[str, Any]:
    """Outcome counts, first-attempt success and lead time of the parcels ordered in the window."""
    window = parcels[parcels["in_window"]]
    counts = window["state"].value_counts()
    states = {state: int(counts.get(state, 0)) for state in FINAL_STATES}
    attempted = window[window["attempts"] > 0]
    delivered = window[window["state"] == "delivered"]
    lead = delivered["lead_time_h"].to_numpy(dtype=float)
    return {
        "parcels": {"ordered": len(window), **states,
                    "delivered_home": int((delivered["delivered_via"] == "home").sum()),
                    "delivered_pickup_point": int((delivered["delivered_via"] == "pickup_point").sum())},
        "first_attempt_success_rate": _ratio(float(attempted["first_attempt_success"].sum()), len(attempted)),
        "attempts_per_attempted_parcel": _ratio(float(attempted["attempts"].sum()), len(attempted)),
        "lead_time_hours": {
            "mean": float(lead.mean()) if len(lead) else math.nan,
            "p50": float(np.percentile(lead, 50)) if len(lead) else math.nan,
            "p95": float(np.percentile(lead, 95)) if len(lead) else math.nan,
        },
        "stock": {
            "backordered_share": _ratio(float(window["backordered"].sum()), len(window)),
            # Served from stock at once: neither backordered nor lost (a lost sale takes no unit).
            "fill_rate": 1.0 - _ratio(float(window["backordered"].sum()) + states["lost_sale"], len(window))
            if len(window) else math.nan,
            "lost_sale_share": _ratio(float(states["lost_sale"]), len(window)),
        },
        "capacity": {
            "carried_over_share": _ratio(float((window["days_waited"] > 0).sum()), len(window)),
            "mean_days_waited": float(window["days_waited"].mean()) if len(window) else math.nan,
        },
    }


def route_summary(routes: pd.DataFrame, start_h: float, end_h: float) -> dict[str, Any]:
    """Courier routes that left inside the window: count, stops, km and how their time was spent."""
    window = _in_window(routes, "depart_h", start_h, end_h)
    if window.empty:
        return {"count": 0, "by_vehicle_type": {}, "planned_km_mean": math.nan, "executed_over_planned_km": math.nan,
                "executed_over_planned_duration": math.nan, "window_stops": 0, "late_stops": 0,
                "mean_stops": math.nan, "mean_parcels": math.nan, "mean_km": math.nan,
                "mean_duration_h": math.nan, "driving_share": math.nan, "service_share": math.nan,
                "failed_attempts": 0, "overtime_share": math.nan, "aborted_parcels": 0}
    duration = float(window["duration_h"].sum())
    by_type = {str(k): int(v) for k, v in window["vehicle_type"].value_counts(sort=False).items()}
    return {
        "count": len(window),
        "by_vehicle_type": dict(sorted(by_type.items())),
        "planned_km_mean": float(window["planned_km"].mean()),
        "executed_over_planned_km": _ratio(float(window["km"].sum()), float(window["planned_km"].sum())),
        "executed_over_planned_duration": _ratio(duration, float(window["planned_duration_h"].sum())),
        "window_stops": int(window["window_stops"].sum()),
        "late_stops": int(window["late_stops"].sum()),
        "mean_stops": float(window["stops"].mean()),
        "mean_parcels": float(window["parcels"].mean()),
        "mean_km": float(window["km"].mean()),
        "mean_duration_h": float(window["duration_h"].mean()),
        "driving_share": _ratio(float(window["driving_h"].sum()), duration),
        "service_share": _ratio(float(window["service_h"].sum()), duration),
        "failed_attempts": int(window["failed"].sum()),
        "overtime_share": float((window["overtime_h"] > 0).mean()),
        "aborted_parcels": int(window["aborted"].sum()),
    }


def linehaul_summary(trips: pd.DataFrame, start_h: float, end_h: float) -> dict[str, Any]:
    """Line-haul trips that left inside the window, per stage: count, mean truck fill and unit lead times.

    ``mean_dock_wait_h`` is the mean time a unit waited on the dock for its truck (consolidation), and
    ``mean_lead_time_h`` that wait plus the trip to its drop (to the last drop on a multi-stop run): the
    line-haul part of the replenishment lead time, both weighted by units.
    """
    window = _in_window(trips, "depart_h", start_h, end_h)
    out: dict[str, Any] = {}
    # Every line-haul stage, even without trips, so every run has the same KPI columns.
    for stage in ("central_to_regional", "factory_to_central"):
        group = window[window["stage"] == stage]
        # Fill is a property of our own trucks; LTL shipments ride in someone else's.
        trucks = group[group["mode"] == "FTL"] if "mode" in group else group
        units = group["units"].to_numpy(dtype=float)
        out[stage] = {"trips": len(trucks), "ltl_shipments": len(group) - len(trucks),
                      "mean_fill": float(trucks["fill"].mean()) if len(trucks) else math.nan,
                      "units": int(units.sum())}
        if "dock_wait_h" in group:
            wait = group["dock_wait_h"].to_numpy(dtype=float)
            trip = (group["arrive_h"] - group["depart_h"]).to_numpy(dtype=float)
            out[stage]["mean_dock_wait_h"] = _ratio(float(wait @ units), float(units.sum()))
            out[stage]["mean_lead_time_h"] = _ratio(float((wait + trip) @ units), float(units.sum()))
    return out


def emission_summary(emissions: pd.DataFrame, parcels_ordered: int) -> dict[str, Any]:
    """CO2e of a window's emissions ledger: total, by stage and leg, per parcel, and the failed-attempt share."""
    amount = emissions["co2e_kg"] if "co2e_kg" in emissions else emissions["amount"]
    by_stage = {stage: math.fsum(amount[emissions["stage"] == stage].tolist()) for stage in PARCEL_STAGES}
    upstream = math.fsum(v for s, v in by_stage.items() if STAGES[s] == "upstream")
    last_mile = math.fsum(v for s, v in by_stage.items() if STAGES[s] == "last_mile")
    failed = math.fsum(amount[emissions["component"] == "failed_attempt"].tolist())
    return {
        "total": upstream + last_mile,
        "upstream": upstream,
        "last_mile": last_mile,
        "by_stage": by_stage,
        "per_parcel": {
            "total": _ratio(upstream + last_mile, parcels_ordered),
            "upstream": _ratio(upstream, parcels_ordered),
            "last_mile": _ratio(last_mile, parcels_ordered),
        },
        "last_mile_share": _ratio(last_mile, upstream + last_mile),
        "failed_attempt_share_of_last_mile": _ratio(failed, last_mile),
    }


def service_summary(parcels: pd.DataFrame) -> dict[str, Any]:
    """Service level of the window's parcels: on time against the promise, lateness, slots kept, channels."""
    window = parcels[parcels["in_window"]]
    served = window[window["available_time_h"].notna() & window["state"].isin(["delivered", "at_pickup_point"])]
    late = served.loc[~served["on_time"], "lateness_h"].to_numpy(dtype=float)
    slotted = window[window["slot_kept"] >= 0]
    same_day = served[served["same_day"]]
    return {
        "on_time_rate": _ratio(float(served["on_time"].sum()), len(served)),
        "within_promise_share": _ratio(float(served["on_time"].sum()), len(window)),
        "lateness_hours": {
            "late_parcels": len(late),
            "mean": float(late.mean()) if len(late) else 0.0,
            "p95": float(np.percentile(late, 95)) if len(late) else 0.0,
        },
        "time_window_kept_rate": _ratio(float((slotted["slot_kept"] == 1).sum()), len(slotted)),
        "same_day_on_time_rate": _ratio(float(same_day["on_time"].sum()), len(same_day)),
        "chose_pickup_share": _ratio(float(window["chose_pickup"].sum()), len(window)),
        "outsourced_share": _ratio(float(window["outsourced"].sum()), len(window)),
    }


def channel_shares(online_units: int, store_units: int) -> dict[str, float]:
    """The share of the shared costs each channel carries: its share of the units demanded (ASSUMPTION)."""
    total = online_units + store_units
    if total == 0:
        return {"online": 1.0, "store": 0.0}
    return {"online": online_units / total, "store": store_units / total}


def online_view(ledger: pd.DataFrame, online_share: float, column: str = "amount") -> pd.DataFrame:
    """The online channel's part of a ledger: its own entries, shared entries x ``online_share``, no store entries.

    ``column`` is the amount column (``co2e_kg`` for the emissions table). A
    table without a ``channel`` column is all online.
    """
    if "channel" not in ledger:
        return ledger
    view = ledger[ledger["channel"] != "store"]
    if online_share == 1.0:
        return view
    shared = (view["channel"] == "shared").to_numpy()
    amount = view[column].to_numpy(dtype=float)
    return view.assign(**{column: np.where(shared, amount * online_share, amount)})


def _channel_part(
    ledger: pd.DataFrame, column: str, channel: str, share: float, stages: list[str]
) -> tuple[float, float, dict[str, float]]:
    """A channel's own amount, its allocated part of the shared amount, and both together by stage."""
    own = ledger[ledger["channel"] == channel]
    shared = ledger[ledger["channel"] == "shared"]
    by_stage = {
        stage: _fsum(own.loc[own["stage"] == stage, column])
        + share * _fsum(shared.loc[shared["stage"] == stage, column])
        for stage in stages
    }
    return _fsum(own[column]), share * _fsum(shared[column]), by_stage


def channel_summary(
    ledger: pd.DataFrame, online_units: int, store_units: int, emissions: pd.DataFrame | None = None
) -> dict[str, Any]:
    """Cost (and CO2e) per channel of a window's ledger: own, allocated shared, total, per unit, by stage.

    ``online total + store total == network_total_cost`` up to rounding, because
    the two shares sum to 1.
    """
    shares = channel_shares(online_units, store_units)
    stages: dict[str, list[str]] = {"online": list(PARCEL_STAGES), "store": [s for s in STAGES if s != "last_mile"]}
    out: dict[str, Any] = {"network_total_cost": _fsum(ledger["amount"])}
    if emissions is not None:
        out["network_co2e_kg"] = _fsum(emissions["co2e_kg"])
    for channel, units in (("online", online_units), ("store", store_units)):
        own, allocated, by_stage = _channel_part(ledger, "amount", channel, shares[channel], stages[channel])
        total = own + allocated
        kpis: dict[str, Any] = {
            "units": units, "unit_share": shares[channel], "own_cost": own, "allocated_shared_cost": allocated,
            "total_cost": total, "cost_per_unit": _ratio(total, units),
            "cost_per_unit_by_stage": {stage: _ratio(value, units) for stage, value in by_stage.items()},
        }
        if channel == "online":
            kpis["last_mile_share"] = _ratio(by_stage["last_mile"], total)
        else:
            kpis["store_delivery_cost_per_unit"] = _ratio(by_stage["store_delivery"], units)
            kpis["store_delivery_share"] = _ratio(by_stage["store_delivery"], total)
        if emissions is not None:
            own_kg, allocated_kg, _ = _channel_part(emissions, "co2e_kg", channel, shares[channel], [])
            kpis["co2e_kg"] = own_kg + allocated_kg
            kpis["co2e_kg_per_unit"] = _ratio(own_kg + allocated_kg, units)
        out[channel] = kpis
    return out


def store_summary(
    sales: pd.DataFrame, orders: pd.DataFrame, trips: pd.DataFrame, start_h: float, end_h: float
) -> dict[str, Any]:
    """The shops over the window: units demanded, sold and lost, cut replenishment, store-truck trips."""
    sold_days = _in_window(sales, "time_h", start_h, end_h)
    order_days = _in_window(orders, "time_h", start_h, end_h)
    window_trips = _in_window(trips, "depart_h", start_h, end_h)
    trucks = window_trips[window_trips["stage"] == "store_delivery"]
    demanded = int(sold_days["demanded"].sum())
    sold = int(sold_days["sold"].sum())
    ordered = int(order_days["ordered"].sum())
    cut = int(order_days["cut"].sum())
    return {
        "units_demanded": demanded,
        "units_sold": sold,
        "units_lost": int(sold_days["lost"].sum()),
        "fill_rate": _ratio(float(sold), demanded),
        "units_ordered": ordered,
        "units_shipped": int(order_days["shipped"].sum()),
        "units_cut": cut,
        "cut_share": _ratio(float(cut), ordered),
        "truck_trips": len(trucks),
        "mean_truck_fill": float(trucks["fill"].mean()) if len(trucks) else math.nan,
        "truck_km": float(trucks["km"].sum()),
        "mean_km_per_trip": float(trucks["km"].mean()) if len(trucks) else math.nan,
        "mean_stops_per_trip": float(trucks["stops"].mean()) if len(trucks) else math.nan,
    }


def summarize(
    ledger: pd.DataFrame,
    parcels: pd.DataFrame,
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
    """
    parcel_kpis = parcel_summary(parcels)
    ordered = parcel_kpis["parcels"]["ordered"]
    delivered = parcel_kpis["parcels"]["delivered"]
    in_window = window_ledger(ledger, start_h, end_h)
    store_units = 0
    if store_sales is not None:
        store_units = int(_in_window(store_sales, "time_h", start_h, end_h)["demanded"].sum())
    online_share = channel_shares(ordered, store_units)["online"]
    summary: dict[str, Any] = {"window_hours": [start_h, end_h]}
    summary.update(cost_summary(online_view(in_window, online_share), ordered, delivered))
    summary.update(parcel_kpis)
    summary["service"] = service_summary(parcels)
    emissions_in_window = None if emissions is None else window_ledger(emissions, start_h, end_h)
    if emissions_in_window is not None:
        summary["co2e_kg"] = emission_summary(online_view(emissions_in_window, online_share, "co2e_kg"), ordered)
    summary["routes"] = route_summary(routes, start_h, end_h)
    failures = summary["routes"]["failed_attempts"]
    failed_components = in_window["component"].isin(["failed_attempt", "failed_attempt_handling"])
    failed_cost = _fsum(in_window.loc[failed_components, "amount"])
    summary["cost_per_failed_attempt"] = _ratio(failed_cost, failures)
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


def summarize_run(records: RunRecords, tables: dict[str, pd.DataFrame]) -> dict[str, Any]:
    """The complete ``summary.json`` of a run, from its records and the tables exported from them.

    ``tables`` is ``sim.tables.run_tables(records, ...)``: the store tables are
    in it only when the run has shops.
    """
    start_h, end_h = records.warmup_end_h, records.end_h
    summary = summarize(tables["ledger"], tables["parcels"], tables["routes"], tables["trips"], start_h, end_h,
                        emissions=tables["emissions"], store_sales=tables.get("store_sales"),
                        store_orders=tables.get("store_orders"))
    # Production is not in the ledger (it is not logistics cost): the plants' own logs give their KPIs.
    summary["factories"] = {plant.name: plant_kpis(plant, start_h, end_h) for plant in records.plants}
    if records.disruptions is not None:
        summary["disruptions"] = records.disruptions
        summary["disruption_load"] = disruption_load(records.disruptions, end_h)
    return summary


DAILY_SERVICE_COLUMNS = ["day", "orders", "fill_rate", "on_time_rate", "mean_lead_time_h"]


def daily_service(parcels: pd.DataFrame) -> pd.DataFrame:
    """Service by order day, every day of the run (warm-up included), to follow a disruption through time.

    Per simulation day on which orders were placed: ``orders``; ``fill_rate``,
    the share served from regional stock at once (neither backordered nor a
    lost sale); ``on_time_rate``, the share of the day's served parcels (at the
    door or in a pickup point) made available by the promise; and
    ``mean_lead_time_h`` of the day's delivered parcels. Rates use the same
    definitions as the summary's ``stock.fill_rate`` and ``service.on_time_rate``;
    a day with nothing served or delivered yet has NaN there.
    """
    if parcels.empty:
        return pd.DataFrame(columns=DAILY_SERVICE_COLUMNS)
    state = parcels["state"]
    served = parcels["available_time_h"].notna() & state.isin(["delivered", "at_pickup_point"])
    frame = pd.DataFrame({
        "day": (parcels["order_time_h"].to_numpy(dtype=float) // 24.0).astype(np.int64),
        "short": (parcels["backordered"] | (state == "lost_sale")).astype(float),
        "served": served.astype(float),
        "on_time": (parcels["on_time"] & served).astype(float),
        "lead_time_h": parcels["lead_time_h"].where(state == "delivered"),
    })
    days = frame.groupby("day", sort=True)
    table = pd.DataFrame({
        "orders": days.size(),
        "fill_rate": 1.0 - days["short"].mean(),
        "on_time_rate": days["on_time"].sum() / days["served"].sum().replace(0.0, np.nan),
        "mean_lead_time_h": days["lead_time_h"].mean(),
    })
    return table.reset_index()[DAILY_SERVICE_COLUMNS]


def flatten(summary: dict[str, Any], prefix: str = "") -> dict[str, float]:
    """Nested summary -> flat {'cost_per_parcel.total': ...} of the numeric KPIs (for tables and sweeps)."""
    flat: dict[str, float] = {}
    for key, value in summary.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, name + "."))
        elif isinstance(value, bool | int | float):
            flat[name] = float(value)
    return flat
