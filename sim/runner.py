"""``run``: build the model for a scenario, run the clock, return a :class:`RunResult`."""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
import pandas as pd

from sim.metrics import summarize
from sim.model.context import SimContext
from sim.model.disruptions import OCCURRENCE_COLUMNS
from sim.model.network import SupplyChain
from sim.records import (
    FINAL_STATE,
    INVENTORY_COLUMNS,
    ROUTE_COLUMNS,
    STORE_ORDER_COLUMNS,
    STORE_SALES_COLUMNS,
    TRIP_COLUMNS,
    ParcelState,
    TrailEvent,
    rows_to_frame,
)
from sim.result import RunResult
from sim.scenario.schema import Scenario


def run(
    scenario: Scenario, seed: int | None = None, replication: int = 0, measure_memory: bool = False
) -> RunResult:
    """Simulate ``scenario`` once.

    ``seed`` defaults to the scenario's own; replication ``r`` of seed ``s`` is
    always the same run. ``measure_memory`` traces peak Python memory (slower;
    for the benchmark).
    """
    seed = scenario.seed if seed is None else seed
    started = time.perf_counter()
    already_tracing = tracemalloc.is_tracing()
    if measure_memory and not already_tracing:
        tracemalloc.start()
    if measure_memory:
        tracemalloc.reset_peak()
    ctx = SimContext.create(scenario, seed, replication)
    chain = SupplyChain(ctx)
    ctx.env.run(until=ctx.end_h + 1e-9)
    chain.finalize()
    tables = _tables(ctx, chain)
    summary = summarize(tables["ledger"], tables["parcels"], tables["routes"], tables["trips"],
                        ctx.warmup_end_h, ctx.end_h, emissions=tables["emissions"],
                        store_sales=tables.get("store_sales"), store_orders=tables.get("store_orders"))
    # Plant KPIs come from the plants themselves (production is not in the ledger: it is not logistics cost).
    summary["factories"] = {name: plant.kpis(ctx.warmup_end_h, ctx.end_h) for name, plant in chain.plants.items()}
    if scenario.disruptions:  # only then: a run without disruptions keeps the summary it always had
        summary["disruptions"] = ctx.disruptions.rows()
        summary["disruption_load"] = ctx.disruptions.load(ctx.end_h)
    peak = None
    if measure_memory:
        peak = tracemalloc.get_traced_memory()[1]
        if not already_tracing:  # leave a caller's own tracing alone
            tracemalloc.stop()
    return RunResult(
        scenario=scenario,
        seed=seed,
        replication=replication,
        summary=summary,
        ledger=tables["ledger"],
        emissions=tables["emissions"],
        parcels=tables["parcels"],
        routes=tables["routes"],
        trips=tables["trips"],
        inventory=tables["inventory"],
        trail=tables.get("trail"),
        unit_balance={k: v.tolist() for k, v in chain.unit_balance().items()},
        product_names=list(chain.products.names),
        warehouse_balances=chain.warehouse_balances(),
        events=ctx.env.events_processed,
        wall_seconds=time.perf_counter() - started,
        peak_memory_bytes=peak,
        disruptions=(pd.DataFrame(ctx.disruptions.rows(), columns=OCCURRENCE_COLUMNS)
                     if scenario.disruptions else None),
        store_sales=tables.get("store_sales"),
        store_orders=tables.get("store_orders"),
    )


