"""The scenario schema: a frozen, validated description of what is simulated.

Every model reads its parameters from these classes and nothing else, so a
scenario file that validates here is a complete description of a run. Unknown
keys are rejected (``extra="forbid"``) because a misspelt key that is silently
ignored makes an analyst believe a what-if ran when it did not.

Units are in the field names where they are not obvious: hours (``_h``),
minutes (``_min``), kilometres (``_km``), km/h (``_kmh``), cubic metres
(``_m3``). Money is in the scenario's ``currency``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

NonNegative = Annotated[float, Field(ge=0)]
Positive = Annotated[float, Field(gt=0)]
Probability = Annotated[float, Field(ge=0, le=1)]
HourOfDay = Annotated[float, Field(ge=0, lt=24)]

# Published figures (TomTom Traffic Index, London: ~1.5 average, ~1.8 at rush
# hour); the hourly shape between them is an assumption.
URBAN_CONGESTION = (
    1.0, 1.0, 1.0, 1.0, 1.0, 1.05, 1.3, 1.7, 1.8, 1.6, 1.45, 1.45,
    1.5, 1.45, 1.45, 1.55, 1.7, 1.8, 1.65, 1.4, 1.2, 1.1, 1.05, 1.0,
)


class Frozen(BaseModel):
    """Base class: immutable, unknown keys rejected, values validated on assignment."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class Horizon(Frozen):
    """How long the clock runs: a warm-up that is simulated but not measured, then the window."""

    warmup_days: Annotated[int, Field(ge=0, le=365)] = 7
    days: Annotated[int, Field(ge=1, le=3650)] = 28
    start_weekday: Annotated[int, Field(ge=0, le=6)] = 0  # 0 = Monday


class Product(Frozen):
    """A product class (SKU group): what one unit is worth, how big it is, how it is handled."""

    share: Probability
    unit_value: Positive
    volume_m3: Positive
    weight_kg: Positive
    handling_multiplier: Positive = 1.0
    holding_rate_per_year: Annotated[float, Field(ge=0, le=5)] = 0.25
    service_time_multiplier: Positive = 1.0


class Demand(Frozen):
    """When orders arrive: day-of-week and hour-of-day shapes shared by every area.

    Three optional patterns multiply an area's Poisson mean of the day on top of
    the weekday shape: a yearly ``seasonality`` profile, a compounding
    ``trend_per_year`` and ``promotions`` (peak windows). Their defaults are
    neutral, so a scenario that does not mention them draws exactly as before.
    """

    class Seasonality(Frozen):
        """A yearly shape: one factor per calendar month, normalised so the year's mean day is 1.

        ``start_day_of_year`` (1 = 1 January, 365 = 31 December, no leap years)
        is the calendar day of simulation day 0.
        """

        monthly_factors: tuple[NonNegative, ...]
        start_day_of_year: Annotated[int, Field(ge=1, le=365)] = 1

        @model_validator(mode="after")
        def _twelve_months(self) -> Demand.Seasonality:
            if len(self.monthly_factors) != 12:
                raise ValueError(
                    f"monthly_factors needs 12 values (January..December), got {len(self.monthly_factors)}"
                )
            if sum(self.monthly_factors) <= 0:
                raise ValueError("monthly_factors must have at least one positive value")
            return self

    class Promotion(Frozen):
        """A peak window: ``days`` simulation days from ``start_day`` (day 0 = first simulated day,
        warm-up included) whose mean is multiplied by ``factor``."""

        start_day: Annotated[int, Field(ge=0)]
        days: Annotated[int, Field(ge=1)]
        factor: Positive

    weekday_factors: tuple[NonNegative, ...] = (1.1, 1.05, 1.0, 1.0, 0.95, 0.9, 1.0)
    hourly_profile: tuple[NonNegative, ...] = (
        1, 0.5, 0.3, 0.2, 0.2, 0.3, 1, 2, 3, 4, 5, 5,
        5, 5, 5, 5, 5, 5, 6, 7, 8, 7, 5, 2,
    )
    seasonality: Demand.Seasonality | None = None  # None: no yearly shape
    # Growth of the mean per year, compounding daily: 0.1 = +10 % after 365 days; above -1 so the mean stays positive.
    trend_per_year: Annotated[float, Field(gt=-1)] = 0.0
    promotions: tuple[Demand.Promotion, ...] = ()  # overlapping windows multiply

    @model_validator(mode="after")
    def _shapes(self) -> Demand:
        if len(self.weekday_factors) != 7:
            raise ValueError(f"weekday_factors needs 7 values (Monday..Sunday), got {len(self.weekday_factors)}")
        if len(self.hourly_profile) != 24:
            raise ValueError(f"hourly_profile needs 24 values, got {len(self.hourly_profile)}")
        if sum(self.hourly_profile) <= 0:
            raise ValueError("hourly_profile must have at least one positive value")
        return self


StockoutRule = Literal["backorder", "lost_sales"]
UnitCount = Annotated[int, Field(ge=0)]
PositiveUnitCount = Annotated[int, Field(ge=1)]
# A level in units: one number for every product the policy governs, or one per product name.
UnitLevels = UnitCount | dict[str, UnitCount]
PositiveUnitLevels = PositiveUnitCount | dict[str, PositiveUnitCount]
ReviewPeriodDays = Annotated[int, Field(ge=1, le=365)]


class PolicyBase(Frozen):
    """What every inventory policy shares: safety stock, initial stock and what a stock-out does.

    Each level is given either in days of the warehouse's expected demand
    (``..._days``, so one scenario scales with demand without retuning) or in
    units (``..._units``: one number, or a table per product name), never both.
    ``safety_stock_days`` is added to the reorder point and to the order-up-to
    level (not to an order quantity). The initial stock defaults to the top of
    the policy's band.
    """

    safety_stock_days: NonNegative = 0.0
    initial_stock_days: NonNegative | None = None
    initial_stock_units: UnitLevels | None = None
    stockout: StockoutRule = "backorder"  # lost_sales: demand that finds no stock is cancelled

    def _one_form(self, level: str, required: bool = True) -> None:
        """Exactly one of ``{level}_days`` and ``{level}_units`` (at most one when not required)."""
        days = getattr(self, f"{level}_days")
        units = getattr(self, f"{level}_units")
        if days is not None and units is not None:
            raise ValueError(f"{level}_days and {level}_units are both given: give one of them, not both")
        if required and days is None and units is None:
            raise ValueError(f"{level}_days or {level}_units is required (days of mean demand, or units per product)")

    def unit_levels(self) -> dict[str, UnitLevels]:
        """The levels given in units, by key: their product names are checked against the scenario's."""
        return {
            name: value
            for name in type(self).model_fields
            if name.endswith("_units") and (value := getattr(self, name)) is not None
        }


