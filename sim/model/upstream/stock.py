"""Stock held at a warehouse: on hand, on order, its policies, and the storage and holding cost of keeping it."""

from __future__ import annotations

import numpy as np

from sim.ledger import Stage
from sim.model.context import SimContext
from sim.model.products import ProductTable
from sim.model.upstream.policies import ReorderPolicy, StockPolicy
from sim.model.upstream.stock_kernel import take_unit


class StockPoint:
    """Units per product at one warehouse, with exact time-integrated storage and holding costs.

    Every change of on-hand stock first adds on_hand x elapsed hours to a running
    integral, so the daily cost posting is the exact area under the stock curve,
    not a snapshot that would miss what came and went within a day.

    ``policy`` is one policy for every product, or a :class:`StockPolicy` with
    one per product. The inventory position a review sees is on hand + on
    order - backorders; the warehouse owns its backorders and passes them in.
    """

    def __init__(
        self,
        ctx: SimContext,
        name: str,
        stage: Stage,
        products: ProductTable,
        policy: ReorderPolicy | StockPolicy,
        storage_cost_per_m3_day: float,
    ) -> None:
        self.ctx = ctx
        self.name = name
        self.stage = stage
        self.products = products
        self.policy = policy if isinstance(policy, StockPolicy) else StockPolicy.uniform(policy, len(products))
        self.on_hand = self.policy.initial_stock()
        self.on_order = np.zeros(len(products), dtype=np.int64)
        self.initial_units = self.on_hand.copy()
        # Flow counters for the per-warehouse balance: initial + received == shipped + on hand.
        self.received = np.zeros(len(products), dtype=np.int64)
        self.shipped = np.zeros(len(products), dtype=np.int64)
        # Demand units turned away under lost sales, and own order units the supplier cancelled.
        self.lost = np.zeros(len(products), dtype=np.int64)
        self.cancelled = np.zeros(len(products), dtype=np.int64)
        # Python lists for the per-order hot path, where indexing a numpy bool array is slower.
        self.continuous = self.policy.continuous.tolist()
        self.lost_sales = self.policy.lost_sales.tolist()
        # On-hand unit-hours per product: row 0 since the last cost posting, row 1 from time zero (never
        # reset: mean on hand = row 1 / elapsed hours). One array, so a change of stock updates both in one step.
        self._hours = np.zeros((2, len(products)))
        self._since = 0.0
        self._storage_per_unit_hour = storage_cost_per_m3_day * products.volume_m3 / 24.0
        self._holding_per_unit_hour = products.holding_cost_per_unit_hour()

    def _integrate(self) -> None:
        now = self.ctx.env.now
        if now > self._since:
            self._hours += self.on_hand * (now - self._since)
            self._since = now

    def unit_hours(self) -> np.ndarray:
        """On-hand unit-hours per product from time zero to now (the exact area under the stock curve)."""
        self._integrate()
        return self._hours[1].copy()

    def take_one(self, product: int) -> bool:
        """One unit of ``product`` leaves the shelf if there is one (a customer order); whether it did.

        The per-order path of ``remove``: the same integration and counts.
        """
        now = self.ctx.env.now
        step_h = now - self._since  # > 0 exactly when now > since, the condition of _integrate
        if not take_unit(self.on_hand, self.shipped, self._hours, product, step_h):
            return False
        if step_h > 0.0:
            self._since = now
        return True

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
        hours = self._hours[0]
        storage = float(hours @ self._storage_per_unit_hour)
        holding = float(hours @ self._holding_per_unit_hour)
        now = self.ctx.env.now
        self.ctx.ledger.post(now, self.stage, "storage", self.name, storage)
        self.ctx.ledger.post(now, self.stage, "inventory_holding", self.name, holding)
        self._hours[0] = 0.0

    def position(self, backorders: np.ndarray) -> np.ndarray:
        """Inventory position per product: on hand + on order - backorders."""
        return self.on_hand + self.on_order - backorders

    def reorder(self, backorders: np.ndarray, products: np.ndarray | None = None) -> np.ndarray:
        """Review (all products, or those of the boolean mask ``products``): the order quantity per product,
        which is then counted as on order."""
        quantity = self.policy.order_quantity(self.position(backorders))
        if products is not None:
            quantity = np.where(products, quantity, 0)
        self.on_order += quantity
        return quantity

    def review_product(self, backorders: np.ndarray, product: int) -> np.ndarray | None:
        """Continuous review after a demand or receipt event of ``product``: its order vector, or None."""
        if not self.continuous[product]:
            return None
        mask = np.zeros(len(self.products), dtype=bool)
        mask[product] = True
        quantity = self.reorder(backorders, mask)
        return quantity if quantity[product] else None

    def due(self, day: int) -> np.ndarray:
        """Products whose periodic review falls on ``day``."""
        return self.policy.due(day)

    def cancel(self, product: int, units: int) -> None:
        """The supplier will not deliver ``units`` already on order (its stock-out is a lost sale)."""
        self.on_order[product] -= units
        self.cancelled[product] += units
