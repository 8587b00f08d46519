"""Conservation and cost identities: nothing is created or lost, every cost is counted once."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim import RunResult, load_scenario, run
from sim.ledger import STAGES
from tests.conftest import ROOT, short_run, units_located


def test_every_parcel_is_in_exactly_one_final_state(short_result: RunResult) -> None:
    parcels = short_result.parcels
    assert parcels["state"].isin(["delivered", "at_pickup_point", "returned", "in_system"]).all()
    counts = short_result.summary["parcels"]
    final = counts["delivered"] + counts["at_pickup_point"] + counts["returned"] + counts["in_system"]
    assert counts["ordered"] == final
    assert counts["ordered"] == int(parcels["in_window"].sum())


def test_units_are_conserved_per_product(short_result: RunResult) -> None:
    balance = {k: np.asarray(v) for k, v in short_result.unit_balance.items()}
    supplied = balance["initial"] + balance["produced"]
    located = units_located(balance)
    np.testing.assert_array_equal(supplied, located)
    assert (balance["produced"] > 0).all()


def test_every_warehouse_balances_its_flows(short_result: RunResult) -> None:
    """At each warehouse: initial + received == shipped + on hand, per product; and what the central
    warehouse shipped equals what the regional warehouses received plus what is still on the road."""
    balances = short_result.warehouse_balances
    for name, flows in balances.items():
        b = {k: np.asarray(v) for k, v in flows.items()}
        np.testing.assert_array_equal(b["initial"] + b["received"], b["shipped"] + b["on_hand"], err_msg=name)
        assert (b["on_hand"] >= 0).all()
    regional_received = sum(np.asarray(balances[r]["received"]) for r in ("metro", "suburb", "county"))
    central_shipped = np.asarray(balances["central"]["shipped"])
    unit = {k: np.asarray(v) for k, v in short_result.unit_balance.items()}
    assert (central_shipped >= regional_received).all()
    # Customers took exactly the units the regional warehouses shipped.
    shipped_to_customers = sum(np.asarray(balances[r]["shipped"]) for r in ("metro", "suburb", "county"))
    np.testing.assert_array_equal(shipped_to_customers, unit["in_parcels"])


@pytest.mark.slow
def test_conservation_holds_under_stress() -> None:
    """Scarce stock, a tiny fleet and frequent absences: every queue is exercised."""
    result = short_run(
        "regional_warehouses.metro.fleet.units.diesel_van.count=3",
        "regional_warehouses.metro.area.absence_probability=0.5",
        "regional_warehouses.county.inventory.reorder_point_days=0.2",
        "regional_warehouses.county.inventory.order_up_to_days=0.5",
        "factories.plant_south.capacity_units_per_day=60",
    )
    balance = {k: np.asarray(v) for k, v in result.unit_balance.items()}
    np.testing.assert_array_equal(
        balance["initial"] + balance["produced"],
        units_located(balance),
    )
    parcels = result.parcels
    # Parcels still waiting for stock have taken no unit; all others have taken exactly one.
    assert int((parcels["detail_state"] != "awaiting_stock").sum()) == int(balance["in_parcels"].sum())
    summary = result.summary
    assert summary["stock"]["backordered_share"] > 0
    assert summary["capacity"]["carried_over_share"] > 0
    assert summary["parcels"]["at_pickup_point"] + summary["parcels"]["delivered_pickup_point"] > 0


def test_stages_sum_to_total_and_legs_partition_it(short_result: RunResult) -> None:
    s = short_result.summary
    assert s["total_cost"] == s["upstream_cost"] + s["last_mile_cost"]
    assert math.isclose(sum(s["cost_by_stage"].values()), s["total_cost"], rel_tol=1e-12)
    upstream = sum(v for k, v in s["cost_by_stage"].items() if STAGES[k] == "upstream")
    assert math.isclose(upstream, s["upstream_cost"], rel_tol=1e-12)
    start, end = short_result.window
    ledger = short_result.ledger
    in_window = ledger[(ledger["time_h"] >= start) & (ledger["time_h"] <= end)]
    assert math.isclose(math.fsum(in_window["amount"]), s["total_cost"], rel_tol=1e-12)
    assert math.isclose(short_result.cost_table()["amount"].sum(), s["total_cost"], rel_tol=1e-12)
    assert math.isclose(s["cost_per_parcel"]["total"] * s["parcels"]["ordered"], s["total_cost"], rel_tol=1e-12)


def test_every_stage_has_costs_and_no_cost_is_negative(short_result: RunResult) -> None:
    assert (short_result.ledger["amount"] > 0).all()
    for stage, value in short_result.summary["cost_by_stage"].items():
        assert value > 0, stage


def test_route_costs_reach_the_ledger_and_the_parcels(short_result: RunResult) -> None:
    """Route cost = vehicle + driver; the ledger books it split into regular and failed-attempt shares,
    and the parcel table carries the same money allocated to the parcels the routes attempted."""
    ledger = short_result.ledger
    last_mile = ledger[ledger["stage"] == "last_mile"]
    route_components = last_mile[last_mile["component"].isin(["vehicle_distance", "driver_time", "failed_attempt"])]
    assert math.isclose(route_components["amount"].sum(), short_result.routes["cost"].sum(), rel_tol=1e-9)
    parcels = short_result.parcels
    handling = ledger.loc[ledger["component"] == "failed_attempt_handling", "amount"].sum()
    allocated = parcels["last_mile_cost"].sum() + parcels["failed_attempt_cost"].sum() - handling
    attempted_routes = short_result.routes[short_result.routes["parcels"] > short_result.routes["aborted"]]
    assert math.isclose(allocated, attempted_routes["cost"].sum(), rel_tol=1e-9)


def test_lead_times_are_positive_and_follow_the_event_order(short_result: RunResult) -> None:
    delivered = short_result.parcels[short_result.parcels["state"] == "delivered"]
    assert (delivered["lead_time_h"] > 0).all()
    home = delivered[delivered["delivered_via"] == "home"]
    assert (home["picked_time_h"] >= home["order_time_h"]).all()
    assert (home["first_out_time_h"] >= home["picked_time_h"]).all()
    assert (home["delivered_time_h"] > home["first_out_time_h"]).all()
    assert (home["attempts"] >= 1).all()
    assert (home["attempts"] <= 3).all()


# Every upstream option at once, on the warehouse-operations example (pickers, dock doors, cross-docking): a
# continuous plant with batches, set-ups and breakdowns, hybrid dispatch with LTL and a multi-stop run, lost
# sales of one product, shops at two warehouses, and one disruption of every kind.
EVERYTHING = (
    "horizon.warmup_days=3", "horizon.days=10",
    'factories.plant_east.mode="continuous"', "factories.plant_east.min_batch_units=400",
    "factories.plant_east.setup_hours=1.5", "factories.plant_east.mtbf_hours=60",
    'linehaul.dispatch={policy="hybrid", max_wait_hours=30}',
    "linehaul.ltl={rate_per_m3_per_100km=4.0, minimum_charge=150.0, transit_days=1, below_fill=0.3}",
    'central_warehouses.central.multi_stop=[["suburb", "metro"]]',
    "regional_warehouses.suburb.neighbour_distances_km={metro=45.0}",
    'regional_warehouses.county.inventory_by_product={fragile={policy="sS", reorder_point_days=1, '
    'order_up_to_days=2, initial_stock_days=1, stockout="lost_sales"}}',
    "regional_warehouses.metro.stores.count=8", "regional_warehouses.metro.stores.units_per_store_per_day=50",
    "regional_warehouses.county.stores.count=3", "regional_warehouses.county.stores.units_per_store_per_day=40",
    'disruptions=[{kind="factory_outage", factory="plant_east", start_day=4, duration_days=2, recovery_days=1},'
    ' {kind="linehaul_delay", start_day=5, duration_days=2, delay_hours=6},'
    ' {kind="warehouse_closure", warehouse="metro", start_day=7.5, duration_days=1},'
    ' {kind="demand_surge", regions=["county"], start_day=6, duration_days=2, factor=1.8},'
    ' {kind="factory_outage", factory="plant_south", rate_per_year=20, duration_days=1}]',
)


def test_conservation_holds_with_everything_switched_on() -> None:
    """Per product: produced (+ initial stock) = in stock + at the factory + on docks and roads + in parcels
    (delivered, waiting, at a pickup point, returned or on a van) + on shop shelves and store trucks + sold in shops;
    lost sales take no unit. Each warehouse balances its own flows, and costs still add up by stage and channel."""
    result = run(load_scenario(ROOT / "scenarios" / "examples" / "upstream" / "warehouse_operations.toml",
                               EVERYTHING), seed=2)
    balance = {k: np.asarray(v) for k, v in result.unit_balance.items()}
    np.testing.assert_array_equal(balance["initial"] + balance["produced"], units_located(balance))
    assert balance["in_stores"].sum() > 0 and balance["sold_in_stores"].sum() > 0
    for name, flows in result.warehouse_balances.items():
        b = {k: np.asarray(v) for k, v in flows.items()}
        np.testing.assert_array_equal(b["initial"] + b["received"], b["shipped"] + b["on_hand"], err_msg=name)
    assert {row["kind"] for row in result.summary["disruptions"]} >= {
        "factory_outage", "linehaul_delay", "warehouse_closure", "demand_surge"}
    assert result.summary["parcels"]["lost_sale"] > 0
    channels = result.summary["channels"]
    assert math.isclose(channels["online"]["total_cost"] + channels["store"]["total_cost"],
                        channels["network_total_cost"], rel_tol=1e-9)
    assert (result.trips["mode"] == "LTL").any() and (result.trips["stops"] > 1).any()
