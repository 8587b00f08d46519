"""What happened in a run, as plain data: parcels, routes, line-haul trips, stock levels.

No SimPy objects live here. Parcels are stored column-wise in numpy arrays that
grow by doubling, because a run can hold hundreds of thousands of them and one
Python object per parcel would dominate memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from sim.ledger import CostLedger


class ParcelState(IntEnum):
    """Where a parcel is. The first four are 'in_system' in the summary; LOST is a lost sale."""

    AWAITING_STOCK = 0  # ordered, the regional warehouse had no stock (backorder)
    AWAITING_PICK = 1  # stock reserved, not yet picked and packed
    AT_DEPOT = 2  # picked (or brought back), waiting for a route
    OUT_FOR_DELIVERY = 3
    AT_PICKUP_POINT = 4
    DELIVERED = 5
    RETURNED = 6
    LOST = 7  # no stock at the regional warehouse under lost sales: the order was never filled


FINAL_STATE = {
    ParcelState.AWAITING_STOCK: "in_system",
    ParcelState.AWAITING_PICK: "in_system",
    ParcelState.AT_DEPOT: "in_system",
    ParcelState.OUT_FOR_DELIVERY: "in_system",
    ParcelState.AT_PICKUP_POINT: "at_pickup_point",
    ParcelState.DELIVERED: "delivered",
    ParcelState.RETURNED: "returned",
    ParcelState.LOST: "lost_sale",
}

FINAL_STATES = ("delivered", "at_pickup_point", "returned", "in_system", "lost_sale")


class TrailEvent(IntEnum):
    """Events of the parcel tracking trail."""

    ORDERED = 0
    BACKORDERED = 1
    PICKED = 2
    OUT_FOR_DELIVERY = 3
    ATTEMPT_FAILED = 4
    DELIVERED = 5
    MOVED_TO_PICKUP_POINT = 6
    COLLECTED = 7
    RETURNED = 8
    STOCK_ALLOCATED = 9
    LOST_SALE = 10


_FLOAT_FIELDS = (
    "order_time_h", "x_km", "y_km", "volume_m3", "weight_kg", "picked_time_h", "first_out_time_h",
    "delivered_time_h", "promise_h", "pickup_handover_h", "last_mile_cost", "failed_attempt_cost", "pick_pack_cost",
    "pickup_point_cost", "return_cost", "outsourced_cost", "co2e_kg",
)
_INT_FIELDS = {
    "regional": np.int16, "product": np.int16, "state": np.int8, "attempts": np.int8,
    "days_waited": np.int16, "pickup_point": np.int32, "backordered": np.bool_, "via_pickup": np.bool_,
    "first_attempt_success": np.bool_, "key": np.uint64, "wants_pickup": np.bool_, "chose_pickup": np.bool_,
    "outsourced": np.bool_,
    "same_day": np.bool_, "slot": np.int8, "address": np.int64, "slot_kept": np.int8, "vehicle": np.int8,
}
# Columns whose "unknown" value is -1 rather than 0.
_MINUS_ONE = ("pickup_point", "slot", "slot_kept", "vehicle", "address")


class ParcelStore:
    """Column store of every parcel ordered in a run; ids are row numbers."""

    def __init__(self, capacity: int = 1024) -> None:
        self.size = 0
        self._capacity = max(16, capacity)
        self.cols: dict[str, np.ndarray] = {}
        for name in _FLOAT_FIELDS:
            self.cols[name] = np.full(self._capacity, np.nan if name.endswith("_h") else 0.0)
        for name, dtype in _INT_FIELDS.items():
            self.cols[name] = np.zeros(self._capacity, dtype=dtype)
        for name in _MINUS_ONE:
            self.cols[name][:] = -1
        # Direct attribute access for the hot path (no dict lookups per parcel).
        self._bind()

    def _bind(self) -> None:
        for name, array in self.cols.items():
            setattr(self, name, array)

    # The attributes bound by _bind, declared for type checkers.
    order_time_h: np.ndarray
    x_km: np.ndarray
    y_km: np.ndarray
    volume_m3: np.ndarray
    weight_kg: np.ndarray
    promise_h: np.ndarray
    pickup_handover_h: np.ndarray
    outsourced_cost: np.ndarray
    co2e_kg: np.ndarray
    wants_pickup: np.ndarray
    chose_pickup: np.ndarray
    outsourced: np.ndarray
    same_day: np.ndarray
    slot: np.ndarray
    address: np.ndarray
    slot_kept: np.ndarray
    vehicle: np.ndarray
    picked_time_h: np.ndarray
    first_out_time_h: np.ndarray
    delivered_time_h: np.ndarray
    last_mile_cost: np.ndarray
    failed_attempt_cost: np.ndarray
    pick_pack_cost: np.ndarray
    pickup_point_cost: np.ndarray
    return_cost: np.ndarray
    regional: np.ndarray
    product: np.ndarray
    state: np.ndarray
    attempts: np.ndarray
    days_waited: np.ndarray
    pickup_point: np.ndarray
    backordered: np.ndarray
    via_pickup: np.ndarray
    first_attempt_success: np.ndarray
    key: np.ndarray

    def add_batch(
        self,
        regional: int,
        order_time_h: np.ndarray,
        x_km: np.ndarray,
        y_km: np.ndarray,
        product: np.ndarray,
        volume_m3: np.ndarray,
        weight_kg: np.ndarray,
        key: np.ndarray,
    ) -> np.ndarray:
        """Append a batch of new orders (vectorised); returns their ids."""
        n = len(order_time_h)
        if self.size + n > self._capacity:
            self._grow(self.size + n)
        ids = np.arange(self.size, self.size + n)
        self.regional[ids] = regional
        self.order_time_h[ids] = order_time_h
        self.x_km[ids] = x_km
        self.y_km[ids] = y_km
        self.product[ids] = product
        self.volume_m3[ids] = volume_m3
        self.weight_kg[ids] = weight_kg
        self.key[ids] = key
        self.state[ids] = ParcelState.AWAITING_PICK
        self.size += n
        return ids

    def _grow(self, needed: int) -> None:
        capacity = self._capacity
        while capacity < needed:
            capacity *= 2
        for name, array in self.cols.items():
            grown = np.empty(capacity, dtype=array.dtype)
            grown[: self._capacity] = array
            if array.dtype.kind == "f":
                grown[self._capacity :] = np.nan if name.endswith("_h") else 0.0
            elif name in _MINUS_ONE:
                grown[self._capacity :] = -1
            else:
                grown[self._capacity :] = 0
            self.cols[name] = grown
        self._capacity = capacity
        self._bind()

    def view(self, name: str) -> np.ndarray:
        """The first ``size`` values of a column."""
        return self.cols[name][: self.size]


class RouteRecord(NamedTuple):
    """One courier route or drone day, written when the vehicle is back and its cost is settled."""

    route_id: int
    regional: str  # the regional warehouse (depot) the route left from
    vehicle_type: str
    wave: str
    day: int
    depart_h: float
    return_h: float
    stops: int
    parcels: int
    delivered: int  # handed over at the door or left at a pickup point
    failed: int
    aborted: int  # brought back unattempted (out of working time, curfew)
    km: float
    planned_km: float
    planned_duration_h: float
    driving_h: float
    service_h: float
    duration_h: float
    overtime_h: float
    cost: float
    co2e_kg: float
    window_stops: int
    late_stops: int


class TripRecord(NamedTuple):
    """One line-haul trip or store-truck round, written at departure."""

    trip_id: int
    stage: str
    origin: str
    destination: str
    depart_h: float
    arrive_h: float
    units: int
    volume_m3: float
    fill: float
    km: float
    cost: float
    co2e_kg: float
    mode: str  # "truck" or "ltl"
    stops: int
    dock_wait_h: float


class InventoryRecord(NamedTuple):
    """End-of-day stock of one product at one warehouse."""

    day: int
    facility: str
    product: str
    on_hand: int
    on_order: int
    backorders: int


class StoreSaleRecord(NamedTuple):
    """A day's shop sales of one product at one regional warehouse, settled at closing: demanded = sold + lost."""

    day: int
    time_h: float
    regional: str
    product: str
    demanded: int
    sold: int
    lost: int


