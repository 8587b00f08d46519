"""KPIs as pure functions of a run's tables (no SimPy here, so they can be tested on synthetic tables).

The measurement window is [warm-up end, run end]: costs are the ledger entries
posted in it and parcels are those ordered in it. Cost per parcel divides the
first by the count of the second; in steady state both are rates over the same
window.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from sim.ledger import STAGES, TRANSPORT_COMPONENTS
from sim.records import FINAL_STATES


def window_ledger(ledger: pd.DataFrame, start_h: float, end_h: float) -> pd.DataFrame:
    """Ledger entries posted inside the measurement window."""
    return ledger[(ledger["time_h"] >= start_h) & (ledger["time_h"] <= end_h)]


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
    """Cost by stage and leg, shares and per-parcel costs of a window's ledger."""
    by_stage = {stage: _fsum(ledger.loc[ledger["stage"] == stage, "amount"]) for stage in STAGES}
    upstream = math.fsum(v for s, v in by_stage.items() if STAGES[s] == "upstream")
    last_mile = math.fsum(v for s, v in by_stage.items() if STAGES[s] == "last_mile")
    total = upstream + last_mile
    transport = ledger[ledger["component"].isin(list(TRANSPORT_COMPONENTS))]
    transport_total = _fsum(transport["amount"])
    transport_last_mile = _fsum(transport.loc[transport["leg"] == "last_mile", "amount"])
    per_parcel = {stage: _ratio(value, parcels_ordered) for stage, value in by_stage.items()}
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
    window = routes[(routes["depart_h"] >= start_h) & (routes["depart_h"] <= end_h)]
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
    """Line-haul trips that left inside the window, per stage: count and mean truck fill."""
    window = trips[(trips["depart_h"] >= start_h) & (trips["depart_h"] <= end_h)]
    out: dict[str, Any] = {}
    # Every line-haul stage, even without trips, so every run has the same KPI columns.
    for stage in ("central_to_regional", "factory_to_central"):
        group = window[window["stage"] == stage]
        # Fill is a property of our own trucks; LTL shipments ride in someone else's.
        trucks = group[group["mode"] == "FTL"] if "mode" in group else group
        out[stage] = {"trips": len(trucks), "ltl_shipments": len(group) - len(trucks),
                      "mean_fill": float(trucks["fill"].mean()) if len(trucks) else math.nan,
                      "units": int(group["units"].sum())}
    return out


def emission_summary(emissions: pd.DataFrame, parcels_ordered: int) -> dict[str, Any]:
    """CO2e of a window's emissions ledger: total, by stage and leg, per parcel, and the failed-attempt share."""
    amount = emissions["co2e_kg"] if "co2e_kg" in emissions else emissions["amount"]
    by_stage = {stage: math.fsum(amount[emissions["stage"] == stage].tolist()) for stage in STAGES}
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


def summarize(
    ledger: pd.DataFrame,
    parcels: pd.DataFrame,
    routes: pd.DataFrame,
    trips: pd.DataFrame,
    start_h: float,
    end_h: float,
    emissions: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Every KPI of ``summary.json`` (see README, 'What summary.json holds')."""
    parcel_kpis = parcel_summary(parcels)
    ordered = parcel_kpis["parcels"]["ordered"]
    delivered = parcel_kpis["parcels"]["delivered"]
    in_window = window_ledger(ledger, start_h, end_h)
    summary: dict[str, Any] = {"window_hours": [start_h, end_h]}
    summary.update(cost_summary(in_window, ordered, delivered))
    summary.update(parcel_kpis)
    summary["service"] = service_summary(parcels)
    if emissions is not None:
        summary["co2e_kg"] = emission_summary(window_ledger(emissions, start_h, end_h), ordered)
    summary["routes"] = route_summary(routes, start_h, end_h)
    failures = summary["routes"]["failed_attempts"]
    failed_components = in_window["component"].isin(["failed_attempt", "failed_attempt_handling"])
    failed_cost = _fsum(in_window.loc[failed_components, "amount"])
    summary["cost_per_failed_attempt"] = _ratio(failed_cost, failures)
    summary["linehaul"] = linehaul_summary(trips, start_h, end_h)
    return summary


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
