"""Vehicle KPIs: the couriers' routes and the line-haul trips that left inside the window.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from sim.metrics.window import ratio, within_window


def route_summary(routes: pd.DataFrame, start_h: float, end_h: float) -> dict[str, Any]:
    """Courier routes that left inside the window: count, stops, km and how their time was spent."""
    window = within_window(routes, "depart_h", start_h, end_h)
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
        "executed_over_planned_km": ratio(float(window["km"].sum()), float(window["planned_km"].sum())),
        "executed_over_planned_duration": ratio(duration, float(window["planned_duration_h"].sum())),
        "window_stops": int(window["window_stops"].sum()),
        "late_stops": int(window["late_stops"].sum()),
        "mean_stops": float(window["stops"].mean()),
        "mean_parcels": float(window["parcels"].mean()),
        "mean_km": float(window["km"].mean()),
        "mean_duration_h": float(window["duration_h"].mean()),
        "driving_share": ratio(float(window["driving_h"].sum()), duration),
        "service_share": ratio(float(window["service_h"].sum()), duration),
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
    window = within_window(trips, "depart_h", start_h, end_h)
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
            out[stage]["mean_dock_wait_h"] = ratio(float(wait @ units), float(units.sum()))
            out[stage]["mean_lead_time_h"] = ratio(float((wait + trip) @ units), float(units.sum()))
    return out
