"""The store channel of one regional warehouse: shops that sell from their shelves, refilled by store trucks.

Once a day, at the shops' closing hour, each shop's sales of the day are
settled at once (a daily bucket, ASSUMPTION): Poisson demand per shop and
product, sold from the shelf, the rest lost (ASSUMPTION: shoppers who find an
empty shelf buy elsewhere). On delivery days, when the store trucks leave, every
shop orders back up to its level; the regional warehouse fills what it has on
hand and cuts the rest (ASSUMPTION: shops are short-shipped, not backordered,
and simply order again on the next delivery day). The filled orders ride along
one nearest-neighbour tour from the warehouse, cut into as many trucks as their
volume needs.

Costs: case picking at the regional warehouse (stage ``regional_warehouse``,
component ``store_pick``), the trucks (stage ``store_delivery``: distance,
driver, vehicle-day and the holding cost of the goods on board) and the carrying
cost of the shops' shelves (stage ``store``). The shops' retail space is not
logistics cost and is not charged (ASSUMPTION).
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any, Final, TypeVar

import numpy as np
import simpy

from sim.ledger import Stage
from sim.model.context import SimContext
from sim.model.ports import ShopSupplier
from sim.model.travel import NetworkTravel
from sim.records import InventoryRecord, StoreOrderRecord, StoreSaleRecord, TripRecord
from sim.routing import nearest_neighbour_order

DELIVERY_STAGE: Final[Stage] = "store_delivery"
STORE_STAGE: Final[Stage] = "store"
PICK_STAGE: Final[Stage] = "regional_warehouse"
_EPS_M3 = 1e-9

Drop = tuple[int, np.ndarray]  # (shop index, units per product) unloaded at one stop
# The two per-product rows of a shop day, which share their shape: (day, time, warehouse, product, three counts).
ShopDayRecord = TypeVar("ShopDayRecord", StoreSaleRecord, StoreOrderRecord)


def share_out(wanted: np.ndarray, available: np.ndarray) -> np.ndarray:
    """Units per shop (rows) and product (columns) the warehouse ships: all that is wanted, or a fair share.

    A product the warehouse has too little of is shared in proportion to what
    each shop wants, rounded down; the units the rounding leaves go one each to
    the shops with the largest remainders (lowest index first on ties): the
    largest-remainder rounding of a proportional split, so no shop is favoured
    by its place in a list.
    """
    filled = wanted.copy()
    totals = wanted.sum(axis=0)
    for product in np.flatnonzero(totals > available).tolist():
        want = wanted[:, product]
        have = max(0, int(available[product]))
        share, remainder = np.divmod(want * have, int(totals[product]))
        left = have - int(share.sum())
        if left > 0:
            share[np.argsort(-remainder, kind="stable")[:left]] += 1
        filled[:, product] = share
    return filled


def _one_full_truck(drop: np.ndarray, unit_volume_m3: np.ndarray, capacity_m3: float) -> np.ndarray:
    """The part of a drop too big for one truck that fills a whole truck, product by product."""
    part = np.zeros_like(drop)
    room = capacity_m3
    for product in np.flatnonzero(drop).tolist():
        fits = min(int(drop[product]), math.floor(room / float(unit_volume_m3[product]) + 1e-9))
        part[product] = fits
        room -= fits * float(unit_volume_m3[product])
    if not part.any():  # a single unit larger than a truck still travels, alone
        part[int(np.flatnonzero(drop)[0])] = 1
    return part


def load_trucks(
    tour: np.ndarray, filled: np.ndarray, unit_volume_m3: np.ndarray, capacity_m3: float
) -> list[list[Drop]]:
    """Cut the tour's drops into truckloads: per truck, its drops in visiting order.

    A truck takes the next shops of the tour while their drops fit. A shop's drop
    is kept whole when it fits an empty truck; one larger than a truck first
    fills whole trucks of its own.
    """
    trucks: list[list[Drop]] = []
    current: list[Drop] = []
    volume = 0.0
    for shop in tour.tolist():
        drop = filled[shop].copy()
        if not drop.any():
            continue
        need = float(drop @ unit_volume_m3)
        if current and volume + need > capacity_m3 + _EPS_M3:
            trucks.append(current)
            current, volume = [], 0.0
        while need > capacity_m3 + _EPS_M3:
            part = _one_full_truck(drop, unit_volume_m3, capacity_m3)
            trucks.append([(shop, part)])
            drop = drop - part
            need = float(drop @ unit_volume_m3)
        if drop.any():
            current.append((shop, drop))
            volume += need
    if current:
        trucks.append(current)
    return trucks


class StoreNetwork:
    """The shops of one regional warehouse's area: their shelves, their daily sales and the trucks that refill them.

    Shelf stock is an array of shops x products. Public state read by the rest of
    the model: ``on_shelf`` and ``on_truck`` (units per shop and product),
    ``initial_units`` and ``sold`` (per product; the conservation identity's
    terms).
    """

    def __init__(self, ctx: SimContext, warehouse: ShopSupplier) -> None:
        config = warehouse.config.stores
        if config is None:
            raise ValueError(f"regional warehouse '{warehouse.name}' has no stores")
        self.ctx = ctx
        self.warehouse = warehouse
        self.config = config
        self.name = f"{warehouse.name}/stores"
        self.products = warehouse.products
        # Streams of their own: placing the shops and drawing their sales leave every other draw unchanged.
        self.sites = warehouse.geometry.sample_points(ctx.streams.get(f"stores/{warehouse.name}/sites"),
                                                      config.count)
        self.sales_rng = ctx.streams.get(f"stores/{warehouse.name}/sales")
        self.tour = nearest_neighbour_order(warehouse.geometry.depot_xy, self.sites)
        self.mean_sales = config.units_per_store_per_day * self.products.share  # one shop's mean day, per product
        self.level = np.ceil(config.order_up_to_days * self.mean_sales).astype(np.int64)
        initial_days = config.order_up_to_days if config.initial_stock_days is None else config.initial_stock_days
        initial = np.ceil(initial_days * self.mean_sales).astype(np.int64)
        self.on_shelf = np.tile(initial, (config.count, 1))
        self.on_truck = np.zeros_like(self.on_shelf)
        self.initial_units = self.on_shelf.sum(axis=0)
        self.sold = np.zeros(len(self.products), dtype=np.int64)
        weekday = np.asarray(ctx.scenario.demand.weekday_factors, dtype=float)
        # The shops' rate is the weekly mean, shaped by weekday like online orders (DemandModel.mean_orders).
        self.weekday_shape = weekday / weekday.mean()
        self._holding_per_unit_hour = self.products.holding_cost_per_unit_hour()
        self._unit_hours = np.zeros(len(self.products))
        self._since = 0.0
        ctx.env.process(self._daily_loop())

    # --- the day ----------------------------------------------------------------------

    def _daily_loop(self) -> Generator[simpy.Event, Any, None]:
        """Each day: the trucks leave (on delivery days), and the shops' sales are settled at closing."""
        env = self.ctx.env
        config = self.config
        # At the same hour the trucks leave first: a fixed order, so runs stay deterministic.
        moments = sorted(((config.depart_hour, 0), (config.sales_close_hour, 1)))
        for day in range(self.ctx.days):
            for hour, what in moments:
                yield env.timeout(day * 24.0 + hour - env.now)
                if what == 1:
                    self._settle_sales(day)
                elif self.ctx.weekday(day) in config.delivery_weekdays and not self.warehouse.is_closed():
                    # A closed warehouse loads no store truck: the shops wait for the next delivery day.
                    self._replenish(day)

    def _settle_sales(self, day: int) -> None:
        """The day's sales of every shop: Poisson demand, sold from the shelf, the rest lost."""
        shape = float(self.weekday_shape[self.ctx.weekday(day)]) * self.warehouse.demand.day_factor(day)
        demanded = self.sales_rng.poisson(self.mean_sales * shape, size=self.on_shelf.shape)
        self._integrate()
        sold = np.minimum(demanded, self.on_shelf)
        self.on_shelf -= sold
        self.sold += sold.sum(axis=0)
        self.ctx.recorder.store_sales.extend(self._per_product(
            StoreSaleRecord, day, demanded.sum(axis=0), sold.sum(axis=0), (demanded - sold).sum(axis=0)))

    def _replenish(self, day: int) -> None:
        """Every shop orders up to its level; the warehouse ships what it has, picks it and loads the trucks."""
        ctx = self.ctx
        stock = self.warehouse.stock
        wanted = np.maximum(self.level - self.on_shelf - self.on_truck, 0)
        filled = share_out(wanted, stock.on_hand)
        shipped = filled.sum(axis=0)
        ordered = wanted.sum(axis=0)
        touched = np.flatnonzero(shipped).tolist()
        for product in touched:
            stock.remove(product, int(shipped[product]))
        ctx.recorder.store_orders.extend(self._per_product(StoreOrderRecord, day, ordered, shipped, ordered - shipped))
        pick = self.config.pick_cost_per_unit * float(shipped @ self.products.handling_multiplier)
        ctx.ledger.post(ctx.env.now, PICK_STAGE, "store_pick", self.warehouse.name, pick)
        # Units leaving the shelf are a demand event for the warehouse's continuous review.
        for product in touched:
            self.warehouse.review_product(product)
        self.on_truck += filled
        for drops in load_trucks(self.tour, filled, self.products.volume_m3, self.config.truck_capacity_m3):
            ctx.env.process(self._truck(drops))

    def _truck(self, drops: list[Drop]) -> Generator[simpy.Event, Any, None]:
        """One store truck: out along its part of the tour, unloading at each shop, and back to the warehouse.

        The round is timed when it leaves, on the expected traffic of each leg's
        hour that day (the truck draws no random numbers), and its costs are
        posted then, as a line-haul trip's are. The driver is paid from departure
        to return; loading is part of the case-picking cost (ASSUMPTION).
        """
        ctx = self.ctx
        env = ctx.env
        config = self.config
        area = self.warehouse.config.area
        geometry = self.warehouse.geometry
        traffic = self.warehouse.traffic
        depart = env.now
        clock = depart
        home_x, home_y = float(geometry.depot_xy[0]), float(geometry.depot_xy[1])
        x, y = home_x, home_y
        km = 0.0
        arrivals: list[float] = []
        for position, (shop, _) in enumerate(drops):
            to_x, to_y = float(self.sites[shop, 0]), float(self.sites[shop, 1])
            leg_km = geometry.road_km(x, y, to_x, to_y)
            # As the couriers' vans: the stem from the warehouse at the stem speed, legs between shops at the
            # area's free-flow speed (ASSUMPTION: a box truck keeps a van's speeds); on a road network or a
            # matrix, the leg's free-flow hours.
            speed = area.stem_speed_kmh if position == 0 else area.free_flow_speed_kmh
            clock += _free_flow_h(geometry.travel, leg_km, speed, x, y, to_x, to_y) * traffic.mean_multiplier(clock)
            km += leg_km
            arrivals.append(clock)
            clock += config.unload_minutes_per_stop / 60.0
            x, y = to_x, to_y
        back_km = geometry.road_km(x, y, home_x, home_y)
        clock += _free_flow_h(geometry.travel, back_km, area.stem_speed_kmh, x, y, home_x, home_y) * (
            traffic.mean_multiplier(clock))
        km += back_km
        hours = clock - depart
        vehicle = km * config.cost_per_km
        driver = hours * config.driver_cost_per_hour
        # Every started day of the round is a vehicle-day (one round a day in practice).
        fixed = config.fixed_cost_per_vehicle_day * max(1, math.ceil(hours / 24.0 - 1e-9))
        ctx.ledger.post(depart, DELIVERY_STAGE, "vehicle_distance", self.name, vehicle)
        ctx.ledger.post(depart, DELIVERY_STAGE, "driver_time", self.name, driver)
        ctx.ledger.post(depart, DELIVERY_STAGE, "vehicle_fixed", self.name, fixed)
        co2e = km * config.co2e_kg_per_km
        ctx.emissions.post(depart, DELIVERY_STAGE, "vehicle_distance", self.name, co2e)
        units = sum((load for _, load in drops), np.zeros(len(self.products), dtype=np.int64))
        volume = float(units @ self.products.volume_m3)
        trips = ctx.recorder.trips
        trips.append(TripRecord(len(trips), DELIVERY_STAGE, self.warehouse.name, self.name, depart, arrivals[-1],
                                int(units.sum()), volume, volume / config.truck_capacity_m3, km,
                                vehicle + driver + fixed, co2e, "truck", len(drops),
                                0.0))  # picked for the truck as it leaves: no wait on a dock
        for (shop, load), arrive in zip(drops, arrivals, strict=True):
            yield env.timeout(arrive - env.now)
            # Goods on the truck are still the company's stock: holding cost up to their drop, as on line-haul.
            holding = float(load @ self._holding_per_unit_hour) * (env.now - depart)
            ctx.ledger.post(env.now, DELIVERY_STAGE, "inventory_holding", self.name, holding)
            self._integrate()
            self.on_truck[shop] -= load
            self.on_shelf[shop] += load

    # --- bookkeeping ---------------------------------------------------------------------

    def _integrate(self) -> None:
        """Add the shelves' unit-hours since the last change (exact area under the stock curve, as StockPoint)."""
        now = self.ctx.env.now
        if now > self._since:
            self._unit_hours += self.on_shelf.sum(axis=0) * (now - self._since)
            self._since = now

    def post_costs(self) -> None:
        """Post the carrying cost of the shelves accrued since the last posting."""
        self._integrate()
        holding = float(self._unit_hours @ self._holding_per_unit_hour)
        self.ctx.ledger.post(self.ctx.env.now, STORE_STAGE, "inventory_holding", self.name, holding)
        self._unit_hours = np.zeros_like(self._unit_hours)

    def inventory_rows(self, day: int) -> list[InventoryRecord]:
        """Rows of the inventory snapshot: units on the shelves (on hand) and on the trucks (on order)."""
        shelf = self.on_shelf.sum(axis=0)
        truck = self.on_truck.sum(axis=0)
        return [InventoryRecord(day, self.name, name, int(shelf[p]), int(truck[p]), 0)
                for p, name in enumerate(self.products.names)]

    def units_held(self) -> np.ndarray:
        """Units per product on the shelves and on the trucks."""
        return self.on_shelf.sum(axis=0) + self.on_truck.sum(axis=0)

    def _per_product(
        self, kind: type[ShopDayRecord], day: int, first: np.ndarray, second: np.ndarray, third: np.ndarray
    ) -> list[ShopDayRecord]:
        """One row of ``kind`` per product, stamped now: the day's three counts of each product."""
        now = self.ctx.env.now
        return [kind(day, now, self.warehouse.name, name, int(first[p]), int(second[p]), int(third[p]))
                for p, name in enumerate(self.products.names)]


def _free_flow_h(travel: NetworkTravel | None, km: float, speed_kmh: float, x0: float, y0: float, x1: float,
                 y1: float) -> float:
    """Free-flow hours of a truck leg: ``km / speed_kmh`` under the circuity model, else the network's hours."""
    if travel is None:
        return km / speed_kmh
    return float(travel.legs(np.array([[x0, y0]]), np.array([[x1, y1]]))[1][0])
