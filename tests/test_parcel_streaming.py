"""Parcels handed on during the run: no row changes after it is handed on, and the streamed summary is exact."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import load_scenario, run
from sim.metrics import ParcelKpis, daily_service, parcel_summary, service_summary, summarize_run
from sim.model.context import SimContext
from sim.model.network import SupplyChain
from sim.runner import run_clock
from sim.tables import parcel_frame, run_tables
from tests.conftest import BASELINE, ROOT

SMALL_CHUNK = 4096  # the smallest chunk: a short run hands several on
NEVER = 1 << 22  # more ids than a short run orders: nothing is handed on before the end
# The heuristic planner: PyVRP's wall-clock cap makes a loaded machine's runs differ, and it is slow.
SHORT = ("horizon.warmup_days=2", "horizon.days=14", "routing.planner=heuristic")
EXAMPLES = ROOT / "scenarios" / "examples"
SCENARIOS = {
    "baseline": BASELINE,
    "disruption": EXAMPLES / "upstream" / "disruption_factory_outage.toml",
    "shops": EXAMPLES / "upstream" / "channel_stores.toml",
    "lockers": EXAMPLES / "last_mile" / "lockers.toml",
    "time_windows": EXAMPLES / "last_mile" / "time_windows.toml",  # planned by the heuristic (see SHORT)
    "outsourcing": EXAMPLES / "last_mile" / "outsourcing_rural.toml",
}


Handed = list[tuple[np.ndarray, dict[str, np.ndarray]]]


def _store_run(path: Path, chunk_ids: int, *overrides: str) -> tuple[dict[str, np.ndarray], Handed, Handed]:
    """Run by hand: the store's rows at the end, copies of the rows handed on during the run and at its end."""
    ctx = SimContext.create(load_scenario(path, (*SHORT, *overrides)), 1, 0, parcel_chunk_ids=chunk_ids)
    chain = SupplyChain(ctx)
    handed: Handed = []
    ctx.parcels.add_sink(lambda ids, rows: handed.append((ids.copy(), {k: v.copy() for k, v in rows.items()})))
    ctx.env.run(until=ctx.window_end_h + 1e-9)
    during = handed[:]
    chain.finish()
    store = ctx.parcels
    return {name: store.cols[name][: store.size].copy() for name in store.cols}, during, handed[len(during):]


@pytest.mark.parametrize("name", ["baseline", "lockers", "disruption", "outsourcing"])
def test_no_row_changes_after_it_is_handed_on(name: str) -> None:
    final, _, _ = _store_run(SCENARIOS[name], NEVER)
    _, during, at_end = _store_run(SCENARIOS[name], SMALL_CHUNK)
    assert len(during) >= 2, "the run should hand chunks on before its end"
    ids = np.concatenate([ids for ids, _ in during + at_end])
    np.testing.assert_array_equal(np.sort(ids), np.arange(len(final["state"])))  # every parcel once
    for ids, rows in during + at_end:
        for column, values in rows.items():
            np.testing.assert_array_equal(values, final[column][ids], err_msg=column)


def test_handed_on_rows_give_their_memory_back() -> None:
    ctx = SimContext.create(load_scenario(BASELINE, SHORT), 1, 0, parcel_chunk_ids=SMALL_CHUNK)
    SupplyChain(ctx)
    ctx.env.run(until=ctx.window_end_h + 1e-9)
    store = ctx.parcels
    assert store.handed_on >= 2 * SMALL_CHUNK
    # A released page reads as zeros: the memory went back to the OS.
    assert not store.order_time_h[: store.handed_on].any() and not store.key[: store.handed_on].any()
    assert store.view("state").size == store.size - store.handed_on


@pytest.mark.parametrize("name", sorted(set(SCENARIOS) - {"outsourcing"}))
def test_streamed_summary_equals_the_whole_table_summary(name: str) -> None:
    # Time windows are planned with the windowed search, several times slower: fewer days (still 3 chunks).
    scenario = load_scenario(SCENARIOS[name], (*SHORT, "horizon.days=5") if name == "time_windows" else SHORT)
    streamed = run(scenario, seed=1, parcel_chunk_ids=SMALL_CHUNK)
    whole = run(scenario, seed=1, parcel_chunk_ids=NEVER)
    pd.testing.assert_frame_equal(streamed.parcels, whole.parcels, check_exact=True)
    assert _same(streamed.summary, whole.summary)
    # The reference: the frame-based KPI functions on the whole table.
    ctx = SimContext.create(scenario, 1, 0, parcel_chunk_ids=NEVER)
    chain = SupplyChain(ctx)
    drain = run_clock(ctx, chain)
    records = chain.finish()
    tables = run_tables(records, scenario)
    pd.testing.assert_frame_equal(tables["parcels"], parcel_frame(records, scenario))
    assert _same(summarize_run(records, tables, drain=drain), streamed.summary)
    kpis = ParcelKpis()
    for start in range(0, len(whole.parcels), 3000):
        kpis.add(whole.parcels.iloc[start : start + 3000])
    pd.testing.assert_frame_equal(kpis.daily_service(), daily_service(whole.parcels), check_exact=True)
    # Means by day a slice of whole days at a time (a year's run has millions of rows): still bit for bit.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sim.metrics.streaming.MEAN_SLICE_ROWS", 1500)
        pd.testing.assert_frame_equal(kpis.daily_service(), daily_service(whole.parcels), check_exact=True)
    pd.testing.assert_frame_equal(streamed.daily_service(), daily_service(whole.parcels), check_exact=True)
    assert _same(kpis.parcel_summary(), parcel_summary(whole.parcels))
    assert _same(kpis.service_summary(), service_summary(whole.parcels))


def _same(a: object, b: object) -> bool:
    """Equal, NaN equal to NaN, floats bit for bit."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return (a != a and b != b) or a == b
    return bool(a == b) and type(a) is type(b)


def test_no_parcel_table_keeps_the_columns_and_no_rows() -> None:
    short = ("horizon.warmup_days=1", "horizon.days=2")
    full = run(load_scenario(BASELINE, short), seed=1).parcels
    none = run(load_scenario(BASELINE, (*short, "outputs.parcels=none")), seed=1).parcels
    assert len(full) > 0 and len(none) == 0
    assert none.dtypes.to_dict() == full.dtypes.to_dict()
