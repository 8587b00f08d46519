"""The store channel: shops refilled by store trucks beside online parcels, each channel with its own cost trail."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim import RunResult, ScenarioError, load_scenario, run
from sim.ledger import PARCEL_STAGES, channel_of
from sim.metrics import channel_summary, cost_summary, window_ledger
from sim.model.upstream.stores import load_trucks, share_out
from sim.report import format_summary
from tests.conftest import BASELINE, ROOT, short_run, short_scenario, units_located

# Shops at two of the three warehouses (the suburb keeps online only), selling about as much as online.
STORES = (
    "regional_warehouses.metro.stores.count=10",
    "regional_warehouses.metro.stores.units_per_store_per_day=60",
    "regional_warehouses.county.stores.count=4",
    "regional_warehouses.county.stores.units_per_store_per_day=40",
    # The plants keep their headroom over the larger demand.
    "factories.plant_east.capacity_units_per_day=3500",
    "factories.plant_south.capacity_units_per_day=900",
)


def _stores_run(*extra: str, seed: int = 1) -> RunResult:
    return short_run(*STORES, *extra, seed=seed)


def _in_window(result: RunResult, stage: str) -> float:
    ledger = window_ledger(result.ledger, *result.window)
    return math.fsum(ledger.loc[ledger["stage"] == stage, "amount"].tolist())


# --- the model ------------------------------------------------------------------------------------------


def test_units_are_conserved_per_product_with_stores() -> None:
    result = _stores_run()
    balance = {k: np.asarray(v) for k, v in result.unit_balance.items()}
    np.testing.assert_array_equal(balance["initial"] + balance["produced"], units_located(balance))
    assert (balance["in_stores"] > 0).all() and (balance["sold_in_stores"] > 0).all()
    # The regional warehouses shipped exactly what customers took in parcels and what the shops were sent.
    shipped = sum(np.asarray(result.warehouse_balances[r]["shipped"]) for r in ("metro", "suburb", "county"))
    orders = result.store_orders
    assert orders is not None
    to_shops = orders.groupby("product", sort=False)["shipped"].sum().reindex(result.product_names).to_numpy()
    np.testing.assert_array_equal(shipped, balance["in_parcels"] + to_shops)
    # Every order is shipped or cut, every shop day's demand sold or lost.
    assert (orders["ordered"] == orders["shipped"] + orders["cut"]).all()
    sales = result.store_sales
    assert sales is not None
    assert (sales["demanded"] == sales["sold"] + sales["lost"]).all()
    assert set(sales["regional"]) == {"metro", "county"}


def test_units_are_conserved_when_the_warehouse_cuts_and_trucks_split() -> None:
    """Scarce county stock, a slow plant, small metro trucks and huge county shops: cuts, lost sales, split drops."""
    result = _stores_run(
        "regional_warehouses.county.inventory.reorder_point_days=0.3",
        "regional_warehouses.county.inventory.order_up_to_days=0.8",
        "factories.plant_south.capacity_units_per_day=150",
        "regional_warehouses.metro.stores.truck_capacity_m3=8",
        "regional_warehouses.county.stores.units_per_store_per_day=400",
    )
    balance = {k: np.asarray(v) for k, v in result.unit_balance.items()}
    np.testing.assert_array_equal(balance["initial"] + balance["produced"], units_located(balance))
    stores = result.summary["channels"]["stores"]
    assert stores["units_cut"] > 0 and stores["units_lost"] > 0
    trucks = result.trips[result.trips["stage"] == "store_delivery"]
    assert (trucks["fill"] <= 1 + 1e-9).all()
    assert trucks.groupby(["origin", "depart_h"]).size().max() > 1  # a day's drops needed several trucks


def test_store_trucks_respect_capacity_and_appear_in_the_trips_table() -> None:
    result = _stores_run()
    trucks = result.trips[result.trips["stage"] == "store_delivery"]
    assert len(trucks) > 0
    assert (trucks["fill"] <= 1 + 1e-9).all() and (trucks["km"] > 0).all() and (trucks["stops"] >= 1).all()
    assert set(trucks["origin"]) == {"metro", "county"}
    ledger = result.ledger
    transport = ledger[(ledger["stage"] == "store_delivery") & (ledger["component"] != "inventory_holding")]
    assert math.isclose(transport["amount"].sum(), trucks["cost"].sum(), rel_tol=1e-9)
    emissions = result.emissions
    assert math.isclose(emissions.loc[emissions["stage"] == "store_delivery", "co2e_kg"].sum(),
                        trucks["co2e_kg"].sum(), rel_tol=1e-9)
    assert (result.inventory["facility"] == "metro/stores").any()


def test_a_closed_warehouse_sends_no_store_truck_and_its_shops_catch_up_after() -> None:
    """Metro is closed on days 8 and 9 (05:00 departures fall inside): no metro truck leaves, the county's do, and
    the first metro round after the reopening brings the shops back up to their level."""
    closed = _stores_run('disruptions=[{kind="warehouse_closure", warehouse="metro", start_day=7.5, duration_days=2}]')
    trucks = closed.trips[closed.trips["stage"] == "store_delivery"]
    metro_days = set((trucks.loc[trucks["origin"] == "metro", "depart_h"] // 24).astype(int))
    county_days = set((trucks.loc[trucks["origin"] == "county", "depart_h"] // 24).astype(int))
    assert {8, 9} <= county_days and not {8, 9} & metro_days and 10 in metro_days
    orders = closed.store_orders
    assert orders is not None
    metro = orders[orders["regional"] == "metro"].groupby("day")["ordered"].sum()
    assert 8 not in metro.index and 9 not in metro.index
    assert metro[10] > metro[7]  # three days of sales to make up, not one
    balance = {k: np.asarray(v) for k, v in closed.unit_balance.items()}
    np.testing.assert_array_equal(balance["initial"] + balance["produced"], units_located(balance))


# --- the ledger and the channels --------------------------------------------------------------------------


def test_rows_are_tagged_by_channel() -> None:
    ledger = _stores_run().ledger
    by_stage = ledger.groupby("stage", observed=True)["channel"].unique()
    assert list(by_stage["store"]) == ["store"] and list(by_stage["store_delivery"]) == ["store"]
    assert list(by_stage["last_mile"]) == ["online"]
    regional = ledger[ledger["stage"] == "regional_warehouse"]
    assert (regional.loc[regional["component"] == "store_pick", "channel"] == "store").all()
    assert (regional.loc[regional["component"] == "pick_pack", "channel"] == "online").all()
    assert (regional.loc[regional["component"] == "handling_in", "channel"] == "shared").all()
    assert channel_of("factory_to_central", "vehicle_distance") == "shared"
    assert channel_of("central_warehouse", "storage") == "shared"


def test_channel_totals_sum_to_the_network_total() -> None:
    summary = _stores_run().summary
    channels = summary["channels"]
    online, store = channels["online"], channels["store"]
    network = channels["network_total_cost"]
    assert math.isclose(online["total_cost"] + store["total_cost"], network, rel_tol=1e-12)
    assert math.isclose(online["unit_share"] + store["unit_share"], 1.0, rel_tol=1e-12)
    # The headline is the online view: its total is the online channel's total, per online parcel.
    assert math.isclose(summary["total_cost"], online["total_cost"], rel_tol=1e-12)
    assert online["units"] == summary["parcels"]["ordered"]
    assert math.isclose(summary["cost_per_parcel"]["total"], online["cost_per_unit"], rel_tol=1e-12)
    assert set(summary["cost_by_stage"]) == set(PARCEL_STAGES)
    stores = channels["stores"]
    assert store["units"] == stores["units_demanded"] == stores["units_sold"] + stores["units_lost"]
    # Shops are cheaper per unit than parcels to the door.
    assert store["cost_per_unit"] < online["cost_per_unit"]
    assert math.isclose(sum(store["cost_per_unit_by_stage"].values()), store["cost_per_unit"], rel_tol=1e-9)
    assert math.isclose(channels["network_co2e_kg"], online["co2e_kg"] + store["co2e_kg"], rel_tol=1e-12)


def test_channel_summary_on_a_synthetic_ledger() -> None:
    ledger = pd.DataFrame({
        "stage": ["last_mile", "store_delivery", "central_warehouse", "regional_warehouse"],
        "component": ["driver_time", "driver_time", "storage", "pick_pack"],
        "amount": [100.0, 30.0, 60.0, 10.0],
    })
    ledger["channel"] = [channel_of(s, c) for s, c in zip(ledger["stage"], ledger["component"], strict=True)]
    out = channel_summary(ledger, online_units=20, store_units=10)  # shared 60 split 2:1
    assert out["online"]["allocated_shared_cost"] == pytest.approx(40.0)
    assert out["online"]["total_cost"] == pytest.approx(150.0)
    assert out["store"]["total_cost"] == pytest.approx(50.0)
    assert out["store"]["cost_per_unit"] == pytest.approx(5.0)
    assert out["store"]["store_delivery_cost_per_unit"] == pytest.approx(3.0)
    assert out["online"]["last_mile_share"] == pytest.approx(100.0 / 150.0)
    assert out["network_total_cost"] == pytest.approx(200.0)


def test_without_stores_the_headline_is_the_plain_ledger() -> None:
    """No shops: no channels key, and every headline number is the plain group-by of the window's ledger."""
    result = short_run()
    summary = result.summary
    assert "channels" not in summary and result.store_sales is None
    assert "in_stores" not in result.unit_balance
    assert not result.ledger["channel"].isin(["store"]).any()
    plain = cost_summary(window_ledger(result.ledger, *result.window), summary["parcels"]["ordered"],
                         summary["parcels"]["delivered"])
    for key, value in plain.items():
        assert summary[key] == value, key
    assert "channel" not in result.cost_table()
    assert "sales channels" not in format_summary(summary, "t", "USD")


