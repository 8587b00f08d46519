"""The last mile: each area's customers and geography, the courier fleets, and what customers are promised.

Areas hold the delivery options a customer meets (pickup points and lockers,
time windows, curfews, a low-emission zone, a 3PL share, a micro-hub); fleets
hold the vehicles and the working-time rules of the couriers.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from sim.scenario.base import (
    MONDAY_TO_SATURDAY,
    ClosingHour,
    Co2PerKm,
    CostPerDay,
    CostPerHour,
    CostPerItem,
    CostPerKm,
    Factor,
    Flag,
    Frozen,
    HourOfDay,
    Minutes,
    Probability,
    Speed,
    Weekday,
    check_count,
    check_delivery_weekdays,
    check_span,
    integer,
    real,
)
from sim.scenario.geo import DataPath, FittedDemand
from sim.scenario.roads import Distances, placed_on_earth

# Published figures (TomTom Traffic Index, London: ~1.5 average, ~1.8 at rush
# hour); the hourly shape between them is an assumption.
URBAN_CONGESTION = (
    1.0, 1.0, 1.0, 1.0, 1.0, 1.05, 1.3, 1.7, 1.8, 1.6, 1.45, 1.45,
    1.5, 1.45, 1.45, 1.55, 1.7, 1.8, 1.65, 1.4, 1.2, 1.1, 1.05, 1.0,
)


class LowEmissionZone(Frozen):
    """A zone around the area's centre that only some vehicle types may serve."""

    radius_km: Annotated[float, real("km", gt=0, le=1_000)]
    allowed_types: Annotated[tuple[str, ...], Field(description="vehicle type names (keys of vehicle_types) that "
                                                                "may serve stops inside the zone")]


class TimeWindows(Frozen):
    """Delivery slots that a share of home-delivery customers choose at order time."""

    share: Probability = 0.0
    absence_factor: Probability = 0.3  # ASSUMPTION: customers who chose a slot are mostly in during it
    slots: Annotated[tuple[tuple[HourOfDay, ClosingHour], ...], Field(
        max_length=96, description="the bookable slots, [start, end] in hours of the day")] = (
        (8.0, 11.0), (11.0, 14.0), (14.0, 17.0),
    )
    # A slot that cannot be kept for this many delivery days is given up: the customer takes any time.
    rebook_after_days: Annotated[int, integer("delivery days", ge=1, le=30)] = 2

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
    rate_per_parcel: CostPerItem = 0.0
    first_attempt_success: Probability = 0.95
    max_attempts: Annotated[int, integer("attempts", ge=1, le=10)] = 3
    transit_days: Annotated[int, integer("days", ge=0, le=10)] = 1
    co2e_kg_per_parcel: Annotated[float, real("kg CO2e per parcel", ge=0, le=1_000)] = 0.0


class MicroHub(Frozen):
    """A small hub in the area, fed daily by a line-haul shuttle, from which some fleet units start."""

    x_km: Annotated[float, real("km east of the area's centre", ge=-1_000, le=1_000)] = 0.0
    y_km: Annotated[float, real("km north of the area's centre", ge=-1_000, le=1_000)] = 0.0
    rent_per_day: CostPerDay = 0.0


