"""The shared checks of the schema: each rule written once, in sim.scenario.base, and used by every model."""

from __future__ import annotations

import re
from typing import Annotated, Literal

import pytest
from pydantic import Field, ValidationError

from sim.scenario.base import (
    Frozen,
    check_count,
    check_delivery_weekdays,
    check_some_positive,
    check_span,
    discriminator_tags,
)
from sim.scenario.lastmile import Fleet, FleetUnit
from sim.scenario.network import Stores


@pytest.mark.parametrize("weekdays", [(0,), (6, 0), (0, 1, 2, 3, 4, 5), tuple(range(7))])
def test_weekday_check_accepts_distinct_days(weekdays: tuple[int, ...]) -> None:
    check_delivery_weekdays(weekdays)


@pytest.mark.parametrize(
    ("weekdays", "message"),
    [
        ((), "delivery_weekdays must name at least one day (0 = Monday .. 6 = Sunday)"),
        ((1, 1, 2), "delivery_weekdays has duplicates: [1, 1, 2]"),
        ((3, 4, 3), "delivery_weekdays has duplicates: [3, 4, 3]"),
    ],
)
def test_weekday_check_rejects_empty_or_repeating_days(weekdays: tuple[int, ...], message: str) -> None:
    with pytest.raises(ValueError) as info:
        check_delivery_weekdays(weekdays)
    assert str(info.value) == message


def test_fleets_and_shops_reject_bad_weekdays_alike() -> None:
    unit = FleetUnit(type="van", count=1)
    for weekdays, message in (((), "must name at least one day"), ((2, 2), "has duplicates: [2, 2]")):
        with pytest.raises(ValidationError, match=re.escape(message)):
            Fleet(units=(unit,), delivery_weekdays=weekdays)
        with pytest.raises(ValidationError, match=re.escape(message)):
            Stores(count=2, units_per_store_per_day=5.0, delivery_weekdays=weekdays)
    assert Fleet(units=(unit,)).delivery_weekdays == Stores(count=1, units_per_store_per_day=1.0).delivery_weekdays


def test_weekdays_out_of_range_are_field_errors() -> None:
    with pytest.raises(ValidationError, match="less than or equal to 6"):
        Stores(count=1, units_per_store_per_day=1.0, delivery_weekdays=(7,))


def test_count_check_names_the_key_and_the_values() -> None:
    check_count("weekday_factors", [1.0] * 7, 7, "Monday..Sunday")
    with pytest.raises(ValueError, match=r"^weekday_factors needs 7 values \(Monday..Sunday\), got 2$"):
        check_count("weekday_factors", [1.0, 2.0], 7, "Monday..Sunday")
    with pytest.raises(ValueError, match=r"^hourly_profile needs 24 values, got 1$"):
        check_count("hourly_profile", [1.0], 24)


def test_some_positive_check() -> None:
    check_some_positive("shape", [0.0, 0.0, 0.1])
    with pytest.raises(ValueError, match=r"^shape must have at least one positive value$"):
        check_some_positive("shape", [0.0, 0.0])


def test_span_check() -> None:
    check_span("slot", 8.0, 11.0)
    for start, end in ((11.0, 8.0), (9.0, 9.0)):
        with pytest.raises(ValueError, match=r"^slot \[.*\]: the end must be after the start$"):
            check_span("slot", start, end)


class _Red(Frozen):
    colour: Literal["red"] = "red"


class _Blue(Frozen):
    colour: Literal["blue"] = "blue"
    depth: int = 0


def test_discriminator_tags_read_the_members_in_order() -> None:
    union = Annotated[_Blue | _Red, Field(discriminator="colour")]
    assert discriminator_tags(union) == ("blue", "red")
