"""The shops driven through their port alone: a stand-in warehouse of a few lines, no regional warehouse."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim import load_scenario
from sim.model.context import SimContext
from sim.model.demand import DemandModel
from sim.model.geography import AreaGeometry
from sim.model.products import ProductTable
from sim.model.upstream.stores import StoreNetwork
from sim.scenario.schema import RegionalWarehouse
from tests.conftest import BASELINE

STORES = ("regional_warehouses.metro.stores.count=3", "regional_warehouses.metro.stores.units_per_store_per_day=20",
          "horizon.warmup_days=0", "horizon.days=7")


class Shelf:
    """A warehouse shelf that counts what leaves it."""

    def __init__(self, units: np.ndarray) -> None:
        self.on_hand = units.copy()
        self.taken = np.zeros_like(units)

    def remove(self, product: int, units: int) -> None:
        assert units <= self.on_hand[product]
        self.on_hand[product] -= units
        self.taken[product] += units


class FreeRoads:
    """No congestion."""

    def mean_multiplier(self, time_h: float, exposure: float = 1.0) -> float:
        return 1.0


@dataclass
class StandInWarehouse:
    """Everything ``ShopSupplier`` asks for, and a log of the reviews the shops trigger."""

    name: str
    config: RegionalWarehouse
    products: ProductTable
    geometry: AreaGeometry
    demand: DemandModel
    stock: Shelf
    traffic: FreeRoads = field(default_factory=FreeRoads)
    closed: bool = False
    reviews: list[int] = field(default_factory=list)

    def is_closed(self) -> bool:
        return self.closed

    def review_product(self, product: int) -> None:
        self.reviews.append(product)


def shops(closed: bool = False, units: int = 10_000) -> tuple[SimContext, StandInWarehouse, StoreNetwork]:
    scenario = load_scenario(BASELINE, STORES)
    ctx = SimContext.create(scenario, seed=1, replication=0)
    config = next(r for r in scenario.regional_warehouses if r.name == "metro")
    products = ProductTable.from_scenario(scenario)
    geometry = AreaGeometry(config.area, ctx.streams.get("geography/metro"))
    warehouse = StandInWarehouse(
        name="metro", config=config, products=products, geometry=geometry,
        demand=DemandModel(config.area, scenario.demand, products, geometry),
        stock=Shelf(np.full(len(products), units, dtype=np.int64)), closed=closed,
    )
    network = StoreNetwork(ctx, warehouse)
    ctx.env.run(until=ctx.window_end_h)
    return ctx, warehouse, network


def test_the_shops_draw_on_the_warehouse_shelf_and_ask_for_reviews() -> None:
    ctx, warehouse, network = shops()
    shipped = sum(row.shipped for row in ctx.recorder.store_orders)
    assert shipped > 0
    assert int(warehouse.stock.taken.sum()) == shipped
    assert set(warehouse.reviews) == set(np.flatnonzero(warehouse.stock.taken).tolist())
    # Units are conserved between the warehouse's shelf, the shops' shelves and trucks, and what was sold.
    np.testing.assert_array_equal(network.initial_units + warehouse.stock.taken, network.units_held() + network.sold)
    trips = [trip for trip in ctx.recorder.trips if trip.stage == "store_delivery"]
    assert trips and all(trip.origin == "metro" and trip.destination == "metro/stores" for trip in trips)


def test_a_closed_warehouse_sends_no_store_truck() -> None:
    ctx, warehouse, _ = shops(closed=True)
    assert ctx.recorder.store_orders == [] and ctx.recorder.trips == []
    assert warehouse.reviews == [] and not warehouse.stock.taken.any()
    assert ctx.recorder.store_sales  # the shops still sell from their shelves


def test_an_empty_warehouse_cuts_every_order() -> None:
    ctx, warehouse, _ = shops(units=0)
    orders = ctx.recorder.store_orders
    assert orders and all(row.shipped == 0 and row.cut == row.ordered for row in orders)
    assert warehouse.reviews == []
