"""Stock held at a warehouse: on hand, on order, and the storage and holding cost of keeping it."""

from __future__ import annotations

import numpy as np

from sim.model.context import SimContext
from sim.model.policies import ReorderPolicy
from sim.model.products import ProductTable


class StockPoint:
    """Units per product at one warehouse, with exact time-integrated storage and holding costs.

    Every change of on-hand stock first adds on_hand x elapsed hours to a running
    integral, so the daily cost posting is the exact area under the stock curve,
    not a snapshot that would miss what came and went within a day.
    """

    def __init__(
        self,
        ctx: SimContext,
        name: str,
        stage: str,
        products: ProductTable,
        policy: ReorderPolicy,
        storage_cost_per_m3_day: float,
    ) -> None:
        self.ctx = ctx
        self.name = name
        self.stage = stage
        self.products = products
        self.policy = policy
        self.on_hand = policy.initial_stock()
        self.on_order = np.zeros(len(products), dtype=np.int64)
        self.initial_units = self.on_hand.copy()
        # Flow counters for the per-warehouse balance: initial + received == shipped + on hand.
        self.received = np.zeros(len(products), dtype=np.int64)
        self.shipped = np.zeros(len(products), dtype=np.int64)
        self._unit_hours = np.zeros(len(products))
        self._since = 0.0
        self._storage_per_unit_hour = storage_cost_per_m3_day * products.volume_m3 / 24.0
        self._holding_per_unit_hour = products.holding_cost_per_unit_hour()

    def _integrate(self) -> None:
        now = self.ctx.env.now
        if now > self._since:
            self._unit_hours += self.on_hand * (now - self._since)
            self._since = now

    def add(self, product: int, units: int) -> None:
        """Units arrive on the shelf."""
        self._integrate()
        self.on_hand[product] += units
        self.received[product] += units

    def remove(self, product: int, units: int) -> None:
        """Units leave the shelf (never more than are on hand)."""
        self._integrate()
        if units > self.on_hand[product]:
            raise RuntimeError(f"{self.name}: removing {units} of product {product} with {self.on_hand[product]}")
        self.on_hand[product] -= units
        self.shipped[product] += units

    def post_costs(self) -> None:
        """Post storage and holding accrued since the last posting to the ledger."""
        self._integrate()
        hours = self._unit_hours
        storage = float(hours @ self._storage_per_unit_hour)
        holding = float(hours @ self._holding_per_unit_hour)
        now = self.ctx.env.now
        self.ctx.ledger.post(now, self.stage, "storage", self.name, storage)
        self.ctx.ledger.post(now, self.stage, "inventory_holding", self.name, holding)
        self._unit_hours = np.zeros_like(self._unit_hours)

    def reorder(self, backorders: np.ndarray) -> np.ndarray:
        """Review: the order quantity per product, which is then counted as on order."""
        position = self.on_hand + self.on_order - backorders
        quantity = self.policy.order_quantity(position)
        self.on_order += quantity
        return quantity
