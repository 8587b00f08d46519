"""What is sold and when it is ordered: the product classes and the demand shapes every area shares."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from sim.scenario.base import (
    MAX_DAYS,
    Factor,
    Frozen,
    Probability,
    check_count,
    check_some_positive,
    integer,
    real,
)

# A shape's weight (weekday, hour or month): relative, so only the ratios matter.
ShapeWeight = Annotated[float, real("relative weight", ge=0, le=1e6)]


class Product(Frozen):
    """A product class (SKU group): what one unit is worth, how big it is, how it is handled."""

    share: Probability
    unit_value: Annotated[float, real("currency per unit", gt=0, le=1e7)]
    volume_m3: Annotated[float, real("m3 per unit, packed", gt=0, le=50, note="ASSUMPTION: a parcel fits a truck")]
    weight_kg: Annotated[float, real("kg per unit, packed", gt=0, le=50_000)]
    handling_multiplier: Factor = 1.0
    holding_rate_per_year: Annotated[float, real("share of the unit value a year", ge=0, le=5)] = 0.25
    service_time_multiplier: Factor = 1.0


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

        monthly_factors: Annotated[tuple[ShapeWeight, ...], Field(
            description="relative weight of each month, 12 values, January..December")]
        start_day_of_year: Annotated[int, integer("day of the year, 1 = 1 January", ge=1, le=365)] = 1

        @model_validator(mode="after")
        def _twelve_months(self) -> Demand.Seasonality:
            check_count("monthly_factors", self.monthly_factors, 12, "January..December")
            check_some_positive("monthly_factors", self.monthly_factors)
            return self

    class Promotion(Frozen):
        """A peak window: ``days`` simulation days from ``start_day`` (day 0 = first simulated day,
        warm-up included) whose mean is multiplied by ``factor``."""

        start_day: Annotated[int, integer("simulation day", ge=0, le=MAX_DAYS)]
        days: Annotated[int, integer("days", ge=1, le=MAX_DAYS)]
        factor: Factor

    weekday_factors: Annotated[tuple[ShapeWeight, ...], Field(
        description="relative weight of each weekday, 7 values, Monday..Sunday",
    )] = (1.1, 1.05, 1.0, 1.0, 0.95, 0.9, 1.0)
    hourly_profile: Annotated[tuple[ShapeWeight, ...], Field(
        description="relative weight of each hour of the day for order times, 24 values, 0..23")] = (
        1, 0.5, 0.3, 0.2, 0.2, 0.3, 1, 2, 3, 4, 5, 5,
        5, 5, 5, 5, 5, 5, 6, 7, 8, 7, 5, 2,
    )
    seasonality: Demand.Seasonality | None = None  # None: no yearly shape
    # Growth of the mean per year, compounding daily: 0.1 = +10 % after 365 days; above -1 so the mean stays positive.
    # At most x11 a year (ASSUMPTION); the scenario bounds the growth over the whole run.
    trend_per_year: Annotated[float, real("growth per year", gt=-1, le=10)] = 0.0
    promotions: Annotated[tuple[Demand.Promotion, ...], Field(  # overlapping windows multiply
        max_length=1_000, description="peak windows that multiply the mean; overlapping ones multiply together")] = ()

    @model_validator(mode="after")
    def _shapes(self) -> Demand:
        check_count("weekday_factors", self.weekday_factors, 7, "Monday..Sunday")
        check_some_positive("weekday_factors", self.weekday_factors)
        check_count("hourly_profile", self.hourly_profile, 24)
        check_some_positive("hourly_profile", self.hourly_profile)
        return self