def _not_above(upper: UnitLevels, lower: UnitLevels) -> str:
    """Where a units level is not above another (empty when it is everywhere both are given)."""
    if isinstance(upper, int) and isinstance(lower, int):
        return "" if upper > lower else f"{upper} <= {lower}"
    names = list(upper) if isinstance(upper, dict) else list(lower) if isinstance(lower, dict) else []
    bad = []
    for name in names:
        high = upper.get(name) if isinstance(upper, dict) else upper
        low = lower.get(name) if isinstance(lower, dict) else lower
        if high is not None and low is not None and high <= low:
            bad.append(f"{name}: {high} <= {low}")
    return ", ".join(bad)


class SSPolicy(PolicyBase):
    """Periodic-review (s, S), once a day: when the inventory position is at or below s, order up to S."""

    policy: Literal["sS"] = "sS"
    reorder_point_days: NonNegative | None = None
    reorder_point_units: UnitLevels | None = None
    order_up_to_days: Positive | None = None
    order_up_to_units: PositiveUnitLevels | None = None

    @model_validator(mode="after")
    def _order(self) -> SSPolicy:
        self._one_form("reorder_point")
        self._one_form("order_up_to")
        self._one_form("initial_stock", required=False)
        if (
            self.order_up_to_days is not None and self.reorder_point_days is not None
            and self.order_up_to_days <= self.reorder_point_days
        ):
            raise ValueError(
                f"order_up_to_days ({self.order_up_to_days}) must be greater than "
                f"reorder_point_days ({self.reorder_point_days})"
            )
        if self.order_up_to_units is not None and self.reorder_point_units is not None:
            low = _not_above(self.order_up_to_units, self.reorder_point_units)
            if low:
                raise ValueError(f"order_up_to_units must be greater than reorder_point_units (not for {low})")
        return self


class BaseStockPolicy(PolicyBase):
    """Base-stock, once a day: order what brings the inventory position back to the level."""

    policy: Literal["base_stock"] = "base_stock"
    level_days: Positive | None = None
    level_units: PositiveUnitLevels | None = None

    @model_validator(mode="after")
    def _forms(self) -> BaseStockPolicy:
        self._one_form("level")
        self._one_form("initial_stock", required=False)
        return self


class RQPolicy(PolicyBase):
    """Continuous-review (r, Q): at every demand and receipt, while the position is at or below r, order Q.

    Orders come in multiples of Q, as many as lift the position above r.
    """

    policy: Literal["RQ"] = "RQ"
    reorder_point_days: NonNegative | None = None
    reorder_point_units: UnitLevels | None = None
    order_quantity_days: Positive | None = None
    order_quantity_units: PositiveUnitLevels | None = None

    @model_validator(mode="after")
    def _forms(self) -> RQPolicy:
        self._one_form("reorder_point")
        self._one_form("order_quantity")
        self._one_form("initial_stock", required=False)
        return self


class TSPolicy(PolicyBase):
    """Periodic review every T days (T, S): order up to S at each review."""

    policy: Literal["TS"] = "TS"
    review_period_days: ReviewPeriodDays
    order_up_to_days: Positive | None = None
    order_up_to_units: PositiveUnitLevels | None = None

    @model_validator(mode="after")
    def _forms(self) -> TSPolicy:
        self._one_form("order_up_to")
        self._one_form("initial_stock", required=False)
        return self


class TQPolicy(PolicyBase):
    """Periodic review every T days (T, r, Q): when the position is at or below r, order multiples of Q."""

    policy: Literal["TQ"] = "TQ"
    review_period_days: ReviewPeriodDays
    reorder_point_days: NonNegative | None = None
    reorder_point_units: UnitLevels | None = None
    order_quantity_days: Positive | None = None
    order_quantity_units: PositiveUnitLevels | None = None

    @model_validator(mode="after")
    def _forms(self) -> TQPolicy:
        self._one_form("reorder_point")
        self._one_form("order_quantity")
        self._one_form("initial_stock", required=False)
        return self


InventoryPolicy = Annotated[
    SSPolicy | BaseStockPolicy | RQPolicy | TSPolicy | TQPolicy, Field(discriminator="policy")
]


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

    name: str
    products: tuple[str, ...]
    capacity_units_per_day: Positive
    production_hour: HourOfDay = 6.0  # daily_batch: when the day's output is made; continuous: shift start
    mode: Literal["daily_batch", "continuous"] = "daily_batch"
    shift_hours: Annotated[float, Field(gt=0, le=24)] = 24.0  # continuous: working hours a day
    # A product is made in runs of at least this many units (one number, or one per product name;
    # products not named run in batches of 1). The surplus of a run is finished-goods stock.
    min_batch_units: PositiveUnitLevels = 1
    setup_hours: NonNegative = 0.0  # working time lost whenever the line switches product
    mtbf_hours: Positive | None = None  # mean time between breakdowns (exponential); None: never breaks down
    mean_repair_hours: Positive = 4.0
    repair_distribution: Literal["exponential", "lognormal"] = "exponential"
    repair_sigma: Annotated[float, Field(gt=0, le=3)] = 0.5  # lognormal only: sigma of log(repair time)
    policy: Literal["make_to_order", "make_to_stock"] = "make_to_order"
    # make_to_stock: finished-goods target in days of the mean demand the plant serves (one number,
    # or one per product name; products not named get no stock and are made to order).
    fg_target_days: NonNegative | dict[str, NonNegative] | None = None

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


