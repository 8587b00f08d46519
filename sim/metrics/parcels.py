"""Parcel and service KPIs: outcomes, stock, capacity, on time against the promise, day by day.

The parcel table's service columns are defined here (``parcel_service_columns``),
so a KPI and the column it is computed from never disagree.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from sim.metrics.window import ratio
from sim.records import FINAL_STATES, ParcelState

# How a parcel was delivered, by ``delivered_via_code``; "" for a parcel not delivered.
DELIVERED_VIA = np.array(["home", "pickup_point", "carrier", ""])


def parcel_service_columns(parcels: Mapping[str, np.ndarray], start_h: float, end_h: float) -> dict[str, np.ndarray]:
    """The service KPIs of every parcel: the parcel table's columns the service and parcel summaries read.

    ``parcels`` holds the parcel store's columns (rows handed on, or a store's views) by name.

    ``in_window``: ordered inside [start_h, end_h]; ``delivered_via``: "home",
    "pickup_point" or "carrier" for a delivered parcel, "" otherwise (and its index into
    ``DELIVERED_VIA``, ``delivered_via_code``);
    ``lead_time_h``: order to delivery; ``available_time_h``: when the parcel
    was in the customer's reach; ``on_time`` and ``lateness_h``: against the promise.
    """
    state = parcels["state"]
    delivered = state == ParcelState.DELIVERED
    via_code = np.where(delivered, np.where(parcels["outsourced"], 2, np.where(parcels["via_pickup"], 1, 0)), 3)
    order_time = parcels["order_time_h"]
    delivered_time = parcels["delivered_time_h"]
    promise = parcels["promise_h"]
    handover = parcels["pickup_handover_h"]
    served = delivered | (state == ParcelState.AT_PICKUP_POINT)
    # The promise is kept when the parcel is in the customer's reach: handed over at the door, or
    # put into a pickup point or locker (however long the customer then takes to collect it).
    available = np.where(np.isnan(handover), delivered_time, handover)
    return {
        "in_window": (order_time >= start_h) & (order_time <= end_h),
        "delivered_via": DELIVERED_VIA[via_code],
        "delivered_via_code": via_code,  # index into DELIVERED_VIA
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
        "first_attempt_success_rate": ratio(float(attempted["first_attempt_success"].sum()), len(attempted)),
        "attempts_per_attempted_parcel": ratio(float(attempted["attempts"].sum()), len(attempted)),
        "lead_time_hours": {
            "mean": float(lead.mean()) if len(lead) else math.nan,
            "p50": float(np.percentile(lead, 50)) if len(lead) else math.nan,
            "p95": float(np.percentile(lead, 95)) if len(lead) else math.nan,
        },
        "stock": {
            "backordered_share": ratio(float(window["backordered"].sum()), len(window)),
            # Served from stock at once: neither backordered nor lost (a lost sale takes no unit).
            "fill_rate": 1.0 - ratio(float(window["backordered"].sum()) + states["lost_sale"], len(window))
            if len(window) else math.nan,
            "lost_sale_share": ratio(float(states["lost_sale"]), len(window)),
        },
        "capacity": {
            "carried_over_share": ratio(float((window["days_waited"] > 0).sum()), len(window)),
            "mean_days_waited": float(window["days_waited"].mean()) if len(window) else math.nan,
        },
    }


def service_summary(parcels: pd.DataFrame) -> dict[str, Any]:
    """Service level of the window's parcels: on time against the promise, lateness, slots kept, channels."""
    window = parcels[parcels["in_window"]]
    served = window[window["available_time_h"].notna() & window["state"].isin(["delivered", "at_pickup_point"])]
    late = served.loc[~served["on_time"], "lateness_h"].to_numpy(dtype=float)
    slotted = window[window["slot_kept"] >= 0]
    same_day = served[served["same_day"]]
    return {
        "on_time_rate": ratio(float(served["on_time"].sum()), len(served)),
        "within_promise_share": ratio(float(served["on_time"].sum()), len(window)),
        "lateness_hours": {
            "late_parcels": len(late),
            "mean": float(late.mean()) if len(late) else 0.0,
            "p95": float(np.percentile(late, 95)) if len(late) else 0.0,
        },
        "time_window_kept_rate": ratio(float((slotted["slot_kept"] == 1).sum()), len(slotted)),
        "same_day_on_time_rate": ratio(float(same_day["on_time"].sum()), len(same_day)),
        "chose_pickup_share": ratio(float(window["chose_pickup"].sum()), len(window)),
        "outsourced_share": ratio(float(window["outsourced"].sum()), len(window)),
    }


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
