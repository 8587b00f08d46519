"""What every part of the scenario schema shares: the strict frozen model base, field types and checks."""

from __future__ import annotations

from collections.abc import Sequence, Sized
from typing import Annotated, Any, get_args

from pydantic import BaseModel, ConfigDict, Field
from pydantic.fields import FieldInfo


def real(unit: str, *, ge: float | None = None, gt: float | None = None, le: float | None = None,
         lt: float | None = None, note: str = "") -> Any:
    """The ``Field`` of a real number: finite (no inf or NaN), a real number (not a bool or a string), in range.

    ``unit`` (and ``note``, an assumption behind a bound) and the range go into
    the field's description, so the schema documents what every number means.
    Bounds are physical or safety limits: generous for any real network, tight
    enough that the model's arithmetic cannot overflow or loop without end.
    """
    return Field(strict=True, allow_inf_nan=False, ge=ge, gt=gt, le=le, lt=lt,
                 description=_describe_range(unit, ge, gt, le, lt, note))


def integer(unit: str, *, ge: int | None = None, le: int | None = None, note: str = "") -> Any:
    """The ``Field`` of a whole number (a count): an integer, not a float or a bool, within ``[ge, le]``."""
    return Field(strict=True, ge=ge, le=le, description=_describe_range(unit, ge, None, le, None, note))


def _describe_range(unit: str, ge: float | None, gt: float | None, le: float | None, lt: float | None,
                    note: str) -> str:
    low = f"{ge:g} <= " if ge is not None else f"{gt:g} < " if gt is not None else ""
    high = f" <= {le:g}" if le is not None else f" < {lt:g}" if lt is not None else ""
    return f"{unit} ({low}value{high})" + (f"; {note}" if note else "")


# Safety limits shared by several modules (the scenario checks the sums across sites against them).
MAX_DAYS = 365 + 3650  # the longest run: the horizon's warm-up plus its window
MAX_UNITS = 10**12  # a stock level or a batch in units: sums of a few stay far inside int64
MAX_LEVEL_DAYS = 3650.0  # a stock level in days of demand: ten years of cover

# Money, in the scenario's currency.
CostPerKm = Annotated[float, real("currency per km", ge=0, le=1_000)]
CostPerHour = Annotated[float, real("currency per hour", ge=0, le=10_000)]
CostPerDay = Annotated[float, real("currency per day", ge=0, le=1e6)]
CostPerItem = Annotated[float, real("currency per unit, order or parcel", ge=0, le=10_000)]
StorageCost = Annotated[float, real("currency per m3 and day", ge=0, le=1_000)]
Co2PerKm = Annotated[float, real("kg CO2e per km", ge=0, le=100)]
# Distances and speeds.
LaneKm = Annotated[float, real("road km", gt=0, le=20_000, note="half the Earth's circumference")]
Speed = Annotated[float, real("km/h", ge=1, le=200)]
TruckM3 = Annotated[float, real("m3 of load space", ge=1, le=200, note="a road train; at least the largest unit")]
# Durations and multipliers.
Hours = Annotated[float, real("hours", ge=0, le=48)]
Minutes = Annotated[float, real("minutes", ge=0, le=1_440)]
LevelDays = Annotated[float, real("days of mean demand", ge=0, le=MAX_LEVEL_DAYS)]
PositiveLevelDays = Annotated[float, real("days of mean demand", gt=0, le=MAX_LEVEL_DAYS)]
Factor = Annotated[float, real("multiplier", gt=0, le=100)]
Probability = Annotated[float, real("probability or share", ge=0, le=1)]
HourOfDay = Annotated[float, real("hour of the day", ge=0, lt=24)]
# The end of a span of the day: may be midnight at its end (24), never its start (0).
ClosingHour = Annotated[float, real("hour of the day", gt=0, le=24)]
# Working hours in one day: at least a quarter of an hour, at most all of them.
HoursPerDay = Annotated[float, real("hours a day", ge=0.25, le=24)]
Weekday = Annotated[int, integer("weekday, 0 = Monday", ge=0, le=6)]
# A switch: true or false only (not 0 or 1, not "yes").
Flag = Annotated[bool, Field(strict=True, description="true or false")]
MONDAY_TO_SATURDAY = (0, 1, 2, 3, 4, 5)


class Frozen(BaseModel):
    """Base class: immutable, unknown keys rejected, values validated on assignment."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


def check_delivery_weekdays(weekdays: Sequence[int]) -> None:
    """Reject an empty or repeating list of delivery weekdays."""
    if not weekdays:
        raise ValueError("delivery_weekdays must name at least one day (0 = Monday .. 6 = Sunday)")
    if len(set(weekdays)) != len(weekdays):
        raise ValueError(f"delivery_weekdays has duplicates: {list(weekdays)}")


def check_count(key: str, values: Sized, count: int, names: str = "") -> None:
    """Reject a profile ``key`` that does not have exactly ``count`` values (``names`` says which they are)."""
    if len(values) != count:
        which = f" ({names})" if names else ""
        raise ValueError(f"{key} needs {count} values{which}, got {len(values)}")


def check_some_positive(key: str, values: Sequence[float]) -> None:
    """Reject a shape ``key`` whose values are all zero: it could not be normalised."""
    if sum(values) <= 0:
        raise ValueError(f"{key} must have at least one positive value")


def check_span(label: str, start: float, end: float) -> None:
    """Reject a span of the day (``label [start, end]`` in the message) that does not end after it starts."""
    if end <= start:
        raise ValueError(f"{label} [{start}, {end}]: the end must be after the start")


def discriminator_tags(union: Any) -> tuple[str, ...]:
    """The tags of a discriminated union ``Annotated[A | B | ..., Field(discriminator=...)]``, in member order.

    Read from each member's ``Literal`` tag field, so the tags are written once, in the models.
    """
    members, *metadata = get_args(union)
    field = next(item.discriminator for item in metadata if isinstance(item, FieldInfo))
    return tuple(tag for member in get_args(members) for tag in get_args(member.model_fields[field].annotation))