class FullOrCutoff(Frozen):
    """Line-haul dispatch: a truck leaves as soon as a full load waits, and at the daily cut-off with the rest."""

    policy: Literal["full_or_cutoff"] = "full_or_cutoff"
    # None: ``linehaul.cutoff_hour``, the key older scenarios set, so they keep their meaning.
    cutoff_hour: HourOfDay | None = None


class FixedTimes(Frozen):
    """Line-haul dispatch: trucks leave only at these hours of every day, with whatever waits, full or not."""

    policy: Literal["fixed_times"] = "fixed_times"
    times: tuple[HourOfDay, ...]

    @model_validator(mode="after")
    def _times(self) -> FixedTimes:
        if not self.times:
            raise ValueError("times must name at least one departure hour")
        if list(self.times) != sorted(set(self.times)):
            raise ValueError(f"times must be increasing and distinct, got {list(self.times)}")
        return self


class Hybrid(Frozen):
    """Line-haul dispatch: a truck leaves when a full load waits, or when the oldest goods have waited this long."""

    policy: Literal["hybrid"] = "hybrid"
    max_wait_hours: Annotated[float, Field(gt=0, le=24 * 14)]


Dispatch = Annotated[FullOrCutoff | FixedTimes | Hybrid, Field(discriminator="policy")]


class LessThanTruckload(Frozen):
    """A less-than-truckload (LTL) carrier for loads too small to fill an own truck: paid by tariff."""

    rate_per_m3_per_100km: NonNegative
    minimum_charge: NonNegative = 0.0  # per consignment (one destination of one departure)
    transit_days: Annotated[float, Field(ge=0, le=14)] = 1.0  # door to door, from the departure
    below_fill: Annotated[float, Field(gt=0, le=1)] = 0.3  # a truck that would leave less full goes LTL


class InboundLane(Frozen):
    """A line-haul lane from a factory into a central warehouse."""

    factory: str
    distance_km: Positive
    dispatch: Dispatch | None = None  # None: ``linehaul.dispatch``


class WarehouseOperations(Frozen):
    """Time-consuming work inside a warehouse: picking by a crew in shifts, receiving at dock doors.

    Each half is optional: without ``pickers`` orders are picked in the daily
    wave of ``picking_capacity_orders_per_day``; without ``dock_doors`` a truck's
    load is on the shelf the moment it arrives. Costs do not change, only timing.
    """

    pickers: Annotated[int, Field(ge=1)] | None = None  # simultaneous picks (a SimPy Resource)
    pick_minutes_mean: Positive = 3.0  # exponential pick-and-pack time of one order
    shift_start_hour: HourOfDay = 0.0
    shift_hours: Annotated[float, Field(gt=0, le=24)] = 24.0  # 24: the pickers never leave
    dock_doors: Annotated[int, Field(ge=1)] | None = None  # trucks unloaded at once (a SimPy Resource)
    unload_hours_per_truck: NonNegative = 1.0
    unload_time: Literal["fixed", "exponential"] = "fixed"
    putaway_minutes_per_unit: NonNegative = 0.0  # after unloading, before a unit can be allocated
    # Regional only: units that arrive for backordered orders skip put-away and go straight to picking.
    cross_dock: bool = False

    @model_validator(mode="after")
    def _cross_dock(self) -> WarehouseOperations:
        if self.cross_dock and self.dock_doors is None:
            raise ValueError("cross_dock needs dock_doors: without a receiving model there is no put-away to skip")
        return self


class CentralWarehouse(Frozen):
    """The national distribution centre between the factories and the regional warehouses."""

    name: str
    inbound: tuple[InboundLane, ...]
    inventory: InventoryPolicy
    inventory_by_product: dict[str, InventoryPolicy] = Field(default_factory=dict)  # overrides by product name
    handling_in_cost_per_unit: NonNegative
    handling_out_cost_per_unit: NonNegative
    storage_cost_per_m3_day: NonNegative
    review_hour: HourOfDay = 20.0
    # Runs of regional warehouses served by one truck visiting them in this order; others keep a direct lane.
    multi_stop: tuple[tuple[str, ...], ...] = ()
    operations: WarehouseOperations | None = None  # None: receiving is instant

    @model_validator(mode="after")
    def _operations(self) -> CentralWarehouse:
        ops = self.operations
        if ops is not None and (ops.pickers is not None or ops.cross_dock):
            raise ValueError("operations: a central warehouse models receiving only (dock_doors, unload_*, "
                             "putaway_*); pickers and cross_dock belong to regional warehouses")
        return self


class LowEmissionZone(Frozen):
    """A zone around the area's centre that only some vehicle types may serve."""

    radius_km: Positive
    allowed_types: tuple[str, ...]


class TimeWindows(Frozen):
    """Delivery slots that a share of home-delivery customers choose at order time."""

    share: Probability = 0.0
    absence_factor: Probability = 0.3  # ASSUMPTION: customers who chose a slot are mostly in during it
    slots: tuple[tuple[HourOfDay, Annotated[float, Field(gt=0, le=24)]], ...] = (
        (8.0, 11.0), (11.0, 14.0), (14.0, 17.0),
    )
    # A slot that cannot be kept for this many delivery days is given up: the customer takes any time.
    rebook_after_days: Annotated[int, Field(ge=1, le=30)] = 2

    @model_validator(mode="after")
    def _slots(self) -> TimeWindows:
        if not self.slots:
            raise ValueError("slots must name at least one [start, end] slot")
        for start, end in self.slots:
            if end <= start:
                raise ValueError(f"slot [{start}, {end}]: the end must be after the start")
        return self


class Outsourcing(Frozen):
    """A share of the area's parcels handed to a third-party carrier (3PL) at a per-parcel rate."""

    share: Probability = 0.0
    rate_per_parcel: NonNegative = 0.0
    first_attempt_success: Probability = 0.95
    max_attempts: Annotated[int, Field(ge=1, le=10)] = 3
    transit_days: Annotated[int, Field(ge=0, le=10)] = 1
    co2e_kg_per_parcel: NonNegative = 0.0


class MicroHub(Frozen):
    """A small hub in the area, fed daily by a line-haul shuttle, from which some fleet units start."""

    x_km: float = 0.0  # from the area's centre
    y_km: float = 0.0
    rent_per_day: NonNegative = 0.0


