"""Ports: the small interfaces through which a part of the chain reaches the part that owns or feeds it.

A child never imports its parent's concrete class. It is handed an object that
satisfies one of these Protocols, and the parent implements it, so imports run
one way only (parents import children) and each child can be driven in a test
by a stand-in of a few lines.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from sim.model.demand import DemandModel
from sim.model.geography import AreaGeometry
from sim.model.products import ProductTable
from sim.scenario.schema import RegionalWarehouse


class OutboundLane(Protocol):
    """Where a factory puts the units it made for a warehouse's order: the lane's dock."""

    def offer(self, product: int, units: int) -> None:
        """Put ``units`` of ``product`` on the dock, to leave with the next truck."""
        ...


class ShipmentReceiver(Protocol):
    """What a central warehouse needs of a regional warehouse it supplies."""

    @property
    def name(self) -> str:
        """The regional warehouse's name (its stop on a lane)."""
        ...

    def receive(self, load: np.ndarray) -> None:
        """A truck arrives with ``load`` (units per product)."""
        ...

    def cancel_on_order(self, product: int, units: int) -> None:
        """The supplier will not deliver ``units`` of ``product`` it had on order (a lost sale there)."""
        ...


class ReplenishmentPort(Protocol):
    """A warehouse that reorders from its supplier: others who take units off its shelf tell it so."""

    def review_product(self, product: int) -> None:
        """Continuous review of ``product`` after units of it left the shelf."""
        ...


class ShelfStock(Protocol):
    """Units on a warehouse's shelf, as the shops' replenishment takes them."""

    @property
    def on_hand(self) -> np.ndarray:
        """Units on the shelf per product."""
        ...

    def remove(self, product: int, units: int) -> None:
        """Units leave the shelf (never more than are on hand)."""
        ...


class RoadTraffic(Protocol):
    """The expected congestion of an area's roads."""

    def mean_multiplier(self, time_h: float, exposure: float = 1.0) -> float:
        """Expected travel-time multiplier of a leg driven at ``time_h``."""
        ...


class ShopSupplier(ReplenishmentPort, Protocol):
    """What the shops of an area need of the regional warehouse that refills them."""

    @property
    def name(self) -> str:
        """The regional warehouse's name."""
        ...

    @property
    def config(self) -> RegionalWarehouse:
        """Its scenario entry (the shops' settings and the area's speeds)."""
        ...

    @property
    def products(self) -> ProductTable:
        """The products of the run."""
        ...

    @property
    def geometry(self) -> AreaGeometry:
        """The area: where the warehouse is, where shops can be, road distances."""
        ...

    @property
    def demand(self) -> DemandModel:
        """The area's demand (the shops' sales follow its day factors)."""
        ...

    @property
    def stock(self) -> ShelfStock:
        """The warehouse's shelf, which the shops draw on."""
        ...

    @property
    def traffic(self) -> RoadTraffic:
        """The area's road traffic, which times the store trucks."""
        ...

    def is_closed(self) -> bool:
        """Whether the warehouse is closed now (a disruption): it then loads no store truck."""
        ...
