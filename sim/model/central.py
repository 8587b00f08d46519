"""The central warehouse: stock from the factories, shipped on to the regional warehouses."""

from __future__ import annotations

from collections import deque
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from sim.model.context import SimContext
from sim.model.factory import Plant
from sim.model.linehaul import Lane
from sim.model.policies import make_policy
from sim.model.products import ProductTable
from sim.model.stock import StockPoint
from sim.scenario.schema import CentralWarehouse

if TYPE_CHECKING:
    from sim.model.regional import RegionalDepot

STAGE = "central_warehouse"


class CentralDC:
    """Central warehouse: receives from factories, fills regional orders, backorders what it lacks."""

    def __init__(
        self,
        ctx: SimContext,
        config: CentralWarehouse,
        products: ProductTable,
        plants: dict[str, Plant],
        daily_demand: np.ndarray,
    ) -> None:
        self.ctx = ctx
        self.config = config
        self.name = config.name
        self.products = products
        self.stock = StockPoint(
            ctx, config.name, STAGE, products, make_policy(config.inventory, daily_demand),
            config.storage_cost_per_m3_day,
        )
        self.backorders: deque[list[Any]] = deque()  # [regional, product, units], FIFO
        self.backorder_units = np.zeros(len(products), dtype=np.int64)
        self.outbound: dict[str, Lane] = {}
        # Inbound lane and plant for every product this warehouse stocks.
        self.inbound_by_product: list[tuple[Plant, Lane]] = []
        lanes: dict[str, Lane] = {}
        for lane_config in config.inbound:
            lanes[lane_config.factory] = Lane(
                ctx, "factory_to_central", lane_config.factory, config.name, lane_config.distance_km,
                products, self.receive,
            )
        for product in products.names:
            lane_config = ctx.scenario.factory_for(config, product)
            self.inbound_by_product.append((plants[lane_config.factory], lanes[lane_config.factory]))
        self.inbound_lanes = list(lanes.values())
        ctx.env.process(self._review_loop())

    def connect(self, regional: RegionalDepot, distance_km: float) -> Lane:
        """Open the outbound lane to a regional warehouse this warehouse supplies."""
        lane = Lane(ctx=self.ctx, stage="central_to_regional", origin=self.name, destination=regional.name,
                    distance_km=distance_km, products=self.products, receiver=regional.receive)
        self.outbound[regional.name] = lane
        return lane

    def receive(self, load: np.ndarray) -> None:
        """A truck from a factory is unloaded: handling in, stock up, backorders first."""
        now = self.ctx.env.now
        handling = float(load @ self.products.handling_multiplier) * self.config.handling_in_cost_per_unit
        self.ctx.ledger.post(now, STAGE, "handling_in", self.name, handling)
        for product in np.flatnonzero(load):
            self.stock.add(int(product), int(load[product]))
            self.stock.on_order[product] -= load[product]
        self._serve_backorders()

    def request(self, regional: RegionalDepot, quantity: np.ndarray) -> None:
        """A regional warehouse orders; ship what is on hand, backorder the rest."""
        for product in np.flatnonzero(quantity):
            self._fill(regional, int(product), int(quantity[product]))

    def _fill(self, regional: RegionalDepot, product: int, units: int) -> None:
        available = int(self.stock.on_hand[product])
        shipped = min(available, units)
        if shipped:
            self._ship(regional, product, shipped)
        if units > shipped:
            self.backorders.append([regional, product, units - shipped])
            self.backorder_units[product] += units - shipped

    def _ship(self, regional: RegionalDepot, product: int, units: int) -> None:
        self.stock.remove(product, units)
        cost = units * self.config.handling_out_cost_per_unit * float(self.products.handling_multiplier[product])
        self.ctx.ledger.post(self.ctx.env.now, STAGE, "handling_out", self.name, cost)
        self.outbound[regional.name].offer(product, units)

    def _serve_backorders(self) -> None:
        waiting: deque[list[Any]] = deque()
        while self.backorders:
            regional, product, units = self.backorders.popleft()
            shipped = min(units, int(self.stock.on_hand[product]))
            if shipped:
                self._ship(regional, product, shipped)
                self.backorder_units[product] -= shipped
            if units > shipped:
                waiting.append([regional, product, units - shipped])
        self.backorders = waiting

    def _review_loop(self) -> Generator[simpy.Event, Any, None]:
        env = self.ctx.env
        day = 0
        while True:
            yield env.timeout(day * 24.0 + self.config.review_hour - env.now)
            quantity = self.stock.reorder(self.backorder_units)
            for product in np.flatnonzero(quantity):
                plant, lane = self.inbound_by_product[product]
                plant.request(lane, int(product), int(quantity[product]))
            day += 1