class Area(Frozen):
    """The geography and the customers a regional warehouse serves."""

    kind: Literal["urban", "suburban", "rural", "other"] = "other"
    area_km2: Positive
    households_per_km2: Positive
    orders_per_household_per_day: Positive
    depot_distance_km: NonNegative  # from the depot to the centre of the area
    circuity: Annotated[float, Field(ge=1, le=3)] = 1.3
    free_flow_speed_kmh: Positive
    stem_speed_kmh: Positive
    congestion_multipliers: tuple[Annotated[float, Field(ge=1)], ...] = URBAN_CONGESTION
    absence_probability: Probability
    absence_hourly_factor: tuple[NonNegative, ...] = (1.0,) * 24
    service_time_median_min: Positive
    service_time_shape: Annotated[float, Field(gt=1)] = 3.0
    failed_attempt_time_factor: Positive = 0.6
    pickup_points: Annotated[int, Field(ge=0)] = 5  # staffed shops: no capacity limit
    lockers: Annotated[int, Field(ge=0)] = 0
    locker_capacity: Annotated[int, Field(ge=0)] = 60  # compartments per locker
    pickup_choice_share: Probability = 0.0  # customers who choose a point or locker at order time
    redirect_after_failure_share: Probability = 0.0  # failed parcels sent to a point instead of re-attempted
    delivery_hours: tuple[HourOfDay, Annotated[float, Field(gt=0, le=24)]] = (0.0, 24.0)  # local curfew
    households_per_address: Annotated[float, Field(ge=1)] = 1.0  # > 1: apartment buildings share an address
    consolidate_same_address: bool = False  # parcels for one address on one day: one stop
    extra_parcel_service_min: NonNegative = 1.0  # ASSUMPTION: each further parcel at a shared stop
    low_emission_zone: LowEmissionZone | None = None
    time_windows: TimeWindows = TimeWindows()
    outsourcing: Outsourcing = Outsourcing()
    micro_hub: MicroHub | None = None

    @model_validator(mode="after")
    def _profiles(self) -> Area:
        if len(self.congestion_multipliers) != 24:
            raise ValueError(f"congestion_multipliers needs 24 values, got {len(self.congestion_multipliers)}")
        if len(self.absence_hourly_factor) != 24:
            raise ValueError(f"absence_hourly_factor needs 24 values, got {len(self.absence_hourly_factor)}")
        if self.delivery_hours[1] <= self.delivery_hours[0]:
            raise ValueError(f"delivery_hours {list(self.delivery_hours)}: the end must be after the start")
        capacity = self.pickup_points > 0 or (self.lockers > 0 and self.locker_capacity > 0)
        if (self.pickup_choice_share > 0 or self.redirect_after_failure_share > 0) and not capacity:
            raise ValueError(
                "pickup_choice_share / redirect_after_failure_share send parcels to pickup points or lockers, "
                f"but this area has pickup_points = {self.pickup_points}, lockers = {self.lockers} with "
                f"locker_capacity = {self.locker_capacity}: add points or locker capacity"
            )
        return self

    @property
    def expected_orders_per_day(self) -> float:
        """Mean orders per day before the weekday shape."""
        return self.area_km2 * self.households_per_km2 * self.orders_per_household_per_day


class VehicleType(Frozen):
    """A kind of last-mile vehicle: what it carries, how fast it goes, what it costs and emits."""

    kind: Literal["van", "cargo_bike", "drone"] = "van"
    capacity_m3: Positive
    payload_kg: Positive
    max_parcel_weight_kg: Positive | None = None
    max_parcel_volume_m3: Positive | None = None
    speed_factor: Positive = 1.0  # x the area's free-flow and stem speeds (road vehicles)
    congestion_exposure: Annotated[float, Field(ge=0, le=1)] = 1.0  # 0: congestion does not slow it
    cruise_speed_kmh: Positive | None = None  # drones: straight line, no circuity, no congestion
    range_km: Positive = 10_000.0
    charging_hours: NonNegative = 0.0
    cost_per_km: NonNegative
    fixed_cost_per_day: NonNegative
    driver_cost_per_hour: NonNegative
    co2e_kg_per_km: NonNegative
    service_time_factor: Positive = 1.0
    weather_downtime_probability: Probability = 0.0  # chance per day that it cannot operate
    sortie_turnaround_min: NonNegative = 0.0  # drones: battery swap and loading between sorties
    products: tuple[str, ...] = ()  # eligible product classes; empty means all

    @model_validator(mode="after")
    def _drone(self) -> VehicleType:
        if self.kind == "drone":
            if self.cruise_speed_kmh is None:
                raise ValueError("a drone needs cruise_speed_kmh")
            if self.max_parcel_weight_kg is None:
                raise ValueError("a drone needs max_parcel_weight_kg (its payload per parcel)")
        if self.max_parcel_weight_kg is not None and self.max_parcel_weight_kg > self.payload_kg:
            raise ValueError(
                f"max_parcel_weight_kg ({self.max_parcel_weight_kg}) exceeds payload_kg ({self.payload_kg})"
            )
        return self


class FleetUnit(Frozen):
    """Vehicles of one type at a depot. Units are served in order: earlier units pick their parcels first."""

    type: str
    count: Annotated[int, Field(ge=0)]
    start: Literal["depot", "micro_hub"] = "depot"
    wave: Literal["daily", "same_day"] = "daily"  # same-day units leave in the afternoon with same-day parcels