class StoreOrderRecord(NamedTuple):
    """A delivery day's shop replenishment of one product, at the store truck's departure: ordered = shipped + cut."""

    day: int
    time_h: float
    regional: str
    product: str
    ordered: int
    shipped: int
    cut: int


ROUTE_COLUMNS = RouteRecord._fields
TRIP_COLUMNS = TripRecord._fields
INVENTORY_COLUMNS = InventoryRecord._fields
STORE_SALES_COLUMNS = StoreSaleRecord._fields
STORE_ORDER_COLUMNS = StoreOrderRecord._fields
TRAIL_COLUMNS = ("parcel_id", "time_h", "event")
# A disruption occurrence, as the summary lists it and the disruptions table holds it.
OCCURRENCE_COLUMNS = ("disruption", "kind", "target", "start_h", "end_h", "recovered_h")


@dataclass
class Recorder:
    """Rows of the smaller tables, collected during the run."""

    routes: list[RouteRecord] = field(default_factory=list)
    trips: list[TripRecord] = field(default_factory=list)
    inventory: list[InventoryRecord] = field(default_factory=list)
    trail: list[tuple[int, float, int]] | None = None
    # Shops (the store channel): one row per regional warehouse, day and product.
    store_sales: list[StoreSaleRecord] = field(default_factory=list)
    store_orders: list[StoreOrderRecord] = field(default_factory=list)

    def track(self, parcel_id: int, time_h: float, event: TrailEvent) -> None:
        """Add one event to the parcel trail, if the trail is kept."""
        if self.trail is not None:
            self.trail.append((parcel_id, time_h, int(event)))


