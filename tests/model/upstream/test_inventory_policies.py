"""Inventory policies: what each orders at a review, how scenarios configure them, and what they do in the chain.

Unit tests drive the policy classes and the StockPoint directly; the model tests
run the short baseline (3 + 7 days) with one warehouse's policy replaced through
a ``--set`` override, which replaces the whole ``inventory`` table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim import ScenarioError, load_scenario, run
from sim.ledger import CostLedger
from sim.metrics import parcel_summary
from sim.model.context import SimContext
from sim.model.network import SupplyChain
from sim.model.products import ProductTable
from sim.model.upstream.policies import (
    BaseStockReorder,
    RQReorder,
    SSReorder,
    StockPolicy,
    TQReorder,
    TSReorder,
    make_policy,
)
from sim.model.upstream.stock import StockPoint
from sim.records import FINAL_STATES, INVENTORY_COLUMNS, RunRecords, rows_to_frame
from sim.scenario.schema import BaseStockPolicy, RQPolicy, SSPolicy, TQPolicy, TSPolicy
from sim.tables import parcel_frame
from tests.conftest import BASELINE, units_located

HORIZON = ("horizon.warmup_days=3", "horizon.days=7")
NAMES = ("standard", "bulky", "fragile", "perishable")
REGIONALS = ("metro", "suburb", "county")


# --- the policy classes ---------------------------------------------------------------


def test_ss_levels_in_days_or_units_plus_safety_stock() -> None:
    demand = np.array([10.0, 2.5])
    days = SSReorder(SSPolicy(reorder_point_days=3, order_up_to_days=7, safety_stock_days=1), demand)
    np.testing.assert_array_equal(days.s, [40, 11])  # ceil(3 x 2.5) = 8, plus ceil(1 x 2.5) = 3
    np.testing.assert_array_equal(days.big_s, [80, 21])
    np.testing.assert_array_equal(days.initial_stock(), [80, 21])  # defaults to S, safety included
    units = SSReorder(SSPolicy(reorder_point_units={"a": 30, "b": 5}, order_up_to_units=60), demand, ["a", "b"])
    np.testing.assert_array_equal(units.s, [30, 5])
    np.testing.assert_array_equal(units.big_s, [60, 60])
    np.testing.assert_array_equal(units.order_quantity(np.array([30, 6])), [30, 0])


def test_base_stock_and_ts_order_up_to_the_level() -> None:
    demand = np.array([10.0, 4.0])
    base = BaseStockReorder(BaseStockPolicy(level_days=2, initial_stock_units=7), demand)
    np.testing.assert_array_equal(base.level, [20, 8])
    np.testing.assert_array_equal(base.initial_stock(), [7, 7])
    np.testing.assert_array_equal(base.order_quantity(np.array([25, -3])), [0, 11])
    assert not base.continuous and base.review_period_days == 1
    ts = TSReorder(TSPolicy(review_period_days=3, order_up_to_units={"a": 50, "b": 9}), demand, ["a", "b"])
    np.testing.assert_array_equal(ts.order_quantity(np.array([12, 9])), [38, 0])
    assert not ts.continuous and ts.review_period_days == 3


def test_rq_orders_the_fewest_lots_that_lift_the_position_above_r() -> None:
    policy = RQReorder(RQPolicy(reorder_point_units=10, order_quantity_units=5), np.array([1.0]))
    assert policy.continuous
    positions = np.array([11, 10, 6, 5, -7, 15])
    quantity = np.array([int(policy.order_quantity(np.array([p]))[0]) for p in positions])
    np.testing.assert_array_equal(quantity, [0, 5, 5, 10, 20, 0])
    assert (quantity % 5 == 0).all()
    assert ((positions + quantity > 10) | (quantity == 0)).all()
    assert ((positions + quantity - 5 <= 10) | (quantity == 0)).all()  # one lot fewer would not be enough
    np.testing.assert_array_equal(policy.initial_stock(), [15])  # r + Q


def test_rq_in_days_of_demand_and_tq_reviews_every_t_days() -> None:
    demand = np.array([100.0, 3.0])
    rq = make_policy(RQPolicy(reorder_point_days=2, order_quantity_days=0.1, safety_stock_days=0.5), demand)
    assert isinstance(rq, RQReorder)
    np.testing.assert_array_equal(rq.r, [250, 8])  # ceil(2 x 3) + ceil(0.5 x 3)
    np.testing.assert_array_equal(rq.q, [10, 1])  # a lot is at least one unit
    tq = make_policy(TQPolicy(review_period_days=4, reorder_point_units=20, order_quantity_units=8), demand)
    assert isinstance(tq, TQReorder) and not tq.continuous and tq.review_period_days == 4
    np.testing.assert_array_equal(tq.order_quantity(np.array([20, 21])), [8, 0])
    np.testing.assert_array_equal(tq.order_quantity(np.array([3, -20])), [24, 48])


def test_stock_policy_combines_a_default_with_per_product_overrides() -> None:
    demand = np.array([100.0, 10.0, 20.0, 5.0])
    policy = StockPolicy.for_warehouse(
        SSPolicy(reorder_point_days=3, order_up_to_days=7),
        {"bulky": RQPolicy(reorder_point_units=40, order_quantity_units=60),
         "perishable": TSPolicy(review_period_days=2, order_up_to_days=4, stockout="lost_sales")},
        demand, NAMES,
    )
    np.testing.assert_array_equal(policy.continuous, [False, True, False, False])
    np.testing.assert_array_equal(policy.lost_sales, [False, False, False, True])
    np.testing.assert_array_equal(policy.initial_stock(), [700, 100, 140, 20])
    position = np.array([300, 40, 61, 3])
    # standard: S - position = 400; bulky: one lot of 60; fragile above s = 60; perishable: up to 20.
    np.testing.assert_array_equal(policy.order_quantity(position), [400, 60, 0, 17])
    np.testing.assert_array_equal(policy.due(0), [True, False, True, True])
    np.testing.assert_array_equal(policy.due(1), [True, False, True, False])
    # One policy for every product computes exactly what the policy alone does.
    alone = SSReorder(SSPolicy(reorder_point_days=3, order_up_to_days=7), demand)
    together = StockPolicy.for_warehouse(SSPolicy(reorder_point_days=3, order_up_to_days=7), {}, demand, NAMES)
    np.testing.assert_array_equal(together.order_quantity(position), alone.order_quantity(position))


def _stock_point(policy: Any, n: int = 2) -> StockPoint:
    ctx: Any = SimpleNamespace(env=SimpleNamespace(now=0.0), ledger=CostLedger())
    one = np.ones(n)
    products = ProductTable(names=NAMES[:n], share=one / n, unit_value=one, volume_m3=one * 0.01, weight_kg=one,
                            handling_multiplier=one, holding_rate_per_year=one * 0.25, service_time_multiplier=one)
    return StockPoint(ctx, "test", "regional_warehouse", products, policy, 0.0)


def test_stock_point_reviews_the_position_net_of_backorders() -> None:
    stock = _stock_point(BaseStockReorder(BaseStockPolicy(level_units=10), np.ones(2)))
    stock.remove(0, 10)
    stock.on_order[1] = 4
    backorders = np.array([3, 0])
    np.testing.assert_array_equal(stock.position(backorders), [-3, 14])
    np.testing.assert_array_equal(stock.reorder(backorders, np.array([True, False])), [13, 0])  # masked review
    np.testing.assert_array_equal(stock.on_order, [13, 4])
    stock.cancel(0, 5)
    np.testing.assert_array_equal(stock.on_order, [8, 4])
    np.testing.assert_array_equal(stock.cancelled, [5, 0])
    assert stock.review_product(backorders, 0) is None  # a daily policy is not reviewed at events


def test_stock_point_reviews_continuous_products_at_events() -> None:
    stock = _stock_point(RQReorder(RQPolicy(reorder_point_units=5, order_quantity_units=4), np.ones(2)))
    assert stock.continuous == [True, True]
    stock.remove(1, 5)  # 9 -> 4: at or below r
    quantity = stock.review_product(np.zeros(2, dtype=np.int64), 1)
    assert quantity is not None
    np.testing.assert_array_equal(quantity, [0, 4])
    assert stock.review_product(np.zeros(2, dtype=np.int64), 0) is None  # product 0 is above r


# --- validation -------------------------------------------------------------------------


def _error(*overrides: str) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(BASELINE, overrides)
    return str(info.value)


METRO = "regional_warehouses.metro"


@pytest.mark.parametrize(
    ("override", "fragments"),
    [
        (f'{METRO}.inventory={{policy="RQ", reorder_point_days=2, reorder_point_units=300, order_quantity_days=1}}',
         ["regional_warehouses[0](metro).inventory", "reorder_point_days and reorder_point_units are both given"]),
        (f'{METRO}.inventory={{policy="RQ", order_quantity_units=50}}',
         ["reorder_point_days or reorder_point_units is required"]),
        (f'{METRO}.inventory={{policy="base_stock"}}', ["level_days or level_units is required"]),
        (f'{METRO}.inventory={{policy="TS", review_period_days=2, order_up_to_days=3, order_up_to_units=9}}',
         ["order_up_to_days and order_up_to_units are both given"]),
        (f'{METRO}.inventory={{policy="TQ", reorder_point_days=2, order_quantity_days=1}}',
         ["review_period_days", "required key is missing"]),
        (f'{METRO}.inventory={{policy="TS", review_period_days=0, order_up_to_days=3}}',
         ["review_period_days = 0", "greater than or equal to 1"]),
        (f"{METRO}.inventory.initial_stock_units=5", ["initial_stock_days and initial_stock_units are both given"]),
        (f'{METRO}.inventory.stockout="maybe"', ["stockout = 'maybe'", "'backorder' or 'lost_sales'"]),
        (f'{METRO}.inventory={{policy="Ss", level_days=2}}', ["'sS', 'base_stock', 'RQ', 'TS', 'TQ'"]),
        (f'{METRO}.inventory={{policy="RQ", reorder_point_units={{standard=300, bulky=40}}, order_quantity_days=1}}',
         ["regional warehouse 'metro': inventory.reorder_point_units has no value for ['fragile', 'perishable']"]),
        (f'{METRO}.inventory={{policy="base_stock", level_units={{standard=9, bulky=9, fragile=9, perishable=9, '
         f'gizmo=9}}}}', ["inventory.level_units names unknown products ['gizmo']"]),
        (f'{METRO}.inventory_by_product={{gadget={{policy="RQ", reorder_point_days=2, order_quantity_days=1}}}}',
         ["regional warehouse 'metro': inventory_by_product has unknown products ['gadget']"]),
        (f'{METRO}.inventory_by_product={{bulky={{policy="RQ", reorder_point_units={{standard=3}}, '
         f'order_quantity_days=1}}}}', ["inventory_by_product.bulky.reorder_point_units has no value for ['bulky']"]),
        ('central_warehouses.central.inventory={policy="sS", reorder_point_units=50, order_up_to_units=50}',
         ["central_warehouses[0](central).inventory", "order_up_to_units must be greater than reorder_point_units"]),
        ('central_warehouses.central.inventory_by_product={perishable={policy="RQ"}}',
         ["reorder_point_days or reorder_point_units is required"]),
    ],
)
def test_bad_inventory_configurations_are_rejected_with_the_key(override: str, fragments: list[str]) -> None:
    message = _error(override)
    for fragment in fragments:
        assert fragment in message, message


def test_levels_in_units_need_only_the_products_the_policy_governs() -> None:
    scenario = load_scenario(BASELINE, [
        f'{METRO}.inventory={{policy="RQ", reorder_point_units={{standard=300, fragile=50, perishable=40}}, '
        'order_quantity_units=100}',
        f'{METRO}.inventory_by_product={{bulky={{policy="TQ", review_period_days=2, reorder_point_units=40, '
        'order_quantity_units=30}}',
    ])
    metro = scenario.regional_warehouses[0]
    assert isinstance(metro.inventory, RQPolicy) and isinstance(metro.inventory_by_product["bulky"], TQPolicy)


# --- in the full chain --------------------------------------------------------------------


@dataclass
class ChainRun:
    """A short run kept open: the model objects as well as the tables."""

    chain: SupplyChain
    records: RunRecords
    parcels: pd.DataFrame
    summary: dict[str, Any]
    requests: list[tuple[float, str, np.ndarray]]  # (time, regional, quantity) of every regional order


@cache
def chain_run(*overrides: str, seed: int = 1) -> ChainRun:
    """Build and run the short baseline by hand (as ``run`` does), recording every regional order."""
    ctx = SimContext.create(load_scenario(BASELINE, (*HORIZON, *overrides)), seed, 0)
    chain = SupplyChain(ctx)
    requests: list[tuple[float, str, np.ndarray]] = []
    for central in chain.centrals.values():
        original = central.request

        def recorded(regional: Any, quantity: np.ndarray, _original: Any = original) -> None:
            requests.append((ctx.env.now, regional.name, quantity.copy()))
            _original(regional, quantity)

        central.request = recorded  # type: ignore[method-assign]
    ctx.env.run(until=ctx.window_end_h + 1e-9)
    records = chain.finish()
    parcels = parcel_frame(records, ctx.scenario)
    return ChainRun(chain, records, parcels, parcel_summary(parcels), requests)


def _assert_conserved(result: ChainRun) -> None:
    b = {k: np.asarray(v) for k, v in result.records.unit_balance.items()}
    located = units_located(b)
    np.testing.assert_array_equal(b["initial"] + b["produced"], located)
    counts = result.summary["parcels"]
    assert counts["ordered"] == sum(counts[state] for state in FINAL_STATES)
    parcels = result.parcels
    holding = ~parcels["detail_state"].isin(["awaiting_stock", "lost"])
    np.testing.assert_array_equal(
        np.bincount(parcels.loc[holding, "product"].cat.codes, minlength=len(NAMES)), b["in_parcels"]
    )


def _assert_regional_on_order_is_in_the_pipeline(result: ChainRun) -> None:
    """What a regional warehouse counts as on order is exactly on the dock, on the road or backordered for it."""
    for central in result.chain.centrals.values():
        owed: dict[str, np.ndarray] = {}
        for regional, product, units in central.backorders:
            owed.setdefault(regional.name, np.zeros(len(NAMES), dtype=np.int64))[product] += units
        for regional in result.chain.regionals:
            lane = central.outbound[regional.name]
            pipeline = lane.queued_units + lane.in_transit + owed.get(regional.name, 0)
            np.testing.assert_array_equal(regional.stock.on_order, pipeline, err_msg=regional.name)


COUNTY_LOST = 'regional_warehouses.county.inventory={policy="base_stock", level_days=0.7, stockout="lost_sales"}'


def test_lost_sales_at_a_regional_warehouse_end_the_order_and_take_no_unit() -> None:
    result = chain_run(COUNTY_LOST)
    _assert_conserved(result)
    counts, stock = result.summary["parcels"], result.summary["stock"]
    assert counts["lost_sale"] > 0
    parcels = result.parcels
    lost = parcels[parcels["state"] == "lost_sale"]
    assert (lost["regional"] == "county").all() and (lost["detail_state"] == "lost").all()
    assert not lost["backordered"].any() and lost["picked_time_h"].isna().all()
    county = result.chain.regionals[2]
    assert int(county.stock.lost.sum()) == len(lost)
    assert int(county.backorder_units.sum()) == 0 and not any(county.waiting_for_stock)
    assert math.isclose(stock["fill_rate"], 1 - stock["backordered_share"] - stock["lost_sale_share"])
    _assert_regional_on_order_is_in_the_pipeline(result)


CENTRAL_SHORT = ("factories.plant_south.capacity_units_per_day=60",)


def _central(stockout: str) -> str:
    return ('central_warehouses.central.inventory={policy="RQ", reorder_point_days=1, order_quantity_days=1, '
            f'initial_stock_days=1, stockout="{stockout}"}}')


def test_lost_sales_at_the_central_warehouse_cancel_the_regional_shortfall() -> None:
    result = chain_run(_central("lost_sales"), *CENTRAL_SHORT)
    _assert_conserved(result)
    central = result.chain.centrals["central"]
    assert central.stock.lost.sum() > 0 and not central.backorders and central.backorder_units.sum() == 0
    cancelled = sum(r.stock.cancelled for r in result.chain.regionals)
    np.testing.assert_array_equal(cancelled, central.stock.lost)
    _assert_regional_on_order_is_in_the_pipeline(result)
    # The same shortage with backorders owes the units instead of cancelling them.
    owed = chain_run(_central("backorder"), *CENTRAL_SHORT)
    _assert_conserved(owed)
    assert owed.chain.centrals["central"].backorder_units.sum() > 0
    assert sum(int(r.stock.cancelled.sum()) for r in owed.chain.regionals) == 0
    _assert_regional_on_order_is_in_the_pipeline(owed)


def test_continuous_review_keeps_the_position_in_its_band_and_orders_between_reviews() -> None:
    """Metro's bulky goods under (r, Q): every day's closing position lies in (r, r + Q]."""
    r, q = 40, 60
    override = (f'{METRO}.inventory_by_product={{bulky={{policy="RQ", reorder_point_units={r}, '
                f'order_quantity_units={q}}}}}')
    result = chain_run(override)
    _assert_conserved(result)
    metro = result.chain.regionals[0]
    np.testing.assert_array_equal(metro.stock.policy.continuous, [False, True, False, False])
    bulky = [(t, qty[1]) for t, name, qty in result.requests if name == "metro" and qty[1] > 0]
    assert bulky and all(units % q == 0 for _, units in bulky)
    assert any(t % 24.0 != 20.0 for t, _ in bulky)  # ordered when demand came, not at the review hour
    # The other products still wait for the daily review.
    others = [t for t, name, qty in result.requests if name == "metro" and qty[[0, 2, 3]].any()]
    assert others and all(t % 24.0 == 20.0 for t in others)
    inventory = rows_to_frame(result.records.inventory, INVENTORY_COLUMNS)
    daily = inventory[(inventory["facility"] == "metro") & (inventory["product"] == "bulky")]
    position = daily["on_hand"] + daily["on_order"] - daily["backorders"]
    assert ((position > r) & (position <= r + q)).all(), position.tolist()


def test_periodic_review_every_t_days_orders_only_on_review_days() -> None:
    override = 'regional_warehouses.county.inventory={policy="TS", review_period_days=3, order_up_to_days=5}'
    result = chain_run(override)
    _assert_conserved(result)
    county = [t for t, name, _ in result.requests if name == "county"]
    assert len(county) >= 2 and all(t % 24.0 == 20.0 and round(t // 24.0) % 3 == 0 for t in county)


def _base_stock_everywhere(level_days: float) -> list[str]:
    return [f'regional_warehouses.{name}.inventory={{policy="base_stock", level_days={level_days}}}'
            for name in REGIONALS]


def test_a_higher_base_stock_level_raises_fill_rate_and_holding_cost() -> None:
    low, high = (run(load_scenario(BASELINE, (*HORIZON, *_base_stock_everywhere(level))), seed=1)
                 for level in (2.0, 3.0))

    def holding(result: Any) -> float:
        table = result.cost_table()
        mask = (table["stage"] == "regional_warehouse") & (table["component"] == "inventory_holding")
        return float(table.loc[mask, "amount"].sum())

    assert high.summary["stock"]["fill_rate"] > low.summary["stock"]["fill_rate"]
    assert holding(high) > holding(low) > 0
    for result in (low, high):
        b = {k: np.asarray(v) for k, v in result.unit_balance.items()}
        np.testing.assert_array_equal(b["initial"] + b["produced"],
                                      units_located(b))


def test_ss_policy_orders_up_to_s_only_at_or_below_the_reorder_point() -> None:
    policy = SSReorder(SSPolicy(reorder_point_days=3, order_up_to_days=7), np.array([10.0, 2.5]))
    np.testing.assert_array_equal(policy.s, [30, 8])
    np.testing.assert_array_equal(policy.big_s, [70, 18])
    np.testing.assert_array_equal(policy.order_quantity(np.array([31, 8])), [0, 10])
    np.testing.assert_array_equal(policy.order_quantity(np.array([-5, 0])), [75, 18])