class Fleet(Frozen):
    """The couriers of one regional warehouse: vehicle units, shifts and working-time rules."""

    units: tuple[FleetUnit, ...]
    same_day_depart_hour: HourOfDay = 13.0  # when units of the same-day wave leave
    shift_hours: Annotated[float, Field(gt=0, le=16)] = 9.0
    break_minutes: NonNegative = 30.0
    break_after_hours: Positive = 4.5  # driving-time rules: a break after at most 4.5 h
    max_overtime_hours: NonNegative = 1.5
    depart_hour: HourOfDay = 8.0
    delivery_weekdays: tuple[Annotated[int, Field(ge=0, le=6)], ...] = (0, 1, 2, 3, 4, 5)
    overtime_multiplier: Annotated[float, Field(ge=1)] = 1.5

    @model_validator(mode="after")
    def _days(self) -> Fleet:
        if not self.delivery_weekdays:
            raise ValueError("delivery_weekdays must name at least one day (0 = Monday .. 6 = Sunday)")
        if len(set(self.delivery_weekdays)) != len(self.delivery_weekdays):
            raise ValueError(f"delivery_weekdays has duplicates: {list(self.delivery_weekdays)}")
        if self.break_minutes / 60 >= self.shift_hours:
            raise ValueError("break_minutes must be shorter than the shift")
        if not self.units or sum(u.count for u in self.units) == 0:
            raise ValueError("units must hold at least one vehicle")
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

    count: Annotated[int, Field(ge=1)]
    units_per_store_per_day: Positive  # weekly mean of one shop's sales, all products together
    order_up_to_days: Positive = 3.0  # ASSUMPTION: a day to the next delivery (two over Sunday) plus safety
    initial_stock_days: NonNegative | None = None  # None: start at the order-up-to level
    delivery_weekdays: tuple[Annotated[int, Field(ge=0, le=6)], ...] = (0, 1, 2, 3, 4, 5)  # ASSUMPTION: Mon-Sat
    depart_hour: HourOfDay = 5.0  # ASSUMPTION: shops are stocked before they open
    sales_close_hour: HourOfDay = 20.0  # ASSUMPTION: a day's sales are settled at once, when the shops close
    pick_cost_per_unit: NonNegative = 0.35  # ASSUMPTION: case picking, as the central warehouse's handling out
    truck_capacity_m3: Positive = 40.0  # ASSUMPTION: a rigid box truck
    cost_per_km: NonNegative = 0.56  # ATRI 2024 all-in less driver pay and truck payments (as linehaul)
    driver_cost_per_hour: NonNegative = 33.96  # BLS heavy-truck median $26.12/h x 1.3 on-cost (ASSUMPTION)
    fixed_cost_per_vehicle_day: NonNegative = 100.0  # ASSUMPTION: box-truck payments and insurance
    unload_minutes_per_stop: NonNegative = 20.0  # ASSUMPTION: roll cages through the shop's back door
    co2e_kg_per_km: NonNegative = 0.897  # DEFRA/DESNZ all HGVs, average laden [S]

    @model_validator(mode="after")
    def _days(self) -> Stores:
        if not self.delivery_weekdays:
            raise ValueError("delivery_weekdays must name at least one day (0 = Monday .. 6 = Sunday)")
        if len(set(self.delivery_weekdays)) != len(self.delivery_weekdays):
            raise ValueError(f"delivery_weekdays has duplicates: {list(self.delivery_weekdays)}")
        return self

    @property
    def expected_units_per_day(self) -> float:
        """Mean units all the shops sell a day, before the weekday shape."""
        return self.count * self.units_per_store_per_day


class RegionalWarehouse(Frozen):
    """A regional warehouse: stock, picking capacity, its courier depot and its area."""

    name: str
    supplier: str
    supplier_distance_km: Positive
    supplier_dispatch: Dispatch | None = None  # the direct lane from the supplier; None: ``linehaul.dispatch``
    # Road km to the next warehouse of a multi-stop run (by name), for the leg between the two stops.
    neighbour_distances_km: dict[str, Positive] = Field(default_factory=dict)
    inventory: InventoryPolicy
    inventory_by_product: dict[str, InventoryPolicy] = Field(default_factory=dict)  # overrides by product name
    handling_in_cost_per_unit: NonNegative
    pick_pack_cost_per_order: NonNegative
    storage_cost_per_m3_day: NonNegative
    picking_capacity_orders_per_day: Positive
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


class LineHaul(Frozen):
    """Trucks between factories, the central and the regional warehouses."""

    truck_capacity_m3: Positive
    speed_kmh: Positive
    transit_time_sigma: Annotated[float, Field(ge=0, le=2)] = 0.15
    loading_hours: NonNegative = 1.0
    cost_per_km: NonNegative
    driver_cost_per_hour: NonNegative
    fixed_cost_per_vehicle_day: NonNegative
    cutoff_hour: HourOfDay = 18.0  # the cut-off of the full_or_cutoff dispatch when it names none
    dispatch: Dispatch = FullOrCutoff()
    empty_return: bool = True
    co2e_kg_per_km: NonNegative = 0.897  # DEFRA/DESNZ all HGVs, average laden [S]
    # Multi-stop runs: time to unload at each stop before the last (ASSUMPTION).
    drop_hours: NonNegative = 0.5
    ltl: LessThanTruckload | None = None  # None: every load goes in an own truck (FTL)


class Traffic(Frozen):
    """Random variation on top of the congestion profile: a day factor and a per-leg factor (lognormal)."""

    day_sigma: Annotated[float, Field(ge=0, le=2)] = 0.10
    leg_sigma: Annotated[float, Field(ge=0, le=2)] = 0.25


class LastMilePolicy(Frozen):
    """What happens to a parcel that cannot be handed over."""

    max_attempts: Annotated[int, Field(ge=1, le=10)] = 3
    after_max_attempts: Literal["pickup_point", "return"] = "pickup_point"
    failed_attempt_handling_cost: NonNegative = 1.0
    pickup_point_fee: NonNegative
    locker_fee: NonNegative = 0.5
    pickup_point_handover_min: NonNegative = 5.0
    pickup_point_service_per_parcel_min: NonNegative = 0.5
    pickup_hold_days: Annotated[float, Field(gt=0)] = 7.0
    pickup_collection_probability: Probability = 0.95
    pickup_collection_mean_days: Positive = 1.5
    return_handling_cost: NonNegative
    return_transport_cost_per_parcel: NonNegative


class ServiceLevels(Frozen):
    """What customers are promised, for the on-time KPIs and the same-day wave."""

    promise_days: Annotated[int, Field(ge=0, le=14)] = 1  # delivery days after the order day
    order_cutoff_hour: Annotated[float, Field(ge=0, le=24)] = 24.0  # later orders count from the next day
    promise_end_hour: Annotated[float, Field(gt=0, le=24)] = 21.0
    same_day_share: Probability = 0.0  # of orders placed before the same-day cut-off on a delivery day
    same_day_cutoff_hour: HourOfDay = 10.0


