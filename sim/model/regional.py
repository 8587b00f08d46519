"""A regional warehouse: customer orders arrive, stock is reserved or backordered, orders are picked."""

from __future__ import annotations

from collections import deque
from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from sim.model.central import CentralDC
from sim.model.context import SimContext
from sim.model.demand import DemandModel
from sim.model.geography import AreaGeometry
from sim.model.lastmile import LastMileDepot
from sim.model.policies import make_policy
from sim.model.products import ProductTable
from sim.model.stock import StockPoint
from sim.records import ParcelState, TrailEvent
from sim.scenario.schema import RegionalWarehouse

STAGE = "regional_warehouse"


class RegionalDepot:
    """Regional warehouse and the courier depot beside it, serving one area."""

    def __init__(
        self, ctx: SimContext, config: RegionalWarehouse, index: int, products: ProductTable, central: CentralDC
    ) -> None:
        self.ctx = ctx
        self.config = config
        self.index = index
        self.name = config.name
        self.products = products
        area = config.area
        self.geometry = AreaGeometry(area, ctx.streams.get(f"geography/{self.name}"))
        self.demand = DemandModel(area, ctx.scenario.demand, products, self.geometry)
        self.daily_demand = area.expected_orders_per_day * products.share
        self.stock = StockPoint(
            ctx, self.name, STAGE, products, make_policy(config.inventory, self.daily_demand),
            config.storage_cost_per_m3_day,
        )
        self.waiting_for_stock: list[deque[int]] = [deque() for _ in range(len(products))]
        self.backorder_units = np.zeros(len(products), dtype=np.int64)
        self.to_pick: deque[int] = deque()
        self.central = central
        self.inbound = central.connect(self, config.supplier_distance_km)
        self.last_mile = LastMileDepot(ctx, config, index, products, self.geometry)
        ctx.env.process(self._demand_loop())
        ctx.env.process(self._picking_loop())
        ctx.env.process(self._review_loop())

    # --- customer orders -------------------------------------------------------

    def _demand_loop(self) -> Generator[simpy.Event, Any, None]:
        ctx = self.ctx
        env = ctx.env
        rng = ctx.streams.get(f"demand/{self.name}")
        parcels = ctx.parcels
        for day in range(ctx.days):
            orders = self.demand.draw_day(rng, day, ctx.weekday(day))
            ids = parcels.add_batch(
                self.index, orders.time_h, orders.x_km, orders.y_km, orders.product, orders.volume_m3, orders.key
            )
            for parcel_id, time_h in zip(ids.tolist(), orders.time_h.tolist(), strict=True):
                if time_h > env.now:
                    yield env.timeout(time_h - env.now)
                self._order(parcel_id)
            yield env.timeout((day + 1) * 24.0 - env.now)

    def _order(self, parcel_id: int) -> None:
        parcels = self.ctx.parcels
        product = int(parcels.product[parcel_id])
        now = self.ctx.env.now
        self.ctx.recorder.track(parcel_id, now, TrailEvent.ORDERED)
        if self.stock.on_hand[product] > 0:
            self.stock.remove(product, 1)
            parcels.state[parcel_id] = ParcelState.AWAITING_PICK
            self.to_pick.append(parcel_id)
        else:
            parcels.state[parcel_id] = ParcelState.AWAITING_STOCK
            parcels.backordered[parcel_id] = True
            self.waiting_for_stock[product].append(parcel_id)
            self.backorder_units[product] += 1
            self.ctx.recorder.track(parcel_id, now, TrailEvent.BACKORDERED)

    # --- replenishment -----------------------------------------------------------

    def receive(self, load: np.ndarray) -> None:
        """A truck from the central warehouse is unloaded; waiting orders get their stock first."""
        ctx = self.ctx
        now = ctx.env.now
        handling = float(load @ self.products.handling_multiplier) * self.config.handling_in_cost_per_unit
        ctx.ledger.post(now, STAGE, "handling_in", self.name, handling)
        parcels = ctx.parcels
        for product in np.flatnonzero(load).tolist():
            units = int(load[product])
            self.stock.on_order[product] -= units
            waiting = self.waiting_for_stock[product]
            served = min(units, len(waiting))
            for _ in range(served):
                parcel_id = waiting.popleft()
                parcels.state[parcel_id] = ParcelState.AWAITING_PICK
                self.to_pick.append(parcel_id)
                ctx.recorder.track(parcel_id, now, TrailEvent.STOCK_ALLOCATED)
            self.backorder_units[product] -= served
            # Units for backorders pass over the shelf: they still count as received stock.
            self.stock.add(product, units)
            if served:
                self.stock.remove(product, served)

    def _review_loop(self) -> Generator[simpy.Event, Any, None]:
        env = self.ctx.env
        day = 0
        while True:
            yield env.timeout(day * 24.0 + self.config.review_hour - env.now)
            quantity = self.stock.reorder(self.backorder_units)
            if quantity.any():
                self.central.request(self, quantity)
            day += 1

    # --- picking -------------------------------------------------------------------

    def _picking_loop(self) -> Generator[simpy.Event, Any, None]:
        """Once a day, before the couriers leave, pick and pack the oldest reserved orders up to capacity."""
        ctx = self.ctx
        env = ctx.env
        capacity = int(self.config.picking_capacity_orders_per_day)
        multiplier = self.products.handling_multiplier
        day = 0
        while True:
            yield env.timeout(day * 24.0 + self.config.picking_cutoff_hour - env.now)
            count = min(capacity, len(self.to_pick))
            if count:
                picked = np.fromiter((self.to_pick.popleft() for _ in range(count)), dtype=np.int64, count=count)
                parcels = ctx.parcels
                cost = self.config.pick_pack_cost_per_order * multiplier[parcels.product[picked]]
                parcels.pick_pack_cost[picked] = cost
                parcels.picked_time_h[picked] = env.now
                parcels.state[picked] = ParcelState.AT_DEPOT
                ctx.ledger.post(env.now, STAGE, "pick_pack", self.name, float(cost.sum()))
                if ctx.recorder.trail is not None:
                    for parcel_id in picked.tolist():
                        ctx.recorder.track(parcel_id, env.now, TrailEvent.PICKED)
                self.last_mile.receive_picked(picked.tolist())
            day += 1
