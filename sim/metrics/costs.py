"""Cost and emission KPIs of a window's ledger: by stage and leg, shares, per parcel.

Cost per parcel divides the window's costs by the count of the window's parcels;
in steady state both are rates over the same window.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from sim.ledger import PARCEL_STAGES, STAGES, TRANSPORT_COMPONENTS
from sim.metrics.window import fsum, ratio


def cost_by_stage_component(ledger: pd.DataFrame) -> pd.DataFrame:
    """Total cost per (stage, leg, component), the ledger's aggregated table."""
    if ledger.empty:
        return pd.DataFrame(columns=["stage", "leg", "component", "amount"])
    table = ledger.groupby(["stage", "leg", "component"], observed=True, as_index=False)["amount"].sum()
    return table[table["amount"] != 0].reset_index(drop=True)


def cost_summary(ledger: pd.DataFrame, parcels_ordered: int, delivered: int) -> dict[str, Any]:
    """Cost by stage and leg, shares and per-parcel costs of a window's ledger (its online view, with shops)."""
    by_stage = {stage: fsum(ledger.loc[ledger["stage"] == stage, "amount"]) for stage in PARCEL_STAGES}
    upstream = math.fsum(v for s, v in by_stage.items() if STAGES[s] == "upstream")
    last_mile = math.fsum(v for s, v in by_stage.items() if STAGES[s] == "last_mile")
    total = upstream + last_mile
    transport = ledger[ledger["component"].isin(list(TRANSPORT_COMPONENTS))]
    transport_total = fsum(transport["amount"])
    transport_last_mile = fsum(transport.loc[transport["leg"] == "last_mile", "amount"])
    per_parcel: dict[str, float] = {stage: ratio(value, parcels_ordered) for stage, value in by_stage.items()}
    per_parcel.update(
        upstream=ratio(upstream, parcels_ordered),
        last_mile=ratio(last_mile, parcels_ordered),
        total=ratio(total, parcels_ordered),
    )
    return {
        "total_cost": total,
        "upstream_cost": upstream,
        "last_mile_cost": last_mile,
        "cost_by_stage": by_stage,
        "last_mile_share": ratio(last_mile, total),
        "last_mile_share_transport": ratio(transport_last_mile, transport_total),
        "cost_per_parcel": per_parcel,
        "cost_per_delivered_parcel": ratio(total, delivered),
        "last_mile_cost_per_delivered_parcel": ratio(last_mile, delivered),
    }


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
            "total": ratio(upstream + last_mile, parcels_ordered),
            "upstream": ratio(upstream, parcels_ordered),
            "last_mile": ratio(last_mile, parcels_ordered),
        },
        "last_mile_share": ratio(last_mile, upstream + last_mile),
        "failed_attempt_share_of_last_mile": ratio(failed, last_mile),
    }