class Routing(Frozen):
    """How courier routes are planned."""

    planner: Literal["heuristic", "pyvrp"] = "heuristic"
    time_budget_s: Annotated[float, Field(gt=0, le=600)] = 1.0  # per depot, wave and day (PyVRP)


class Outputs(Frozen):
    """What a run keeps: the parcel event trail costs memory and is off by default."""

    parcel_events: bool = False
    plots: bool = True


class DisruptionBase(Frozen):
    """When a disruption happens and how it fades: what every kind of disruption shares.

    A disruption is either scheduled (``start_day``: one occurrence, lasting
    exactly ``duration_days``) or random (``rate_per_year``: occurrences of a
    Poisson process over the whole run, each lasting ``duration_days`` or, with
    ``duration_distribution = "exponential"``, an exponential time of that
    mean). Its severity is 1 during the event and then falls linearly to 0 over
    ``recovery_days``; 0 otherwise. Days count from simulation day 0, warm-up
    included, and may be fractional.
    """

    start_day: NonNegative | None = None
    rate_per_year: Positive | None = None
    duration_days: Positive
    duration_distribution: Literal["fixed", "exponential"] = "fixed"
    recovery_days: NonNegative = 0.0

    @field_validator("rate_per_year")
    @classmethod
    def _scheduled_or_random(cls, rate: float | None, info: ValidationInfo) -> float | None:
        if "start_day" not in info.data:
            return rate  # start_day itself is invalid: that error is reported already
        start = info.data["start_day"]
        if start is not None and rate is not None:
            raise ValueError(f"start_day = {start} is given too: a disruption is either scheduled (start_day) "
                             "or random (rate_per_year), not both")
        if start is None and rate is None:
            raise ValueError("neither start_day nor rate_per_year is given: give start_day (one scheduled "
                             "occurrence) or rate_per_year (random occurrences)")
        return rate

    @field_validator("duration_distribution")
    @classmethod
    def _exact_when_scheduled(cls, distribution: str, info: ValidationInfo) -> str:
        if distribution == "exponential" and info.data.get("start_day") is not None:
            raise ValueError("a scheduled disruption (start_day) lasts exactly duration_days: "
                             "\"exponential\" needs rate_per_year")
        return distribution

    @property
    def random(self) -> bool:
        """Whether the occurrences are drawn at random (rate_per_year) rather than scheduled (start_day)."""
        return self.rate_per_year is not None

    def references(self) -> tuple[tuple[tuple[str | int, ...], str, str], ...]:
        """The network names this disruption points at: (key path below it, name, what it must name).

        What it must name is one of ``"factory"``, ``"warehouse"`` (central or
        regional), ``"regional"`` or ``"site"`` (a factory or a warehouse).
        """
        return ()

    @property
    def target(self) -> str:
        """What it hits, for tables and reports."""
        return "all"


class FactoryOutage(DisruptionBase):
    """A plant loses capacity: ``capacity_factor`` is the share left during the event (0: stopped)."""

    kind: Literal["factory_outage"] = "factory_outage"
    factory: str
    capacity_factor: Annotated[float, Field(ge=0, lt=1)] = 0.0

    def references(self) -> tuple[tuple[tuple[str | int, ...], str, str], ...]:
        """The plant it stops."""
        return ((("factory",), self.factory, "factory"),)

    @property
    def target(self) -> str:
        """The plant."""
        return self.factory


class LinehaulDelay(DisruptionBase):
    """Trucks take longer: ``delay_hours`` more transit (times the severity at departure) on the named lanes.

    A lane is affected when its origin or one of its stops is named (factories,
    central or regional warehouses); ``lanes = []`` affects every lane.
    """

    kind: Literal["linehaul_delay"] = "linehaul_delay"
    lanes: tuple[str, ...] = ()
    delay_hours: Positive

    def references(self) -> tuple[tuple[tuple[str | int, ...], str, str], ...]:
        """The origins and stops that pick the lanes."""
        return tuple((("lanes", j), name, "site") for j, name in enumerate(self.lanes))

    @property
    def target(self) -> str:
        """The named sites, or "all"."""
        return ",".join(self.lanes) or "all"


class WarehouseClosure(DisruptionBase):
    """A central or regional warehouse closes: no receiving, shipping, picking or courier dispatch.

    It reopens at full capacity (``recovery_days`` must be 0): the recovery is
    the backlog clearing, which the model does by itself.
    """

    kind: Literal["warehouse_closure"] = "warehouse_closure"
    warehouse: str

    @field_validator("recovery_days")
    @classmethod
    def _reopens_at_full_capacity(cls, days: float) -> float:
        if days != 0:
            raise ValueError("a closed warehouse reopens at full capacity, so recovery_days must be 0 "
                             "(the recovery is its backlog clearing, which the model simulates)")
        return days

    def references(self) -> tuple[tuple[tuple[str | int, ...], str, str], ...]:
        """The warehouse it closes."""
        return ((("warehouse",), self.warehouse, "warehouse"),)

    @property
    def target(self) -> str:
        """The warehouse."""
        return self.warehouse


class DemandSurge(DisruptionBase):
    """Orders in the named areas are multiplied by ``factor`` (below 1: a drop) while it lasts."""

    kind: Literal["demand_surge"] = "demand_surge"
    regions: tuple[str, ...] = ()  # regional warehouse names; empty: every area
    factor: Positive

    def references(self) -> tuple[tuple[tuple[str | int, ...], str, str], ...]:
        """The areas whose demand it changes."""
        return tuple((("regions", j), name, "regional") for j, name in enumerate(self.regions))

    @property
    def target(self) -> str:
        """The named areas, or "all"."""
        return ",".join(self.regions) or "all"


Disruption = Annotated[
    FactoryOutage | LinehaulDelay | WarehouseClosure | DemandSurge, Field(discriminator="kind")
]
# The tags of the disruption union: pydantic puts them in error locations.
DISRUPTION_KINDS = ("factory_outage", "linehaul_delay", "warehouse_closure", "demand_surge")