@dataclass(frozen=True)
class PlantRecord:
    """What one factory logged during the run, and its stock at the end (plant KPIs are computed from it)."""

    name: str
    output: list[tuple[float, int, int]]  # (time_h, product, units finished)
    setups: list[tuple[float, int]]  # (time_h, product) of every set-up started
    downtime: list[tuple[float, float]]  # (start_h, end_h) of every breakdown
    setup_hours: float  # working hours one set-up costs
    fg_units: int  # finished goods at the factory at the end
    backlog_units: int  # open orders at the end


@dataclass(frozen=True)
class RunRecords:
    """Everything the model hands over at the end of a run: plain data, no SimPy objects, no live entities.

    Metrics computes every KPI from this, and the tables are exported from it;
    nothing downstream reaches back into the model.
    """

    warmup_end_h: float
    end_h: float
    events: int  # SimPy kernel events processed
    product_names: list[str]
    parcels: ParcelStore
    ledger: CostLedger  # money
    emissions: CostLedger  # kg CO2e
    routes: list[RouteRecord]
    trips: list[TripRecord]
    inventory: list[InventoryRecord]
    trail: list[tuple[int, float, int]] | None  # (parcel_id, time_h, TrailEvent) when the trail is kept
    has_stores: bool
    store_sales: list[StoreSaleRecord]
    store_orders: list[StoreOrderRecord]
    plants: list[PlantRecord]
    disruptions: list[dict[str, Any]] | None  # one row per occurrence; None when the scenario has none
    # End-of-run stock snapshots: the terms of the conservation identities.
    unit_balance: dict[str, list[int]]
    warehouse_balances: dict[str, dict[str, list[int]]]


def rows_to_frame(rows: Sequence[tuple[Any, ...]], columns: tuple[str, ...]) -> pd.DataFrame:
    """A DataFrame from recorded tuples, with the right columns even when empty."""
    return pd.DataFrame.from_records(rows, columns=list(columns))
