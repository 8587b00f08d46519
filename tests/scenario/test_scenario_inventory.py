"""The inventory-policy models: one validator checks the level forms of every kind."""

from __future__ import annotations

import re
from typing import get_args

import pytest
from pydantic import ValidationError

from sim.scenario.inventory import BaseStockPolicy, InventoryPolicy, PolicyBase, RQPolicy, SSPolicy, TQPolicy, TSPolicy

POLICIES: list[type[PolicyBase]] = list(get_args(get_args(InventoryPolicy)[0]))


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.__name__)
def test_required_levels_are_exactly_the_policys_levels(policy: type[PolicyBase]) -> None:
    levels = {name.removesuffix("_units") for name in policy.model_fields if name.endswith("_units")}
    assert set(policy.required_levels) == levels - {"initial_stock"}
    for level in policy.required_levels:
        assert {f"{level}_days", f"{level}_units"} <= set(policy.model_fields)


@pytest.mark.parametrize(
    ("policy", "values", "message"),
    [
        (BaseStockPolicy, {}, "level_days or level_units is required"),
        (RQPolicy, {"reorder_point_days": 1.0}, "order_quantity_days or order_quantity_units is required"),
        (TSPolicy, {"review_period_days": 2, "order_up_to_days": 3.0, "order_up_to_units": 9},
         "order_up_to_days and order_up_to_units are both given"),
        (TQPolicy, {"review_period_days": 2, "reorder_point_units": 5, "order_quantity_days": 1.0,
                    "initial_stock_days": 1.0, "initial_stock_units": 4},
         "initial_stock_days and initial_stock_units are both given"),
        # The forms are checked before the order of the levels.
        (SSPolicy, {"reorder_point_days": 3.0, "reorder_point_units": 5, "order_up_to_days": 1.0},
         "reorder_point_days and reorder_point_units are both given"),
        (SSPolicy, {"reorder_point_days": 3.0, "order_up_to_days": 1.0},
         "order_up_to_days (1.0) must be greater than reorder_point_days (3.0)"),
    ],
)
def test_bad_level_forms_are_rejected(policy: type[PolicyBase], values: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        policy(**values)


def test_levels_in_one_form_validate() -> None:
    assert RQPolicy(reorder_point_units={"a": 2}, order_quantity_days=1.0).unit_levels() == {
        "reorder_point_units": {"a": 2}}
    assert BaseStockPolicy(level_days=2.0, initial_stock_units=3).unit_levels() == {"initial_stock_units": 3}