def _disruption_error(index: int, kind: str, key: tuple[str | int, ...], value: object, reason: str) -> ValidationError:
    """A validation error located at ``disruptions[index].key``, for checks that need the whole scenario.

    Raised from the scenario's own validator, whose errors would otherwise have
    no key path; the message goes through the context so that braces in it are
    not read as a template.
    """
    return ValidationError.from_exception_data(
        "Scenario",
        [InitErrorDetails(type=PydanticCustomError("value_error", "{reason}", {"reason": reason}),
                          loc=("disruptions", index, kind, *key), input=value)],
    )


class Scenario(Frozen):
    """A whole supply chain and its policies: the single input of a run."""

    name: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")]
    description: str = ""
    currency: str = "USD"
    seed: Annotated[int, Field(ge=0)] = 1
    horizon: Horizon = Horizon()
    demand: Demand = Demand()
    products: dict[str, Product]
    factories: tuple[Factory, ...]
    central_warehouses: tuple[CentralWarehouse, ...]
    regional_warehouses: tuple[RegionalWarehouse, ...]
    linehaul: LineHaul
    traffic: Traffic = Traffic()
    last_mile: LastMilePolicy
    vehicle_types: dict[str, VehicleType]
    service: ServiceLevels = ServiceLevels()
    routing: Routing = Routing()
    outputs: Outputs = Outputs()
    disruptions: tuple[Disruption, ...] = ()  # scheduled or random events; see DisruptionBase

    @model_validator(mode="after")
    def _network(self) -> Scenario:
        """Cross-references: every name points at something that exists, and every product has a source."""
        if not self.products:
            raise ValueError("products must define at least one product class")
        share = sum(p.share for p in self.products.values())
        if abs(share - 1.0) > 1e-6:
            raise ValueError(f"products: the shares must sum to 1, they sum to {share:.6g}")
        if not self.factories or not self.central_warehouses or not self.regional_warehouses:
            raise ValueError("the network needs at least one factory, one central and one regional warehouse")
        for kind, items in (
            ("factories", self.factories),
            ("central_warehouses", self.central_warehouses),
            ("regional_warehouses", self.regional_warehouses),
        ):
            names = [item.name for item in items]
            duplicated = sorted({n for n in names if names.count(n) > 1})
            if duplicated:
                raise ValueError(f"{kind}: names must be unique, duplicated: {duplicated}")
        factories = {f.name: f for f in self.factories}
        for f in self.factories:
            unknown = [p for p in f.products if p not in self.products]
            if unknown:
                raise ValueError(
                    f"factory '{f.name}' makes unknown products {unknown} (known: {list(self.products)})"
                )
        centrals = {c.name for c in self.central_warehouses}
        for c in self.central_warehouses:
            if not c.inbound:
                raise ValueError(f"central warehouse '{c.name}' has no inbound lane from a factory")
            made: list[str] = []
            for lane in c.inbound:
                if lane.factory not in factories:
                    raise ValueError(
                        f"central warehouse '{c.name}': inbound factory '{lane.factory}' does not exist "
                        f"(known: {list(factories)})"
                    )
                made.extend(factories[lane.factory].products)
            missing = [p for p in self.products if p not in made]
            if missing:
                raise ValueError(f"central warehouse '{c.name}': no inbound factory makes {missing}")
            twice = sorted({p for p in made if made.count(p) > 1})
            if twice:
                raise ValueError(f"central warehouse '{c.name}': more than one inbound factory makes {twice}")
            self._check_inventory(f"central warehouse '{c.name}'", c.inventory, c.inventory_by_product)
            self._check_multi_stop(c)
        for r in self.regional_warehouses:
            if r.supplier not in centrals:
                raise ValueError(
                    f"regional warehouse '{r.name}': supplier '{r.supplier}' is not a central warehouse "
                    f"(known: {sorted(centrals)})"
                )
            self._check_fleet(r)
            self._check_inventory(f"regional warehouse '{r.name}'", r.inventory, r.inventory_by_product)
        for name, vehicle in self.vehicle_types.items():
            unknown = [p for p in vehicle.products if p not in self.products]
            if unknown:
                raise ValueError(f"vehicle type '{name}': unknown products {unknown} (known: {list(self.products)})")
            if vehicle.kind == "drone" and vehicle.max_parcel_weight_kg is not None:
                heavy = [p for p in vehicle.products if self.products[p].weight_kg > vehicle.max_parcel_weight_kg]
                if heavy:
                    raise ValueError(
                        f"vehicle type '{name}': products {heavy} weigh more than its max_parcel_weight_kg "
                        f"({vehicle.max_parcel_weight_kg} kg)"
                    )
        return self

    @model_validator(mode="after")
    def _disruption_targets(self) -> Scenario:
        """Every disruption names parts of this network, and a scheduled one starts before the run ends."""
        run_days = self.horizon.warmup_days + self.horizon.days
        factories = [f.name for f in self.factories]
        warehouses = [c.name for c in self.central_warehouses] + [r.name for r in self.regional_warehouses]
        regionals = [r.name for r in self.regional_warehouses]
        known = {"factory": factories, "warehouse": warehouses, "regional": regionals,
                 "site": factories + warehouses}
        what = {"factory": "a factory", "warehouse": "a central or regional warehouse",
                "regional": "a regional warehouse", "site": "a factory or a warehouse"}
        for i, disruption in enumerate(self.disruptions):
            start = disruption.start_day
            if start is not None and start >= run_days:
                raise _disruption_error(
                    i, disruption.kind, ("start_day",), start,
                    f"the run ends at day {run_days} (warmup_days + days): a scheduled disruption must start before",
                )
            for key, name, category in disruption.references():
                if name not in known[category]:
                    raise _disruption_error(
                        i, disruption.kind, key, name, f"not {what[category]} (known: {known[category]})"
                    )
        return self

    def _check_multi_stop(self, c: CentralWarehouse) -> None:
        """Each multi-stop run names two or more distinct warehouses this central supplies, in no other run,
        and the distance of every leg between consecutive stops is known."""
        regionals = {r.name: r for r in self.regional_warehouses}
        served: list[str] = []
        for i, stops in enumerate(c.multi_stop):
            where = f"central warehouse '{c.name}': multi_stop[{i}]"
            if len(stops) < 2:
                raise ValueError(f"{where}: a run needs at least two regional warehouses, got {list(stops)}")
            for name in stops:
                if name not in regionals or regionals[name].supplier != c.name:
                    supplied = [r.name for r in self.regional_warehouses if r.supplier == c.name]
                    raise ValueError(f"{where}: '{name}' is not a regional warehouse it supplies (known: {supplied})")
                if name in served:
                    raise ValueError(f"{where}: '{name}' is already a stop of a run")
                served.append(name)
            for k in range(1, len(stops)):
                here, there = stops[k - 1], stops[k]
                if leg_distance_km(regionals[here], regionals[there]) is None:
                    raise ValueError(
                        f"{where}: no distance from '{here}' to '{there}': set "
                        f"regional_warehouses.{here}.neighbour_distances_km.{there}"
                    )

    def _check_inventory(self, where: str, default: PolicyBase, by_product: Mapping[str, PolicyBase]) -> None:
        """Per-product overrides and unit levels name known products, and every governed product has a level."""
        known = list(self.products)
        unknown = [name for name in by_product if name not in self.products]
        if unknown:
            raise ValueError(f"{where}: inventory_by_product has unknown products {unknown} (known: {known})")
        governed = [name for name in known if name not in by_product]
        checks = [("inventory", default, governed)] if governed else []
        checks += [(f"inventory_by_product.{name}", policy, [name]) for name, policy in by_product.items()]
        for key, policy, names in checks:
            for field, levels in policy.unit_levels().items():
                if not isinstance(levels, dict):
                    continue  # one number for every governed product
                strangers = [name for name in levels if name not in self.products]
                if strangers:
                    raise ValueError(f"{where}: {key}.{field} names unknown products {strangers} (known: {known})")
                missing = [name for name in names if name not in levels]
                if missing:
                    raise ValueError(
                        f"{where}: {key}.{field} has no value for {missing}: give one per product "
                        f"(or a single number for all, or use the _days form)"
                    )

    def _check_fleet(self, r: RegionalWarehouse) -> None:
        """A depot's fleet uses known vehicle types and can carry every product everywhere in its area."""
        where = f"regional warehouse '{r.name}'"
        for unit in r.fleet.units:
            if unit.type not in self.vehicle_types:
                raise ValueError(
                    f"{where}: fleet unit type '{unit.type}' is not a vehicle type (known: {list(self.vehicle_types)})"
                )
            if unit.start == "micro_hub" and r.area.micro_hub is None:
                raise ValueError(
                    f"{where}: fleet unit '{unit.type}' starts at a micro_hub, but area.micro_hub is unset"
                )
            vehicle = self.vehicle_types[unit.type]
            if vehicle.charging_hours + r.fleet.shift_hours + r.fleet.max_overtime_hours > 24:
                raise ValueError(
                    f"{where}: vehicle type '{unit.type}' needs {vehicle.charging_hours} h of charging, which does "
                    f"not fit beside a {r.fleet.shift_hours} h shift and {r.fleet.max_overtime_hours} h overtime"
                )
        daily = [u for u in r.fleet.units if u.wave == "daily" and u.count > 0]
        if not daily:
            raise ValueError(f"{where}: the fleet needs at least one vehicle in the daily wave")
        if self.service.same_day_share > 0 and not any(u.wave == "same_day" and u.count > 0 for u in r.fleet.units):
            raise ValueError(f"{where}: service.same_day_share > 0 needs fleet units with wave = \"same_day\"")
        windows = r.area.time_windows
        if windows.share > 0:
            working = (r.fleet.depart_hour, r.fleet.depart_hour + r.fleet.shift_hours + r.fleet.max_overtime_hours)
            for start, end in windows.slots:
                if end <= working[0] or start >= working[1]:
                    raise ValueError(
                        f"{where}: time window [{start}, {end}] lies outside the couriers' working hours "
                        f"[{working[0]}, {working[1]}] (fleet.depart_hour + shift_hours + max_overtime_hours)"
                    )
        zone = r.area.low_emission_zone
        if zone is not None:
            unknown = [t for t in zone.allowed_types if t not in self.vehicle_types]
            if unknown:
                raise ValueError(f"{where}: low_emission_zone.allowed_types has unknown types {unknown}")
            if not any(u.type in zone.allowed_types for u in daily):
                raise ValueError(
                    f"{where}: no vehicle of its fleet may enter the low-emission zone "
                    f"(allowed: {list(zone.allowed_types)}; fleet: {[u.type for u in daily]})"
                )
        for product_name, product in self.products.items():
            carriers = [u.type for u in daily if self._can_carry(u.type, product_name, product)]
            if not carriers:
                raise ValueError(f"{where}: no vehicle of its daily fleet can carry product '{product_name}'")
            if zone is not None and not any(t in zone.allowed_types for t in carriers):
                raise ValueError(
                    f"{where}: no vehicle allowed in the low-emission zone can carry product '{product_name}'"
                )

    def _can_carry(self, type_name: str, product_name: str, product: Product) -> bool:
        vehicle = self.vehicle_types[type_name]
        if vehicle.products and product_name not in vehicle.products:
            return False
        if vehicle.max_parcel_weight_kg is not None and product.weight_kg > vehicle.max_parcel_weight_kg:
            return False
        return vehicle.max_parcel_volume_m3 is None or product.volume_m3 <= vehicle.max_parcel_volume_m3

    def factory_for(self, central: CentralWarehouse, product: str) -> InboundLane:
        """The inbound lane that brings ``product`` into ``central``."""
        by_name = {f.name: f for f in self.factories}
        for lane in central.inbound:
            if product in by_name[lane.factory].products:
                return lane
        raise KeyError(product)  # unreachable after validation


def leg_distance_km(here: RegionalWarehouse, there: RegionalWarehouse) -> float | None:
    """Road km between two regional warehouses, given on either of them (None if neither gives it)."""
    if there.name in here.neighbour_distances_km:
        return here.neighbour_distances_km[there.name]
    return there.neighbour_distances_km.get(here.name)
