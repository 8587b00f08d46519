"""The sales channels' KPIs: online and store costs, the allocation of the shared network, the shops.

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

from sim.ledger import PARCEL_STAGES, STAGES
from sim.metrics.window import fsum, ratio, within_window


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
        stage: fsum(own.loc[own["stage"] == stage, column])
        + share * fsum(shared.loc[shared["stage"] == stage, column])
        for stage in stages
    }
    return fsum(own[column]), share * fsum(shared[column]), by_stage


def channel_summary(
    ledger: pd.DataFrame, online_units: int, store_units: int, emissions: pd.DataFrame | None = None
) -> dict[str, Any]:
    """Cost (and CO2e) per channel of a window's ledger: own, allocated shared, total, per unit, by stage.

    ``online total + store total == network_total_cost`` up to rounding, because
    the two shares sum to 1.
    """
    shares = channel_shares(online_units, store_units)
    stages: dict[str, list[str]] = {"online": list(PARCEL_STAGES), "store": [s for s in STAGES if s != "last_mile"]}
    out: dict[str, Any] = {"network_total_cost": fsum(ledger["amount"])}
    if emissions is not None:
        out["network_co2e_kg"] = fsum(emissions["co2e_kg"])
    for channel, units in (("online", online_units), ("store", store_units)):
        own, allocated, by_stage = _channel_part(ledger, "amount", channel, shares[channel], stages[channel])
        total = own + allocated
        kpis: dict[str, Any] = {
            "units": units, "unit_share": shares[channel], "own_cost": own, "allocated_shared_cost": allocated,
            "total_cost": total, "cost_per_unit": ratio(total, units),
            "cost_per_unit_by_stage": {stage: ratio(value, units) for stage, value in by_stage.items()},
        }
        if channel == "online":
            kpis["last_mile_share"] = ratio(by_stage["last_mile"], total)
        else:
            kpis["store_delivery_cost_per_unit"] = ratio(by_stage["store_delivery"], units)
            kpis["store_delivery_share"] = ratio(by_stage["store_delivery"], total)
        if emissions is not None:
            own_kg, allocated_kg, _ = _channel_part(emissions, "co2e_kg", channel, shares[channel], [])
            kpis["co2e_kg"] = own_kg + allocated_kg
            kpis["co2e_kg_per_unit"] = ratio(own_kg + allocated_kg, units)
        out[channel] = kpis
    return out


def store_summary(
    sales: pd.DataFrame, orders: pd.DataFrame, trips: pd.DataFrame, start_h: float, end_h: float
) -> dict[str, Any]:
    """The shops over the window: units demanded, sold and lost, cut replenishment, store-truck trips."""
    sold_days = within_window(sales, "time_h", start_h, end_h)
    order_days = within_window(orders, "time_h", start_h, end_h)
    window_trips = within_window(trips, "depart_h", start_h, end_h)
    trucks = window_trips[window_trips["stage"] == "store_delivery"]
    demanded = int(sold_days["demanded"].sum())
    sold = int(sold_days["sold"].sum())
    ordered = int(order_days["ordered"].sum())
    cut = int(order_days["cut"].sum())
    return {
        "units_demanded": demanded,
        "units_sold": sold,
        "units_lost": int(sold_days["lost"].sum()),
        "fill_rate": ratio(float(sold), demanded),
        "units_ordered": ordered,
        "units_shipped": int(order_days["shipped"].sum()),
        "units_cut": cut,
        "cut_share": ratio(float(cut), ordered),
        "truck_trips": len(trucks),
        "mean_truck_fill": float(trucks["fill"].mean()) if len(trucks) else math.nan,
        "truck_km": float(trucks["km"].sum()),
        "mean_km_per_trip": float(trucks["km"].mean()) if len(trucks) else math.nan,
        "mean_stops_per_trip": float(trucks["stops"].mean()) if len(trucks) else math.nan,
    }