class Area(Frozen):
    """The geography and the customers a regional warehouse serves."""

    kind: Annotated[Literal["urban", "suburban", "rural", "other"], Field(
        description="what kind of area it is: a label for tables and reports, it changes no number")] = "other"
    # ASSUMPTION: 100,000 km2 (a large region); demand across the area is bounded by the scenario.
    area_km2: Annotated[float, real("km2", gt=0, le=100_000)]
    households_per_km2: Annotated[float, real("households per km2", gt=0, le=100_000)]
    orders_per_household_per_day: Annotated[float, real("orders a day", gt=0, le=10)]
    # From the depot to the centre of the area (the depot lies east of it); None when depot_lat/lon place it.
    depot_distance_km: Annotated[float, real("km", ge=0, le=1_000)] | None = None
    # A real location: the area's centre on the Earth, the origin of its local km frame (x east, y north).
    centre_lat: Annotated[float, real("degrees north", ge=-90, le=90)] | None = None
    centre_lon: Annotated[float, real("degrees east", ge=-180, le=180)] | None = None
    # The depot on the Earth (needs centre_lat/lon); placed at its projected position in the area's frame.
    depot_lat: Annotated[float, real("degrees north", ge=-90, le=90)] | None = None
    depot_lon: Annotated[float, real("degrees east", ge=-180, le=180)] | None = None
    circuity: Annotated[float, real("road km per straight-line km", ge=1, le=3)] = 1.3
    free_flow_speed_kmh: Speed
    stem_speed_kmh: Speed
    congestion_multipliers: Annotated[tuple[Annotated[float, real("x travel time", ge=1, le=20)], ...], Field(
        description="x free-flow travel time, 24 values: one per hour of the day, 0..23")] = URBAN_CONGESTION
    absence_probability: Probability
    absence_hourly_factor: Annotated[tuple[Annotated[float, real("x absence probability", ge=0, le=1_000)], ...], Field(
        description="x absence_probability, 24 values: one per hour of the day, 0..23")] = (1.0,) * 24
    service_time_median_min: Annotated[float, real("minutes", gt=0, le=240)]
    # Log-logistic shape: near 1 the mean is unbounded, very large it is a fixed time.
    service_time_shape: Annotated[float, real("log-logistic shape", ge=1.1, le=50)] = 3.0
    failed_attempt_time_factor: Annotated[float, real("x service time", gt=0, le=10)] = 0.6
    # ASSUMPTION: 10,000 points in one depot's area is more than a national locker network has in a city.
    pickup_points: Annotated[int, integer("staffed shops, no capacity limit", ge=0, le=10_000)] = 5
    lockers: Annotated[int, integer("lockers", ge=0, le=10_000)] = 0
    locker_capacity: Annotated[int, integer("compartments per locker", ge=0, le=10_000)] = 60
    pickup_choice_share: Probability = 0.0  # customers who choose a point or locker at order time
    redirect_after_failure_share: Probability = 0.0  # failed parcels sent to a point instead of re-attempted
    delivery_hours: Annotated[tuple[HourOfDay, ClosingHour], Field(  # local curfew
        description="[start, end] hours of the day in which parcels may be handed over (a curfew)")] = (0.0, 24.0)
    # > 1: apartment buildings share an address.
    households_per_address: Annotated[float, real("households", ge=1, le=100_000)] = 1.0
    consolidate_same_address: Flag = False  # parcels for one address on one day: one stop
    extra_parcel_service_min: Annotated[float, real("minutes", ge=0, le=240)] = 1.0  # ASSUMPTION: each further parcel
    low_emission_zone: LowEmissionZone | None = None
    time_windows: TimeWindows = TimeWindows()
    outsourcing: Outsourcing = Outsourcing()
    micro_hub: MicroHub | None = None
    distances: Annotated[Distances | None, AfterValidator(placed_on_earth)] = None  # None: circuity, as before
    # The user's own area (docs/data_files.md): files need centre_lat/lon (or a facilities file that places it).
    boundary: Annotated[DataPath | None, Field(description="GeoJSON polygon of the area, instead of the disc: "
                                               "area_km2 is its projected area when not given")] = None
    demand_points: Annotated[DataPath | None, Field(description="CSV or Parquet of customer points: latitude, "
                                                    "longitude, optional weight")] = None
    demand_zones: Annotated[DataPath | None, Field(description="GeoJSON polygons with a zone name and households "
                                                   "or weight: customers uniform in each, by its share")] = None
    fitted_demand: FittedDemand | None = None  # written by sim fit-demand: replaces the rate and the profiles
    orders_per_day: Annotated[float, real("orders a day", gt=0, le=1e6, note="replaces area_km2 x "
                                          "households_per_km2 x orders_per_household_per_day; set from a "
                                          "replayed history")] | None = None

    @model_validator(mode="after")
    def _data_files(self) -> Area:
        files = [k for k in ("boundary", "demand_points", "demand_zones") if getattr(self, k) is not None]
        if files and self.centre_lat is None:
            raise ValueError(f"{', '.join(files)} need the area on the Earth: centre_lat/centre_lon (or a "
                             "facilities file that places its regional warehouse)")
        if self.demand_points is not None and self.demand_zones is not None:
            raise ValueError("demand_points and demand_zones: give one (customers at points, or in zones)")
        if self.fitted_demand is not None and self.fitted_demand.zones and self.demand_zones is None:
            raise ValueError("fitted_demand.zones name zones: the area needs demand_zones (the file that holds them)")
        return self

    @model_validator(mode="after")
    def _location(self) -> Area:
        for name in ("centre", "depot"):
            lat, lon = getattr(self, f"{name}_lat"), getattr(self, f"{name}_lon")
            if (lat is None) != (lon is None):
                raise ValueError(f"{name}_lat and {name}_lon go together: give both or neither")
        if self.depot_lat is not None and self.centre_lat is None:
            raise ValueError("depot_lat/depot_lon need centre_lat/centre_lon (the area's frame on the Earth)")
        if (self.depot_lat is None) == (self.depot_distance_km is None):
            raise ValueError("give the depot's place one way: depot_distance_km (km east of the centre) "
                             "or depot_lat/depot_lon, not both and not neither")
        return self

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
        if self.fitted_demand is not None:
            return self.fitted_demand.mean_orders_per_day
        if self.orders_per_day is not None:
            return self.orders_per_day
        return self.area_km2 * self.households_per_km2 * self.orders_per_household_per_day


class Traffic(Frozen):
    """Random variation on top of the congestion profile: a day factor and a per-leg factor (lognormal)."""

    day_sigma: Annotated[float, real("sigma of log(day factor)", ge=0, le=2)] = 0.10
    leg_sigma: Annotated[float, real("sigma of log(leg factor)", ge=0, le=2)] = 0.25


