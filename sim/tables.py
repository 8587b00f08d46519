"""The tables of a run: its records exported as pandas DataFrames (the CSV files and ``RunResult``'s tables).

Nothing here computes a KPI: the parcel table's service columns come from
``sim.metrics.parcel_service_columns``, and the summary is built from these
tables by ``sim.metrics.summarize_run``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.metrics import parcel_service_columns
from sim.records import (
    FINAL_STATE,
    INVENTORY_COLUMNS,
    OCCURRENCE_COLUMNS,
    ROUTE_COLUMNS,
    STORE_ORDER_COLUMNS,
    STORE_SALES_COLUMNS,
    TRAIL_COLUMNS,
    TRIP_COLUMNS,
    ParcelState,
    RunRecords,
    TrailEvent,
    rows_to_frame,
)
from sim.scenario.schema import Scenario


def run_tables(records: RunRecords, scenario: Scenario) -> dict[str, pd.DataFrame]:
    """Every table of a run, by name.

    ``store_sales`` and ``store_orders`` exist only when the run has shops,
    ``trail`` only when the parcel trail is kept, and ``disruptions`` only when
    the scenario has disruptions.
    """
    tables = {
        "ledger": records.ledger.to_frame(),
        "emissions": records.emissions.to_frame().rename(columns={"amount": "co2e_kg"}),
        "parcels": parcel_frame(records, scenario),
        "routes": rows_to_frame(records.routes, ROUTE_COLUMNS).sort_values(["depart_h", "route_id"],
                                                                           ignore_index=True),
        "trips": rows_to_frame(records.trips, TRIP_COLUMNS),
        "inventory": rows_to_frame(records.inventory, INVENTORY_COLUMNS),
    }
    if records.has_stores:
        tables["store_sales"] = rows_to_frame(records.store_sales, STORE_SALES_COLUMNS)
        tables["store_orders"] = rows_to_frame(records.store_orders, STORE_ORDER_COLUMNS)
    if records.trail is not None:
        tables["trail"] = trail_frame(records.trail)
    if records.disruptions is not None:
        tables["disruptions"] = pd.DataFrame(records.disruptions, columns=list(OCCURRENCE_COLUMNS))
    return tables


def trail_frame(trail: list[tuple[int, float, int]]) -> pd.DataFrame:
    """The parcel tracking trail, one row per event, sorted by parcel and time; events by name."""
    frame = pd.DataFrame.from_records(trail, columns=list(TRAIL_COLUMNS))
    names = pd.Index([e.name.lower() for e in TrailEvent])
    frame["event"] = pd.Categorical.from_codes(frame["event"].to_numpy(dtype=np.int64), categories=names)
    return frame.sort_values(["parcel_id", "time_h"], kind="stable", ignore_index=True)


def parcel_frame(records: RunRecords, scenario: Scenario) -> pd.DataFrame:
    """One row per parcel: where it ended up, how many attempts, lead time, service and what it cost."""
    p = records.parcels
    state = p.view("state")
    names = [r.name for r in scenario.regional_warehouses]
    kinds = [r.area.kind for r in scenario.regional_warehouses]
    regional = p.view("regional")
    final = np.array([FINAL_STATE[ParcelState(s)] for s in range(len(ParcelState))], dtype=object)
    detail = np.array([s.name.lower() for s in ParcelState], dtype=object)
    service = parcel_service_columns(p, records.warmup_end_h, records.end_h)
    # Vehicle type that made the last attempt (numbers are per depot, so look them up per depot).
    vehicle_names = np.full(p.size, "", dtype=object)
    vehicle = p.view("vehicle")
    for index, warehouse in enumerate(scenario.regional_warehouses):
        unit_names = np.asarray([u.type for u in warehouse.fleet.units] + [""], dtype=object)
        mine = regional == index
        vehicle_names[mine] = unit_names[vehicle[mine]]  # -1 picks the trailing "" (never attempted)
    slots = p.view("slot")
    return pd.DataFrame(
        {
            "parcel_id": np.arange(p.size),
            "regional": pd.Categorical.from_codes(regional.astype(np.int64), categories=pd.Index(names)),
            "area_kind": np.asarray(kinds, dtype=object)[regional] if p.size else np.array([], dtype=object),
            "product": pd.Categorical.from_codes(
                p.view("product").astype(np.int64), categories=pd.Index(records.product_names)
            ),
            "order_time_h": p.view("order_time_h"),
            "in_window": service["in_window"],
            "state": final[state],
            "detail_state": detail[state],
            "delivered_via": service["delivered_via"],
            "attempts": p.view("attempts").astype(np.int64),
            "first_attempt_success": p.view("first_attempt_success"),
            "backordered": p.view("backordered"),
            "days_waited": p.view("days_waited").astype(np.int64),
            "picked_time_h": p.view("picked_time_h"),
            "first_out_time_h": p.view("first_out_time_h"),
            "delivered_time_h": p.view("delivered_time_h"),
            "lead_time_h": service["lead_time_h"],
            "promise_h": p.view("promise_h"),
            "pickup_point": p.view("pickup_point").astype(np.int64),
            "pickup_handover_h": p.view("pickup_handover_h"),
            "available_time_h": service["available_time_h"],
            "on_time": service["on_time"],
            "lateness_h": service["lateness_h"],
            "chose_pickup": p.view("chose_pickup"),
            "outsourced": p.view("outsourced"),
            "same_day": p.view("same_day"),
            "slot": slots.astype(np.int64),
            "slot_kept": np.where(slots >= 0, p.view("slot_kept"), -1).astype(np.int64),
            "vehicle_type": vehicle_names,
            "weight_kg": p.view("weight_kg"),
            "x_km": p.view("x_km"),
            "y_km": p.view("y_km"),
            "volume_m3": p.view("volume_m3"),
            "pick_pack_cost": p.view("pick_pack_cost"),
            "last_mile_cost": p.view("last_mile_cost"),
            "failed_attempt_cost": p.view("failed_attempt_cost"),
            "pickup_point_cost": p.view("pickup_point_cost"),
            "return_cost": p.view("return_cost"),
            "outsourced_cost": p.view("outsourced_cost"),
            "co2e_kg": p.view("co2e_kg"),
        }
    )
