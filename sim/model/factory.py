"""Factories: make-to-order production against the central warehouses' replenishment orders."""

from __future__ import annotations

from collections import deque
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from sim.model.context import SimContext
from sim.model.products import ProductTable
from sim.scenario.schema import Factory

if TYPE_CHECKING:
    from sim.model.linehaul import Lane


class Plant:
    """A factory with a daily capacity that works through its order book first come, first served.

    Once a day, at the production hour, it makes up to its capacity from the
    oldest open orders and hands the units to the lane towards the ordering
    warehouse. Production cost is not logistics cost and is not in the ledger.
    """

    def __init__(self, ctx: SimContext, config: Factory, products: ProductTable) -> None:
        self.ctx = ctx
        self.config = config
        self.name = config.name
        self.orders: deque[list[Any]] = deque()  # [lane, product, units remaining]
        self.produced = np.zeros(len(products), dtype=np.int64)
        self.backlog_units = np.zeros(len(products), dtype=np.int64)
        ctx.env.process(self._production_loop())

    def request(self, lane: Lane, product: int, units: int) -> None:
        """A warehouse orders ``units`` of ``product``, to be shipped on ``lane``."""
        if units > 0:
            self.orders.append([lane, product, int(units)])
            self.backlog_units[product] += units

    def _production_loop(self) -> Generator[simpy.Event, Any, None]:
        env = self.ctx.env
        day = 0
        while True:
            yield env.timeout(day * 24.0 + self.config.production_hour - env.now)
            capacity = int(self.config.capacity_units_per_day)
            while self.orders and capacity > 0:
                lane, product, units = self.orders[0]
                made = min(units, capacity)
                capacity -= made
                self.produced[product] += made
                self.backlog_units[product] -= made
                if made == units:
                    self.orders.popleft()
                else:
                    self.orders[0][2] = units - made
                lane.offer(product, made)
            day += 1
