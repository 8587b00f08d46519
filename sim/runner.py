"""``run``: build the model for a scenario, run the clock, return a :class:`RunResult`."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.metrics import ParcelKpis, summarize_run
from sim.metrics.lifecycle import DrainRecord, LifecycleCosts
from sim.model.context import HOURS_PER_DAY, SimContext
from sim.model.network import SupplyChain
from sim.records import CHUNK_IDS
from sim.result import RunResult
from sim.scenario.schema import Scenario
from sim.tables import KeptPieces, ParcelTable, parcel_rows_frame, run_tables


def run_clock(ctx: SimContext, chain: SupplyChain) -> DrainRecord:
    """Run the clock to the window's end, then (``horizon.drain``) a day at a time until no parcel is open.

    The drain stops at the first midnight with no open parcel (``SupplyChain.open_parcels``),
    or at ``ctx.clock_end_h`` (the cap). Without a drain the clock stops at the window's end.
    """
    env = ctx.env
    env.run(until=ctx.window_end_h + 1e-9)
    drains = ctx.scenario.horizon.drains
    open_at_window_end = chain.open_parcels() if drains else 0
    window_open = chain.open_parcels(ctx.warmup_end_h) if drains else 0
    still_open = open_at_window_end
    stop_h = ctx.window_end_h
    # Whole days: the midnight accrual (stock costs, settled parcels handed on) closes each drain day.
    while still_open > 0 and stop_h < ctx.clock_end_h - 1e-9:
        stop_h += HOURS_PER_DAY
        env.run(until=stop_h + 1e-9)
        still_open = chain.open_parcels()
    return DrainRecord(window_end_h=ctx.window_end_h, stop_h=stop_h, cap_h=ctx.clock_end_h,
                       open_at_window_end=open_at_window_end, open_at_stop=still_open,
                       window_open_at_window_end=window_open)


def run(
    scenario: Scenario, seed: int | None = None, replication: int = 0, measure_memory: bool = False,
    *, parcel_chunk_ids: int = CHUNK_IDS, parcel_writer: Callable[[pd.DataFrame], None] | None = None,
) -> RunResult:
    """Simulate ``scenario`` once.

    ``seed`` defaults to the scenario's own; replication ``r`` of seed ``s`` is
    always the same run. ``measure_memory`` traces peak Python memory (slower;
    for the benchmark). ``parcel_chunk_ids`` is how many parcel ids the store
    hands on at a time (a multiple of 4096; the results do not depend on it).

    The parcel table (``outputs.parcels``: all, a sample, or none) is
    ``RunResult.parcels``; with a ``parcel_writer`` its pieces go there
    instead as the run hands them on (``sim run`` writes them to the results
    folder), and ``RunResult.parcels`` is an empty table with its columns. The
    summary and ``daily_service`` always count every parcel.
    """
    seed = scenario.seed if seed is None else seed
    started = time.perf_counter()
    already_tracing = tracemalloc.is_tracing()
    if measure_memory and not already_tracing:
        tracemalloc.start()
    if measure_memory:
        tracemalloc.reset_peak()
    ctx = SimContext.create(scenario, seed, replication, parcel_chunk_ids=parcel_chunk_ids)
    chain = SupplyChain(ctx)
    # The parcels the store hands on feed the summary's KPIs and the parcel table as they come.
    parcel_table = ParcelTable(scenario, list(chain.products.names), ctx.warmup_end_h, ctx.window_end_h)
    parcel_kpis = ParcelKpis()
    lifecycle = LifecycleCosts()
    parcel_table.consumers.append(lifecycle.add)
    kept = KeptPieces()
    parcel_table.consumers.append(parcel_kpis.add)
    parcel_table.table_consumers.append(kept if parcel_writer is None else parcel_writer)
    ctx.parcels.add_sink(parcel_table)
    drain = run_clock(ctx, chain)
    records = chain.finish()
    parcels = kept.frame() if parcel_writer is None else parcel_rows_frame(
        np.array([], dtype=np.int64), {name: column[:0] for name, column in ctx.parcels.cols.items()},
        scenario, records.product_names, ctx.warmup_end_h, ctx.window_end_h)
    tables = run_tables(records, scenario, parcels=parcels)
    # Only with a drain: a run without one keeps the summary it always had.
    summary = summarize_run(records, tables, parcel_kpis, drain=drain if scenario.horizon.drains else None,
                            lifecycle=lifecycle)
    distances = distance_summary(chain)
    if distances:  # only areas on a road network or a matrix: other runs keep the summary they had
        summary["distances"] = distances
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
        unit_balance=records.unit_balance,
        product_names=records.product_names,
        warehouse_balances=records.warehouse_balances,
        events=records.events,
        wall_seconds=time.perf_counter() - started,
        peak_memory_bytes=peak,
        disruptions=tables.get("disruptions"),
        store_sales=tables.get("store_sales"),
        store_orders=tables.get("store_orders"),
        daily=parcel_kpis.daily_service(),
        parcels_simulated=ctx.parcels.size,
        parcels_kept=scenario.outputs.parcel_table if parcel_writer is None else "none",
    )


def distance_summary(chain: SupplyChain) -> dict[str, Any]:
    """Per regional warehouse on a network (roads or a matrix): its measured circuity (``sim.model.circuity``)."""
    from sim.model.circuity import area_distance_summary

    out: dict[str, Any] = {}
    for regional in chain.regionals:
        geometry = regional.geometry
        distances = regional.config.area.distances
        if geometry.travel is None or distances is None or distances.file is None:
            continue
        out[regional.name] = area_distance_summary(geometry.travel, geometry.sample_points,
                                                   Path(distances.file).name)
    return out
