"""The last mile: each area's customers and geography, the courier fleets, and what customers are promised.

Areas hold the delivery options a customer meets (pickup points and lockers,
time windows, curfews, a low-emission zone, a 3PL share, a micro-hub); fleets
hold the vehicles and the working-time rules of the couriers.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from sim.scenario.base import (
    MONDAY_TO_SATURDAY,
    ClosingHour,
    Frozen,
    HourOfDay,
    NonNegative,
    Positive,
    Probability,
    Weekday,
    check_count,
    check_delivery_weekdays,
    check_span,
)

# Published figures (TomTom Traffic Index, London: ~1.5 average, ~1.8 at rush
# hour); the hourly shape between them is an assumption.
URBAN_CONGESTION = (
    1.0, 1.0, 1.0, 1.0, 1.0, 1.05, 1.3, 1.7, 1.8, 1.6, 1.45, 1.45,
    1.5, 1.45, 1.45, 1.55, 1.7, 1.8, 1.65, 1.4, 1.2, 1.1, 1.05, 1.0,
)


class LowEmissionZone(Frozen):
    """A zone around the area's centre that only some vehicle types may serve."""

    radius_km: Positive
    allowed_types: tuple[str, ...]


class TimeWindows(Frozen):
    """Delivery slots that a share of home-delivery customers choose at order time."""

    share: Probability = 0.0
    absence_factor: Probability = 0.3  # ASSUMPTION: customers who chose a slot are mostly in during it
    slots: tuple[tuple[HourOfDay, ClosingHour], ...] = (
        (8.0, 11.0), (11.0, 14.0), (14.0, 17.0),
    )
    # A slot that cannot be kept for this many delivery days is given up: the customer takes any time.
    rebook_after_days: Annotated[int, Field(ge=1, le=30)] = 2

    @model_validator(mode="after")
    def _slots(self) -> TimeWindows:
        if not self.slots:
            raise ValueError("slots must name at least one [start, end] slot")
        for start, end in self.slots:
            check_span("slot", start, end)
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
    delivery_hours: tuple[HourOfDay, ClosingHour] = (0.0, 24.0)  # local curfew
    households_per_address: Annotated[float, Field(ge=1)] = 1.0  # > 1: apartment buildings share an address
    consolidate_same_address: bool = False  # parcels for one address on one day: one stop
    extra_parcel_service_min: NonNegative = 1.0  # ASSUMPTION: each further parcel at a shared stop
    low_emission_zone: LowEmissionZone | None = None
    time_windows: TimeWindows = TimeWindows()
    outsourcing: Outsourcing = Outsourcing()
    micro_hub: MicroHub | None = None

    @model_validator(mode="after")
    def _profiles(self) -> Area:
        check_count("congestion_multipliers", self.congestion_multipliers, 24)
        check_count("absence_hourly_factor", self.absence_hourly_factor, 24)
        check_span("delivery_hours", *self.delivery_hours)
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


class Traffic(Frozen):
    """Random variation on top of the congestion profile: a day factor and a per-leg factor (lognormal)."""

    day_sigma: Annotated[float, Field(ge=0, le=2)] = 0.10
    leg_sigma: Annotated[float, Field(ge=0, le=2)] = 0.25


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
    delivery_weekdays: tuple[Weekday, ...] = MONDAY_TO_SATURDAY
    overtime_multiplier: Annotated[float, Field(ge=1)] = 1.5

    @model_validator(mode="after")
    def _days(self) -> Fleet:
        check_delivery_weekdays(self.delivery_weekdays)
        if self.break_minutes / 60 >= self.shift_hours:
            raise ValueError("break_minutes must be shorter than the shift")
        if not self.units or sum(u.count for u in self.units) == 0:
            raise ValueError("units must hold at least one vehicle")
        return self


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
    promise_end_hour: ClosingHour = 21.0
    same_day_share: Probability = 0.0  # of orders placed before the same-day cut-off on a delivery day
    same_day_cutoff_hour: HourOfDay = 10.0


class Routing(Frozen):
    """How courier routes are planned."""

    planner: Literal["heuristic", "pyvrp"] = "heuristic"
    time_budget_s: Annotated[float, Field(gt=0, le=600)] = 1.0  # per depot, wave and day (PyVRP)
