"""The tables of a run, exported from hand-built records: which tables exist, the trail, the parcel rows."""

from __future__ import annotations

from functools import cache

import numpy as np

from sim import Scenario, load_scenario
from sim.ledger import CostLedger
from sim.records import OCCURRENCE_COLUMNS, ParcelState, ParcelStore, RunRecords, TrailEvent, TripRecord
from sim.tables import run_tables, trail_frame
from tests.conftest import BASELINE


@cache
def baseline() -> Scenario:
    return load_scenario(BASELINE)


def records(**changes: object) -> RunRecords:
    """Records of a tiny run: three parcels at the first regional warehouse, one trip, one ledger entry."""
    parcels = ParcelStore(capacity=16)
    parcels.add_batch(0, np.array([10.0, 30.0, 50.0]), np.zeros(3), np.zeros(3), np.array([0, 1, 0]),
                      np.full(3, 0.01), np.full(3, 1.0), np.arange(3, dtype=np.uint64))
    parcels.state[:3] = [ParcelState.DELIVERED, ParcelState.LOST, ParcelState.AWAITING_STOCK]
    parcels.delivered_time_h[0] = 40.0
    parcels.vehicle[0] = 0
    ledger = CostLedger()
    ledger.post(35.0, "last_mile", "driver_time", "metro", 12.0)
    fields: dict[str, object] = dict(
        warmup_end_h=24.0, end_h=72.0, events=100, product_names=list(baseline().products),
        parcels=parcels, ledger=ledger, emissions=CostLedger(), routes=[],
        trips=[TripRecord(0, "central_to_regional", "central", "metro", 5.0, 9.0, 10, 1.0, 0.5, 80.0, 99.0, 3.0,
                          "FTL", 1, 2.0)],
        inventory=[], trail=None, has_stores=False, store_sales=[], store_orders=[], plants=[],
        disruptions=None, unit_balance={}, warehouse_balances={},
    )
    fields.update(changes)
    return RunRecords(**fields)  # type: ignore[arg-type]


def test_optional_tables_exist_only_when_the_run_has_them() -> None:
    plain = run_tables(records(), baseline())
    assert set(plain) == {"ledger", "emissions", "parcels", "routes", "trips", "inventory"}
    rows = [{"disruption": 0, "kind": "warehouse_closure", "target": "metro", "start_h": 1.0, "end_h": 2.0,
             "recovered_h": 2.0}]
    full = run_tables(records(has_stores=True, trail=[(0, 10.0, 0)], disruptions=rows), baseline())
    assert {"store_sales", "store_orders", "trail", "disruptions"} <= set(full)
    assert list(full["disruptions"].columns) == list(OCCURRENCE_COLUMNS)
    assert list(full["store_sales"].columns)[:4] == ["day", "time_h", "regional", "product"]


def test_tables_keep_the_record_values() -> None:
    tables = run_tables(records(), baseline())
    assert tables["trips"].loc[0, "destination"] == "metro" and tables["trips"].loc[0, "dock_wait_h"] == 2.0
    assert tables["ledger"]["amount"].tolist() == [12.0]
    assert list(tables["emissions"].columns)[-1] == "co2e_kg"


def test_parcel_rows_name_states_products_and_vehicles() -> None:
    run = records()
    parcels = run_tables(run, baseline())["parcels"]
    first_warehouse = baseline().regional_warehouses[0]
    assert parcels["regional"].astype(str).tolist() == [first_warehouse.name] * 3
    assert parcels["product"].astype(str).tolist() == [run.product_names[0], run.product_names[1],
                                                       run.product_names[0]]
    assert parcels["state"].tolist() == ["delivered", "lost_sale", "in_system"]
    assert parcels["detail_state"].tolist() == ["delivered", "lost", "awaiting_stock"]
    assert parcels["in_window"].tolist() == [False, True, True]
    assert parcels["lead_time_h"].iloc[0] == 30.0
    assert parcels["vehicle_type"].tolist() == [first_warehouse.fleet.units[0].type, "", ""]


def test_the_trail_is_sorted_by_parcel_then_time_with_event_names() -> None:
    trail = trail_frame([(2, 5.0, int(TrailEvent.ORDERED)), (1, 7.0, int(TrailEvent.PICKED)),
                         (1, 3.0, int(TrailEvent.ORDERED))])
    assert trail[["parcel_id", "time_h"]].to_numpy().tolist() == [[1, 3.0], [1, 7.0], [2, 5.0]]
    assert trail["event"].astype(str).tolist() == ["ordered", "picked", "ordered"]