def _tables(ctx: SimContext, chain: SupplyChain) -> dict[str, pd.DataFrame]:
    recorder = ctx.recorder
    tables = {
        "ledger": ctx.ledger.to_frame(),
        "emissions": ctx.emissions.to_frame().rename(columns={"amount": "co2e_kg"}),
        "parcels": parcel_frame(ctx, chain),
        "routes": rows_to_frame(recorder.routes, ROUTE_COLUMNS).sort_values(["depart_h", "route_id"],
                                                                            ignore_index=True),
        "trips": rows_to_frame(recorder.trips, TRIP_COLUMNS),
        "inventory": rows_to_frame(recorder.inventory, INVENTORY_COLUMNS),
    }
    if chain.store_networks():  # the store channel's tables exist only when there are shops
        tables["store_sales"] = rows_to_frame(recorder.store_sales, STORE_SALES_COLUMNS)
        tables["store_orders"] = rows_to_frame(recorder.store_orders, STORE_ORDER_COLUMNS)
    if recorder.trail is not None:
        trail = pd.DataFrame.from_records(recorder.trail, columns=["parcel_id", "time_h", "event"])
        names = pd.Index([e.name.lower() for e in TrailEvent])
        trail["event"] = pd.Categorical.from_codes(trail["event"].to_numpy(dtype=np.int64), categories=names)
        tables["trail"] = trail.sort_values(["parcel_id", "time_h"], kind="stable", ignore_index=True)
    return tables


def parcel_frame(ctx: SimContext, chain: SupplyChain) -> pd.DataFrame:
    """One row per parcel: where it ended up, how many attempts, lead time and what it cost."""
    p = ctx.parcels
    state = p.view("state")
    names = [r.name for r in ctx.scenario.regional_warehouses]
    kinds = [r.area.kind for r in ctx.scenario.regional_warehouses]
    regional = p.view("regional")
    final = np.array([FINAL_STATE[ParcelState(s)] for s in range(len(ParcelState))], dtype=object)
    detail = np.array([s.name.lower() for s in ParcelState], dtype=object)
    delivered = state == ParcelState.DELIVERED
    outsourced = p.view("outsourced")
    via = np.where(delivered, np.where(outsourced, "carrier", np.where(p.view("via_pickup"), "pickup_point", "home")),
                   "")
    order_time = p.view("order_time_h")
    delivered_time = p.view("delivered_time_h")
    promise = p.view("promise_h")
    handover = p.view("pickup_handover_h")
    served = delivered | (state == ParcelState.AT_PICKUP_POINT)
    available = np.where(np.isnan(handover), delivered_time, handover)
    # Vehicle type that made the last attempt (numbers are per depot, so look them up per depot).
    vehicle_names = np.full(p.size, "", dtype=object)
    vehicle = p.view("vehicle")
    for index, warehouse in enumerate(ctx.scenario.regional_warehouses):
        unit_names = np.asarray([u.type for u in warehouse.fleet.units] + [""], dtype=object)
        mine = regional == index
        vehicle_names[mine] = unit_names[vehicle[mine]]  # -1 picks the trailing "" (never attempted)
    slots = p.view("slot")
    frame = pd.DataFrame(
        {
            "parcel_id": np.arange(p.size),
            "regional": pd.Categorical.from_codes(regional.astype(np.int64), categories=pd.Index(names)),
            "area_kind": np.asarray(kinds, dtype=object)[regional] if p.size else np.array([], dtype=object),
            "product": pd.Categorical.from_codes(
                p.view("product").astype(np.int64), categories=pd.Index(list(chain.products.names))
            ),
            "order_time_h": order_time,
            "in_window": (order_time >= ctx.warmup_end_h) & (order_time <= ctx.end_h),
            "state": final[state],
            "detail_state": detail[state],
            "delivered_via": via,
            "attempts": p.view("attempts").astype(np.int64),
            "first_attempt_success": p.view("first_attempt_success"),
            "backordered": p.view("backordered"),
            "days_waited": p.view("days_waited").astype(np.int64),
            "picked_time_h": p.view("picked_time_h"),
            "first_out_time_h": p.view("first_out_time_h"),
            "delivered_time_h": delivered_time,
            "lead_time_h": delivered_time - order_time,
            "promise_h": promise,
            "pickup_point": p.view("pickup_point").astype(np.int64),
            "pickup_handover_h": p.view("pickup_handover_h"),
            # The promise is kept when the parcel is in the customer's reach: handed over at the door, or
            # put into a pickup point or locker (however long the customer then takes to collect it).
            "available_time_h": available,
            "on_time": served & (available <= promise),
            "lateness_h": np.where(served, np.maximum(available - promise, 0.0), np.nan),
            "chose_pickup": p.view("chose_pickup"),
            "outsourced": outsourced,
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
    return frame
