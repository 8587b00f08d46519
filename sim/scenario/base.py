"""What every part of the scenario schema shares: the strict frozen model base, field types and checks."""

from __future__ import annotations

from collections.abc import Sequence, Sized
from typing import Annotated, Any, get_args

from pydantic import BaseModel, ConfigDict, Field
from pydantic.fields import FieldInfo

NonNegative = Annotated[float, Field(ge=0)]
Positive = Annotated[float, Field(gt=0)]
Probability = Annotated[float, Field(ge=0, le=1)]
HourOfDay = Annotated[float, Field(ge=0, lt=24)]
# The end of a span of the day: may be midnight at its end (24), never its start (0).
ClosingHour = Annotated[float, Field(gt=0, le=24)]
# Working hours in one day, at most all of them.
HoursPerDay = Annotated[float, Field(gt=0, le=24)]
Weekday = Annotated[int, Field(ge=0, le=6)]  # 0 = Monday
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
