"""Trucks between the sites: line-haul lanes, when trucks leave (dispatch policies) and the LTL carrier."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from sim.scenario.base import (
    Co2PerKm,
    CostPerDay,
    CostPerHour,
    CostPerKm,
    Flag,
    Frozen,
    HourOfDay,
    Hours,
    LaneKm,
    Speed,
    TruckM3,
    real,
)

_TAG = "the dispatch policy: full_or_cutoff, fixed_times or hybrid"


class FullOrCutoff(Frozen):
    """Line-haul dispatch: a truck leaves as soon as a full load waits, and at the daily cut-off with the rest."""

    policy: Annotated[Literal["full_or_cutoff"], Field(description=_TAG)] = "full_or_cutoff"
    # None: ``linehaul.cutoff_hour``, the key older scenarios set, so they keep their meaning.
    cutoff_hour: HourOfDay | None = None


class FixedTimes(Frozen):
    """Line-haul dispatch: trucks leave only at these hours of every day, with whatever waits, full or not."""

    policy: Annotated[Literal["fixed_times"], Field(description=_TAG)] = "fixed_times"
    times: Annotated[tuple[HourOfDay, ...], Field(max_length=1_440, description="departure hours of the day, "
                                                                         "increasing")]

    @model_validator(mode="after")
    def _times(self) -> FixedTimes:
        if not self.times:
            raise ValueError("times must name at least one departure hour")
        if list(self.times) != sorted(set(self.times)):
            raise ValueError(f"times must be increasing and distinct, got {list(self.times)}")
        return self


class Hybrid(Frozen):
    """Line-haul dispatch: a truck leaves when a full load waits, or when the oldest goods have waited this long."""

    policy: Annotated[Literal["hybrid"], Field(description=_TAG)] = "hybrid"
    max_wait_hours: Annotated[float, real("hours", ge=0.01, le=24 * 14)]


Dispatch = Annotated[FullOrCutoff | FixedTimes | Hybrid, Field(discriminator="policy")]


class LessThanTruckload(Frozen):
    """A less-than-truckload (LTL) carrier for loads too small to fill an own truck: paid by tariff."""

    rate_per_m3_per_100km: Annotated[float, real("currency per m3 and 100 km", ge=0, le=10_000)]
    minimum_charge: CostPerDay = 0.0  # per consignment (one destination of one departure)
    transit_days: Annotated[float, real("days", ge=0, le=14)] = 1.0  # door to door, from the departure
    below_fill: Annotated[float, real("share of a truck", gt=0, le=1)] = 0.3  # a truck less full goes LTL


class InboundLane(Frozen):
    """A line-haul lane from a factory into a central warehouse."""

    factory: Annotated[str, Field(description="the name of the factory the lane starts at")]
    distance_km: LaneKm
    dispatch: Dispatch | None = None  # None: ``linehaul.dispatch``


class LineHaul(Frozen):
    """Trucks between factories, the central and the regional warehouses."""

    truck_capacity_m3: TruckM3
    speed_kmh: Speed
    transit_time_sigma: Annotated[float, real("sigma of log(transit time)", ge=0, le=2)] = 0.15
    loading_hours: Hours = 1.0
    cost_per_km: CostPerKm
    driver_cost_per_hour: CostPerHour
    fixed_cost_per_vehicle_day: CostPerDay
    cutoff_hour: HourOfDay = 18.0  # the cut-off of the full_or_cutoff dispatch when it names none
    dispatch: Dispatch = FullOrCutoff()
    empty_return: Flag = True
    co2e_kg_per_km: Co2PerKm = 0.897  # DEFRA/DESNZ all HGVs, average laden [S]
    # Multi-stop runs: time to unload at each stop before the last (ASSUMPTION).
    drop_hours: Hours = 0.5
    ltl: LessThanTruckload | None = None  # None: every load goes in an own truck (FTL)