class VehicleType(Frozen):
    """A kind of last-mile vehicle: what it carries, how fast it goes, what it costs and emits."""

    kind: Annotated[Literal["van", "cargo_bike", "drone"], Field(
        description="van and cargo_bike drive the road network; a drone flies straight at cruise_speed_kmh")] = "van"
    capacity_m3: Annotated[float, real("m3", gt=0, le=200)]
    payload_kg: Annotated[float, real("kg", gt=0, le=100_000)]
    max_parcel_weight_kg: Annotated[float, real("kg", gt=0, le=100_000)] | None = None
    max_parcel_volume_m3: Annotated[float, real("m3", gt=0, le=200)] | None = None
    # x the area's free-flow and stem speeds (road vehicles).
    speed_factor: Annotated[float, real("x area speeds", ge=0.05, le=10)] = 1.0
    congestion_exposure: Annotated[float, real("share of congestion", ge=0, le=1)] = 1.0  # 0: not slowed
    cruise_speed_kmh: Annotated[float, real("km/h", ge=1, le=300)] | None = None  # drones: straight line
    range_km: Annotated[float, real("km", ge=1, le=100_000)] = 10_000.0
    charging_hours: Annotated[float, real("hours", ge=0, le=24)] = 0.0
    cost_per_km: CostPerKm
    fixed_cost_per_day: CostPerDay
    driver_cost_per_hour: CostPerHour
    co2e_kg_per_km: Co2PerKm
    service_time_factor: Factor = 1.0
    weather_downtime_probability: Probability = 0.0  # chance per day that it cannot operate
    sortie_turnaround_min: Minutes = 0.0  # drones: battery swap and loading between sorties
    products: Annotated[tuple[str, ...], Field(  # eligible product classes; empty means all
        description="product names (keys of products) it may carry; empty: every product")] = ()

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

    type: Annotated[str, Field(description="a vehicle type name (a key of vehicle_types)")]
    count: Annotated[int, integer("vehicles", ge=0, le=100_000, note="ASSUMPTION: more than any depot has")]
    start: Annotated[Literal["depot", "micro_hub"], Field(
        description="where its routes start: the depot or the area's micro_hub")] = "depot"
    wave: Annotated[Literal["daily", "same_day"], Field(  # same-day units leave in the afternoon
        description="daily: the morning routes; same_day: leaves at fleet.same_day_depart_hour with same-day "
                    "parcels")] = "daily"


class Fleet(Frozen):
    """The couriers of one regional warehouse: vehicle units, shifts and working-time rules."""

    units: Annotated[tuple[FleetUnit, ...], Field(
        description="the vehicles by type, served in order: earlier units pick their parcels first")]
    same_day_depart_hour: HourOfDay = 13.0  # when units of the same-day wave leave
    shift_hours: Annotated[float, real("hours", ge=0.25, le=16)] = 9.0
    break_minutes: Annotated[float, real("minutes", ge=0, le=960)] = 30.0
    # Driving-time rules: a break after at most 4.5 h.
    break_after_hours: Annotated[float, real("hours", ge=0.25, le=16)] = 4.5
    max_overtime_hours: Annotated[float, real("hours", ge=0, le=12)] = 1.5
    depart_hour: HourOfDay = 8.0
    delivery_weekdays: Annotated[tuple[Weekday, ...], Field(
        description="weekdays the couriers deliver, 0 = Monday .. 6 = Sunday")] = MONDAY_TO_SATURDAY
    overtime_multiplier: Annotated[float, real("x driver cost per hour", ge=1, le=10)] = 1.5

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

    max_attempts: Annotated[int, integer("attempts", ge=1, le=10)] = 3
    after_max_attempts: Annotated[Literal["pickup_point", "return"], Field(
        description="where a parcel goes after max_attempts failed attempts")] = "pickup_point"
    failed_attempt_handling_cost: CostPerItem = 1.0
    pickup_point_fee: CostPerItem
    locker_fee: CostPerItem = 0.5
    pickup_point_handover_min: Minutes = 5.0
    pickup_point_service_per_parcel_min: Minutes = 0.5
    pickup_hold_days: Annotated[float, real("days", gt=0, le=365)] = 7.0
    pickup_collection_probability: Probability = 0.95
    pickup_collection_mean_days: Annotated[float, real("days", gt=0, le=365)] = 1.5
    return_handling_cost: CostPerItem
    return_transport_cost_per_parcel: CostPerItem


class ServiceLevels(Frozen):
    """What customers are promised, for the on-time KPIs and the same-day wave."""

    promise_days: Annotated[int, integer("delivery days after the order day", ge=0, le=14)] = 1
    order_cutoff_hour: Annotated[float, real("hour of the day", ge=0, le=24)] = 24.0  # later: from the next day
    promise_end_hour: ClosingHour = 21.0
    same_day_share: Probability = 0.0  # of orders placed before the same-day cut-off on a delivery day
    same_day_cutoff_hour: HourOfDay = 10.0


class Routing(Frozen):
    """How courier routes are planned."""

    planner: Annotated[Literal["heuristic", "pyvrp"], Field(
        description="heuristic: the built-in sweep + 2-opt; pyvrp: PyVRP's hybrid genetic search within "
                    "time_budget_s")] = "heuristic"
    time_budget_s: Annotated[float, real("seconds", gt=0, le=600)] = 1.0  # per depot, wave and day (PyVRP)
