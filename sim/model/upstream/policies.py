"""Inventory policies: when a warehouse reviews its stock and how much it orders at a review.

Each policy is a small class that turns an inventory position (on hand + on
order - backorders) into order quantities, vectorised over the products it
governs, and says how it is reviewed: at every demand and receipt event
(continuous review) or every ``review_period_days`` days at the warehouse's
review hour. :class:`StockPolicy` puts one policy per product together for a
warehouse (its default policy plus per-product overrides).

Levels are whole units: a level given in days of mean demand is rounded up,
so a positive level never rounds down to no stock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

import numpy as np

from sim.scenario.schema import (
    BaseStockPolicy,
    PolicyBase,
    RQPolicy,
    SSPolicy,
    TQPolicy,
    TSPolicy,
    UnitLevels,
)


class ReorderPolicy(Protocol):
    """What every inventory policy offers the warehouse that uses it."""

    continuous: bool  # reviewed at every demand and receipt event, not at a review hour
    review_period_days: int  # periodic policies: days between reviews (reviews on days 0, T, 2T, ...)
    lost_sales: bool  # demand that finds no stock is cancelled instead of backordered

    def order_quantity(self, position: np.ndarray) -> np.ndarray:
        """Units to order per product given the inventory position (on hand + on order - backorders)."""
        ...

    def initial_stock(self) -> np.ndarray:
        """Units on hand per product at time zero."""
        ...


def level_units(
    days: float | None, units: UnitLevels | None, daily_demand: np.ndarray, product_names: Sequence[str]
) -> np.ndarray:
    """A level per product in whole units, from its days-of-demand form or its units form."""
    if units is None:
        if days is None:
            raise ValueError("a level needs its days or its units form")  # the schema makes this unreachable
        return np.ceil(days * daily_demand).astype(np.int64)
    if isinstance(units, int):
        return np.full(len(daily_demand), units, dtype=np.int64)
    if len(product_names) != len(daily_demand):
        raise ValueError("levels given per product name need the names of the products the policy governs")
    return np.array([units[name] for name in product_names], dtype=np.int64)


class _Policy:
    """Shared construction: safety stock, initial stock and the stock-out rule of a policy table."""

    continuous = False
    review_period_days = 1

    def __init__(self, config: PolicyBase, daily_demand: np.ndarray, product_names: Sequence[str]) -> None:
        self.daily_demand = np.asarray(daily_demand, dtype=float)
        self.product_names = tuple(product_names)
        self.lost_sales = config.stockout == "lost_sales"
        self.safety = np.ceil(config.safety_stock_days * self.daily_demand).astype(np.int64)
        self._config = config

    def _level(self, days: float | None, units: UnitLevels | None) -> np.ndarray:
        return level_units(days, units, self.daily_demand, self.product_names)

    def _set_initial(self, default: np.ndarray) -> None:
        # An explicit initial stock is taken as written (no safety stock added): it is a state, not a level.
        config = self._config
        if config.initial_stock_days is None and config.initial_stock_units is None:
            self._initial = default.copy()
        else:
            self._initial = self._level(config.initial_stock_days, config.initial_stock_units)

    def initial_stock(self) -> np.ndarray:
        """Units on hand per product at time zero (defaults to the top of the policy's band)."""
        return self._initial.copy()


class SSReorder(_Policy):
    """Periodic-review (s, S), daily: order up to S when the position is at or below s."""

    def __init__(self, config: SSPolicy, daily_demand: np.ndarray, product_names: Sequence[str] = ()) -> None:
        super().__init__(config, daily_demand, product_names)
        self.s = self._level(config.reorder_point_days, config.reorder_point_units) + self.safety
        # S must exceed s, or an order would not lift the position above the reorder point.
        self.big_s = np.maximum(self._level(config.order_up_to_days, config.order_up_to_units) + self.safety,
                                self.s + 1)
        self._set_initial(self.big_s)

    def order_quantity(self, position: np.ndarray) -> np.ndarray:
        """S - position where position <= s, else 0."""
        return np.where(position <= self.s, self.big_s - position, 0)


class BaseStockReorder(_Policy):
    """Base-stock, daily: order back up to the level at every review."""

    def __init__(self, config: BaseStockPolicy, daily_demand: np.ndarray, product_names: Sequence[str] = ()) -> None:
        super().__init__(config, daily_demand, product_names)
        self.level = self._level(config.level_days, config.level_units) + self.safety
        self._set_initial(self.level)

    def order_quantity(self, position: np.ndarray) -> np.ndarray:
        """level - position where positive."""
        return np.maximum(self.level - position, 0)


class RQReorder(_Policy):
    """Continuous-review (r, Q): when the position is at or below r, order the fewest Qs that lift it above r."""

    continuous = True

    def __init__(
        self, config: RQPolicy | TQPolicy, daily_demand: np.ndarray, product_names: Sequence[str] = ()
    ) -> None:
        super().__init__(config, daily_demand, product_names)
        self.r = self._level(config.reorder_point_days, config.reorder_point_units) + self.safety
        # At least one unit per order, or a reorder could never lift the position.
        self.q = np.maximum(self._level(config.order_quantity_days, config.order_quantity_units), 1)
        self._set_initial(self.r + self.q)

    def order_quantity(self, position: np.ndarray) -> np.ndarray:
        """n * Q with n the smallest count that makes position + n * Q > r (0 above r)."""
        batches = np.where(position <= self.r, (self.r - position) // self.q + 1, 0)
        return batches * self.q


class TSReorder(_Policy):
    """Periodic review every T days (T, S): order up to S at each review."""

    def __init__(self, config: TSPolicy, daily_demand: np.ndarray, product_names: Sequence[str] = ()) -> None:
        super().__init__(config, daily_demand, product_names)
        self.review_period_days = config.review_period_days
        self.level = self._level(config.order_up_to_days, config.order_up_to_units) + self.safety
        self._set_initial(self.level)

    def order_quantity(self, position: np.ndarray) -> np.ndarray:
        """S - position where positive."""
        return np.maximum(self.level - position, 0)


class TQReorder(RQReorder):
    """Periodic review every T days (T, r, Q): at a review, order multiples of Q while the position is <= r."""

    continuous = False

    def __init__(self, config: TQPolicy, daily_demand: np.ndarray, product_names: Sequence[str] = ()) -> None:
        super().__init__(config, daily_demand, product_names)
        self.review_period_days = config.review_period_days


# Dispatch on the type of the validated policy table (not on its tag string).
_POLICIES: dict[type[PolicyBase], Callable[..., ReorderPolicy]] = {
    SSPolicy: SSReorder,
    BaseStockPolicy: BaseStockReorder,
    RQPolicy: RQReorder,
    TSPolicy: TSReorder,
    TQPolicy: TQReorder,
}


def make_policy(config: PolicyBase, daily_demand: np.ndarray, product_names: Sequence[str] = ()) -> ReorderPolicy:
    """The policy object for a scenario's policy table, over the products of ``product_names``."""
    return _POLICIES[type(config)](config, daily_demand, product_names)


class StockPolicy:
    """One policy per product at a warehouse: how each product is reviewed, ordered and short-shipped.

    Products that share a policy table share one policy object, which works on
    their sub-vector, so a warehouse with one policy for all products computes
    exactly what that policy alone would.
    """

    def __init__(self, parts: Sequence[tuple[ReorderPolicy, np.ndarray]], n_products: int) -> None:
        self.parts = [(policy, np.asarray(index, dtype=np.int64)) for policy, index in parts]
        covered = np.concatenate([index for _, index in self.parts]) if self.parts else np.array([], dtype=np.int64)
        if sorted(covered.tolist()) != list(range(n_products)):
            raise ValueError("every product needs exactly one policy")
        self.n_products = n_products
        self.continuous = np.zeros(n_products, dtype=bool)
        self.lost_sales = np.zeros(n_products, dtype=bool)
        self.review_period_days = np.ones(n_products, dtype=np.int64)
        for policy, index in self.parts:
            self.continuous[index] = policy.continuous
            self.lost_sales[index] = policy.lost_sales
            self.review_period_days[index] = policy.review_period_days
        # One policy over all products in their own order: order_quantity can skip the scatter.
        self._single = len(self.parts) == 1 and np.array_equal(self.parts[0][1], np.arange(n_products))
        self.has_periodic = bool((~self.continuous).any())
        self.has_continuous = bool(self.continuous.any())

    @classmethod
    def uniform(cls, policy: ReorderPolicy, n_products: int) -> StockPolicy:
        """One policy for every product."""
        return cls([(policy, np.arange(n_products))], n_products)

    @classmethod
    def for_warehouse(
        cls,
        default: PolicyBase,
        by_product: Mapping[str, PolicyBase],
        daily_demand: np.ndarray,
        product_names: Sequence[str],
    ) -> StockPolicy:
        """The warehouse's default policy for its products, and the overrides of ``by_product`` for theirs."""
        names = list(product_names)
        demand = np.asarray(daily_demand, dtype=float)
        rest = [i for i, name in enumerate(names) if name not in by_product]
        groups: list[tuple[PolicyBase, list[int]]] = [(default, rest)]
        groups += [(config, [names.index(name)]) for name, config in by_product.items()]
        parts = [
            (make_policy(config, demand[index], [names[i] for i in index]), np.asarray(index, dtype=np.int64))
            for config, index in groups
            if index
        ]
        return cls(parts, len(names))

    def order_quantity(self, position: np.ndarray) -> np.ndarray:
        """Units to order per product, each product by its own policy."""
        if self._single:
            return self.parts[0][0].order_quantity(position)
        quantity = np.zeros(self.n_products, dtype=np.int64)
        for policy, index in self.parts:
            quantity[index] = policy.order_quantity(position[index])
        return quantity

    def initial_stock(self) -> np.ndarray:
        """Units on hand per product at time zero."""
        stock = np.zeros(self.n_products, dtype=np.int64)
        for policy, index in self.parts:
            stock[index] = policy.initial_stock()
        return stock

    def due(self, day: int) -> np.ndarray:
        """Products whose periodic review falls on ``day`` (continuous products never do)."""
        return ~self.continuous & (day % self.review_period_days == 0)
