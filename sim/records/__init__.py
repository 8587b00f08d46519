"""What happened in a run, as plain data: parcels, routes, line-haul trips, stock levels.

No SimPy objects live here. Parcels are stored column-wise in numpy arrays
(``sim.records.parcel_store``), because a run can hold millions of them and one
Python object per parcel would dominate memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, NamedTuple

import pandas as pd

from sim.ledger import CostLedger
from sim.records.parcel_store import (
    CHUNK_IDS,
    FINAL_STATE,
    FINAL_STATES,
    SETTLE_HOURS,
    ParcelSink,
    ParcelState,
    ParcelStore,
)

__all__ = [
    "CHUNK_IDS", "FINAL_STATE", "FINAL_STATES", "INVENTORY_COLUMNS", "OCCURRENCE_COLUMNS", "ROUTE_COLUMNS",
    "SETTLE_HOURS", "STORE_ORDER_COLUMNS", "STORE_SALES_COLUMNS", "TRAIL_COLUMNS", "TRIP_COLUMNS",
    "InventoryRecord", "ParcelSink", "ParcelState", "ParcelStore", "PlantRecord", "Recorder", "RouteRecord",
    "RunRecords", "StoreOrderRecord", "StoreSaleRecord", "TrailEvent", "TripRecord", "rows_to_frame",
]


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