# --- directions ----------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_higher_shelf_level_raises_fill_rate_and_holding_cost() -> None:
    low = _stores_run("regional_warehouses.metro.stores.order_up_to_days=1.2",
                      "regional_warehouses.county.stores.order_up_to_days=1.2")
    high = _stores_run("regional_warehouses.metro.stores.order_up_to_days=4",
                       "regional_warehouses.county.stores.order_up_to_days=4")
    assert high.summary["channels"]["stores"]["fill_rate"] > low.summary["channels"]["stores"]["fill_rate"]
    assert _in_window(high, "store") > _in_window(low, "store")


def test_more_units_per_shop_lowers_the_delivery_cost_per_unit() -> None:
    """Consolidation: the same shops and trucks' rounds carry more units."""
    small = _stores_run("regional_warehouses.metro.stores.units_per_store_per_day=20",
                        "regional_warehouses.county.stores.units_per_store_per_day=15")
    large = _stores_run()
    per_unit = [r.summary["channels"]["store"]["store_delivery_cost_per_unit"] for r in (small, large)]
    assert per_unit[1] < per_unit[0]


def test_same_seed_same_store_results_other_seed_other_results() -> None:
    first = _stores_run()
    again = run(short_scenario(*STORES), seed=1)  # a fresh run, not the cached one
    assert again.summary["channels"] == first.summary["channels"]
    assert again.store_sales is not None and first.store_sales is not None
    pd.testing.assert_frame_equal(again.store_sales, first.store_sales)
    other = _stores_run(seed=2)
    assert other.summary["channels"]["stores"] != first.summary["channels"]["stores"]


