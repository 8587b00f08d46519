"""The sites of the supply chain: factories, the central and the regional warehouses, and the shops.

Each site holds its own parameters; what ties sites together (names that
point at other sites, products with a source) is checked by the scenario.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from sim.scenario.base import (
    MONDAY_TO_SATURDAY,
    Co2PerKm,
    CostPerDay,
    CostPerHour,
    CostPerItem,
    CostPerKm,
    Flag,
    Frozen,
    HourOfDay,
    HoursPerDay,
    LaneKm,
    LevelDays,
    Minutes,
    PositiveLevelDays,
    StorageCost,
    TruckM3,
    Weekday,
    check_delivery_weekdays,
    integer,
    real,
)
from sim.scenario.inventory import InventoryPolicy, PositiveUnitLevels
from sim.scenario.lastmile import Area, Fleet
from sim.scenario.linehaul import Dispatch, InboundLane


class Factory(Frozen):
    """A plant that makes some product classes against the central warehouses' orders.

    ``mode = "daily_batch"`` (the default) makes up to the day's capacity at
    ``production_hour`` from the order book, first come first served.
    ``mode = "continuous"`` runs production as a process over time: the day's
    capacity spread over a shift of ``shift_hours`` starting at
    ``production_hour``, with optional minimum batch sizes, set-up time between
    products, random breakdowns and a make-to-stock policy. These options need
    the continuous mode, and are rejected in the daily-batch mode rather than
    silently ignored.
    """

    name: Annotated[str, Field(description="the factory's name, which inbound lanes and disruptions refer to")]
    products: Annotated[tuple[str, ...], Field(description="product names (keys of products) it makes")]
    capacity_units_per_day: Annotated[float, real("units a day", gt=0, le=1e8, note="ASSUMPTION: beyond any plant")]
    production_hour: HourOfDay = 6.0  # daily_batch: when the day's output is made; continuous: shift start
    mode: Annotated[Literal["daily_batch", "continuous"], Field(
        description="daily_batch: the day's output at production_hour; continuous: over a shift, with batches, "
                    "set-ups, breakdowns and stock")] = "daily_batch"
    shift_hours: HoursPerDay = 24.0  # continuous: working hours a day
    # A product is made in runs of at least this many units (one number, or one per product name;
    # products not named run in batches of 1). The surplus of a run is finished-goods stock.
    min_batch_units: PositiveUnitLevels = 1
    setup_hours: Annotated[float, real("hours", ge=0, le=168)] = 0.0  # time lost whenever the line switches product
    # Mean time between breakdowns (exponential); None: never breaks down.
    mtbf_hours: Annotated[float, real("hours", ge=1, le=1e6)] | None = None
    mean_repair_hours: Annotated[float, real("hours", gt=0, le=8_760)] = 4.0
    repair_distribution: Annotated[Literal["exponential", "lognormal"], Field(
        description="distribution of a repair's duration, of mean mean_repair_hours")] = "exponential"
    repair_sigma: Annotated[float, real("sigma of log(repair time)", gt=0, le=3)] = 0.5  # lognormal only
    policy: Annotated[Literal["make_to_order", "make_to_stock"], Field(
        description="make_to_order: only against orders; make_to_stock: also up to fg_target_days of "
                    "finished goods")] = "make_to_order"
    # make_to_stock: finished-goods target in days of the mean demand the plant serves (one number,
    # or one per product name; products not named get no stock and are made to order).
    fg_target_days: LevelDays | dict[str, LevelDays] | None = None

    @model_validator(mode="after")
    def _options(self) -> Factory:
        on = [
            key for key, is_on in (
                ("shift_hours", self.shift_hours != 24.0),
                ("min_batch_units", self.min_batch_units != 1),
                ("setup_hours", self.setup_hours > 0),
                ("mtbf_hours", self.mtbf_hours is not None),
                ("policy", self.policy != "make_to_order"),
            ) if is_on
        ]
        if self.mode == "daily_batch" and on:
            raise ValueError(f"factory '{self.name}': {on} need mode = \"continuous\" (the daily batch has none)")
        if self.policy == "make_to_stock" and self.fg_target_days is None:
            raise ValueError(f"factory '{self.name}': policy = \"make_to_stock\" needs fg_target_days")
        if self.policy == "make_to_order" and self.fg_target_days is not None:
            raise ValueError(f"factory '{self.name}': fg_target_days is only used with policy = \"make_to_stock\"")
        for key in ("min_batch_units", "fg_target_days"):
            levels = getattr(self, key)
            if isinstance(levels, dict):
                strangers = [p for p in levels if p not in self.products]
                if strangers:
                    raise ValueError(
                        f"factory '{self.name}': {key} names products it does not make {strangers} "
                        f"(it makes {list(self.products)})"
                    )
        return self

    def batch_units(self, product: str) -> int:
        """The minimum run length of ``product``."""
        levels = self.min_batch_units
        return levels.get(product, 1) if isinstance(levels, dict) else levels

    def target_days(self, product: str) -> float:
        """The finished-goods target of ``product`` in days of demand (0 when not made to stock)."""
        levels = self.fg_target_days
        if levels is None:
            return 0.0
        return levels.get(product, 0.0) if isinstance(levels, dict) else levels


class WarehouseOperations(Frozen):
    """Time-consuming work inside a warehouse: picking by a crew in shifts, receiving at dock doors.

    Each half is optional: without ``pickers`` orders are picked in the daily
    wave of ``picking_capacity_orders_per_day``; without ``dock_doors`` a truck's
    load is on the shelf the moment it arrives. Costs do not change, only timing.
    """

    pickers: Annotated[int, integer("pickers", ge=1, le=100_000)] | None = None  # simultaneous picks (a Resource)
    pick_minutes_mean: Annotated[float, real("minutes", ge=0.01, le=1_440)] = 3.0  # pick-and-pack of one order
    shift_start_hour: HourOfDay = 0.0
    shift_hours: HoursPerDay = 24.0  # 24: the pickers never leave
    dock_doors: Annotated[int, integer("doors", ge=1, le=10_000)] | None = None  # trucks unloaded at once (a Resource)
    unload_hours_per_truck: Annotated[float, real("hours", ge=0, le=48)] = 1.0
    unload_time: Annotated[Literal["fixed", "exponential"], Field(
        description="a truck's unloading time: exactly unload_hours_per_truck, or exponential of that mean")] = "fixed"
    putaway_minutes_per_unit: Annotated[float, real("minutes", ge=0, le=60)] = 0.0  # before a unit can be allocated
    # Regional only: units that arrive for backordered orders skip put-away and go straight to picking.
    cross_dock: Flag = False

    @model_validator(mode="after")
    def _cross_dock(self) -> WarehouseOperations:
        if self.cross_dock and self.dock_doors is None:
            raise ValueError("cross_dock needs dock_doors: without a receiving model there is no put-away to skip")
        return self


class CentralWarehouse(Frozen):
    """The national distribution centre between the factories and the regional warehouses."""

    name: Annotated[str, Field(description="the central warehouse's name, which regional warehouses name as their "
                                            "supplier")]
    inbound: Annotated[tuple[InboundLane, ...], Field(description="the line-haul lanes from the factories into it")]
    inventory: InventoryPolicy
    inventory_by_product: dict[str, InventoryPolicy] = Field(  # overrides by product name
        default_factory=dict, description="an inventory policy per product name, in place of inventory for it")
    handling_in_cost_per_unit: CostPerItem
    handling_out_cost_per_unit: CostPerItem
    storage_cost_per_m3_day: StorageCost
    review_hour: HourOfDay = 20.0
    # Runs of regional warehouses served by one truck visiting them in this order; others keep a direct lane.
    multi_stop: Annotated[tuple[tuple[str, ...], ...], Field(
        max_length=1_000, description="runs of regional warehouse names, each served by one truck visiting them "
                                      "in this order")] = ()
    operations: WarehouseOperations | None = None  # None: receiving is instant

    @model_validator(mode="after")
    def _operations(self) -> CentralWarehouse:
        ops = self.operations
        if ops is not None and (ops.pickers is not None or ops.cross_dock):
            raise ValueError("operations: a central warehouse models receiving only (dock_doors, unload_*, "
                             "putaway_*); pickers and cross_dock belong to regional warehouses")
        return self


class Stores(Frozen):
    """Shops in a regional warehouse's area: the second sales channel, selling from their own shelves.

    Each shop sells ``units_per_store_per_day`` on a mean day (Poisson, in the
    products' ``share`` mix, shaped by the same weekday, season, trend and
    promotion factors as online orders), settled once a day at
    ``sales_close_hour``. On delivery days a store truck leaves the regional
    warehouse at ``depart_hour`` with what brings every shop back to
    ``order_up_to_days`` of its mean sales. Defaults: see docs/calibration.md.
    """

    # ASSUMPTION: a regional warehouse supplies a few hundred shops at most; the store trucks' tour is
    # planned over every pair of shops, so the count also bounds that work.
    count: Annotated[int, integer("shops", ge=1, le=2_000)]
    # Weekly mean of one shop's sales, all products together.
    units_per_store_per_day: Annotated[float, real("units a day", gt=0, le=100_000)]
    order_up_to_days: PositiveLevelDays = 3.0  # ASSUMPTION: a day to the next delivery (two over Sunday) plus safety
    initial_stock_days: LevelDays | None = None  # None: start at the order-up-to level
    delivery_weekdays: Annotated[tuple[Weekday, ...], Field(  # ASSUMPTION: Mon-Sat
        description="weekdays the store truck delivers, 0 = Monday .. 6 = Sunday")] = MONDAY_TO_SATURDAY
    depart_hour: HourOfDay = 5.0  # ASSUMPTION: shops are stocked before they open
    sales_close_hour: HourOfDay = 20.0  # ASSUMPTION: a day's sales are settled at once, when the shops close
    pick_cost_per_unit: CostPerItem = 0.35  # ASSUMPTION: case picking, as the central warehouse's handling out
    truck_capacity_m3: TruckM3 = 40.0  # ASSUMPTION: a rigid box truck
    cost_per_km: CostPerKm = 0.54  # ATRI 2024 fuel, repair, insurance, permits, tyres, tolls (as linehaul)
    driver_cost_per_hour: CostPerHour = 40.02  # ATRI 2024 driver wages + benefits per hour (as linehaul)
    fixed_cost_per_vehicle_day: CostPerDay = 100.0  # ASSUMPTION: box-truck payments and insurance
    unload_minutes_per_stop: Minutes = 20.0  # ASSUMPTION: roll cages through the shop's back door
    co2e_kg_per_km: Co2PerKm = 0.897  # DEFRA/DESNZ all HGVs, average laden [S]

    @model_validator(mode="after")
    def _days(self) -> Stores:
        check_delivery_weekdays(self.delivery_weekdays)
        return self

    @property
    def expected_units_per_day(self) -> float:
        """Mean units all the shops sell a day, before the weekday shape."""
        return self.count * self.units_per_store_per_day


class RegionalWarehouse(Frozen):
    """A regional warehouse: stock, picking capacity, its courier depot and its area."""

    name: Annotated[str, Field(description="the regional warehouse's name (its area and depot); --set and "
                                            "disruptions refer to it")]
    supplier: Annotated[str, Field(description="the name of the central warehouse that supplies it")]
    supplier_distance_km: LaneKm
    supplier_dispatch: Dispatch | None = None  # the direct lane from the supplier; None: ``linehaul.dispatch``
    # Road km to the next warehouse of a multi-stop run (by name), for the leg between the two stops.
    neighbour_distances_km: dict[str, LaneKm] = Field(
        default_factory=dict, description="road km to other regional warehouses by name (legs of multi_stop runs)")
    inventory: InventoryPolicy
    inventory_by_product: dict[str, InventoryPolicy] = Field(  # overrides by product name
        default_factory=dict, description="an inventory policy per product name, in place of inventory for it")
    handling_in_cost_per_unit: CostPerItem
    pick_pack_cost_per_order: CostPerItem
    storage_cost_per_m3_day: StorageCost
    picking_capacity_orders_per_day: Annotated[float, real("orders a day", ge=1, le=1e8)]
    picking_cutoff_hour: HourOfDay = 6.0
    review_hour: HourOfDay = 20.0
    area: Area
    fleet: Fleet
    operations: WarehouseOperations | None = None  # None: daily picking wave, instant receiving
    stores: Stores | None = None  # None: no shops, every unit leaves as an online parcel

    @model_validator(mode="after")
    def _cutoff(self) -> RegionalWarehouse:
        if self.picking_cutoff_hour > self.fleet.depart_hour:
            raise ValueError(
                f"picking_cutoff_hour ({self.picking_cutoff_hour}) must not be after "
                f"fleet.depart_hour ({self.fleet.depart_hour})"
            )
        return self

    @property
    def expected_units_per_day(self) -> float:
        """Mean units a day this warehouse ships, before the weekday shape: online orders plus shop sales.

        Stock levels in days of demand are sized from this, upstream as well.
        """
        if self.stores is None:
            return self.area.expected_orders_per_day
        return self.area.expected_orders_per_day + self.stores.expected_units_per_day


def leg_distance_km(here: RegionalWarehouse, there: RegionalWarehouse) -> float | None:
    """Road km between two regional warehouses, given on either of them (None if neither gives it)."""
    if there.name in here.neighbour_distances_km:
        return here.neighbour_distances_km[there.name]
    return there.neighbour_distances_km.get(here.name)
