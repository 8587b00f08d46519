"""Inventory policies: how much a warehouse orders at a review, given its inventory position."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from sim.scenario.schema import BaseStockPolicy, SSPolicy


class ReorderPolicy(Protocol):
    """What every inventory policy offers the warehouse that uses it."""

    def order_quantity(self, position: np.ndarray) -> np.ndarray:
        """Units to order per product given the inventory position (on hand + on order - backorders)."""
        ...

    def initial_stock(self) -> np.ndarray:
        """Units on hand per product at time zero."""
        ...


class SSReorder:
    """Periodic-review (s, S): order up to S when the position is at or below s."""

    def __init__(self, config: SSPolicy, daily_demand: np.ndarray) -> None:
        self.s = np.ceil(config.reorder_point_days * daily_demand).astype(np.int64)
        self.big_s = np.maximum(np.ceil(config.order_up_to_days * daily_demand).astype(np.int64), self.s + 1)
        initial = config.initial_stock_days if config.initial_stock_days is not None else config.order_up_to_days
        self._initial = np.ceil(initial * daily_demand).astype(np.int64)

    def order_quantity(self, position: np.ndarray) -> np.ndarray:
        """S - position where position <= s, else 0."""
        return np.where(position <= self.s, self.big_s - position, 0)

    def initial_stock(self) -> np.ndarray:
        """Initial stock (defaults to S)."""
        return self._initial.copy()


class BaseStockReorder:
    """Base-stock: order back up to the level at every review."""

    def __init__(self, config: BaseStockPolicy, daily_demand: np.ndarray) -> None:
        self.level = np.ceil(config.level_days * daily_demand).astype(np.int64)
        initial = config.initial_stock_days if config.initial_stock_days is not None else config.level_days
        self._initial = np.ceil(initial * daily_demand).astype(np.int64)

    def order_quantity(self, position: np.ndarray) -> np.ndarray:
        """level - position where positive."""
        return np.maximum(self.level - position, 0)

    def initial_stock(self) -> np.ndarray:
        """Initial stock (defaults to the level)."""
        return self._initial.copy()


def make_policy(config: SSPolicy | BaseStockPolicy, daily_demand: np.ndarray) -> ReorderPolicy:
    """The policy object for a scenario's policy table (dispatched on its type, not on strings)."""
    if isinstance(config, SSPolicy):
        return SSReorder(config, daily_demand)
    return BaseStockReorder(config, daily_demand)