def test_the_console_report_shows_the_channels() -> None:
    text = format_summary(_stores_run().summary, "t", "USD")
    assert "sales channels" in text and "store" in text and "network" in text


# --- pure helpers -------------------------------------------------------------------------------------------


def test_share_out_ships_what_is_wanted_or_a_fair_share() -> None:
    wanted = np.array([[5, 1], [3, 0], [2, 4]])
    filled = share_out(wanted, np.array([4, 10]))
    assert filled[:, 1].tolist() == [1, 0, 4]  # enough: all of it
    assert filled[:, 0].sum() == 4 and (filled[:, 0] <= wanted[:, 0]).all()
    assert filled[:, 0].tolist() == [2, 1, 1]  # 5:3:2 of 4 = 2.0, 1.2, 0.8: the last unit to the largest remainder
    assert share_out(wanted, np.array([0, 0])).sum() == 0


def test_load_trucks_keeps_tour_order_capacity_and_every_unit() -> None:
    volume = np.array([1.0, 2.0])
    filled = np.array([[3, 1], [0, 0], [10, 10], [2, 0]])  # shop 2 needs 30 m3: more than a 12 m3 truck
    tour = np.array([3, 0, 1, 2])
    trucks = load_trucks(tour, filled, volume, 12.0)
    carried = np.zeros_like(filled)
    order = []
    for truck in trucks:
        assert sum(float(load @ volume) for _, load in truck) <= 12.0 + 1e-9
        for shop, load in truck:
            carried[shop] += load
            order.append(shop)
    np.testing.assert_array_equal(carried, filled)
    assert 1 not in order  # nothing to deliver, no stop
    # Shops 3 and 0 share a truck; shop 2 fills two trucks of its own (10 + 1, then 6 of product 1), then 3 left.
    assert [[shop for shop, _ in truck] for truck in trucks] == [[3, 0], [2], [2], [2]]
    assert [load.tolist() for _, load in trucks[1] + trucks[2] + trucks[3]] == [[10, 1], [0, 6], [0, 3]]


# --- validation --------------------------------------------------------------------------------------------


def test_the_example_gives_every_area_shops() -> None:
    scenario = load_scenario(ROOT / "scenarios" / "examples" / "upstream" / "channel_stores.toml")
    assert scenario.name == "channel_stores"
    for warehouse in scenario.regional_warehouses:
        assert warehouse.stores is not None
        # Shop sales of the same order as online orders, and both in the stock levels' demand.
        ratio = warehouse.stores.expected_units_per_day / warehouse.area.expected_orders_per_day
        assert 0.5 <= ratio <= 2.0
        assert warehouse.expected_units_per_day == pytest.approx(
            warehouse.area.expected_orders_per_day + warehouse.stores.expected_units_per_day)


def test_a_bad_stores_value_names_the_key_path() -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(BASELINE, ["regional_warehouses.metro.stores.count=0",
                                 "regional_warehouses.metro.stores.units_per_store_per_day=10"])
    message = str(info.value)
    assert "regional_warehouses[0](metro).stores.count = 0" in message and "greater than or equal to 1" in message
    assert len(message.splitlines()) == 1
    with pytest.raises(ScenarioError) as info:
        load_scenario(BASELINE, ["regional_warehouses.county.stores.count=3"])
    assert "regional_warehouses[2](county).stores.units_per_store_per_day: required key is missing" in str(info.value)
    with pytest.raises(ScenarioError) as info:
        load_scenario(BASELINE, ["regional_warehouses.county.stores.count=3",
                                 "regional_warehouses.county.stores.units_per_store_per_day=10",
                                 "regional_warehouses.county.stores.delivery_weekdays=[]"])
    assert "regional_warehouses[2](county).stores" in str(info.value) and "delivery_weekdays" in str(info.value)
