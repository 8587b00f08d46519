"""Inventory policies of the central and regional warehouses: when to order and how much.

A policy is a table tagged by ``policy``; its levels are given in days of the
warehouse's expected demand or in units (one number or one per product name).
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, model_validator

from sim.scenario.base import (
    MAX_UNITS,
    Frozen,
    LevelDays,
    PositiveLevelDays,
    discriminator_tags,
    integer,
)

StockoutRule = Annotated[Literal["backorder", "lost_sales"], Field(
    description="what an order that finds no stock does: waits for the next receipt (backorder) or is cancelled "
                "(lost_sales)")]
UnitCount = Annotated[int, integer("units", ge=0, le=MAX_UNITS)]
PositiveUnitCount = Annotated[int, integer("units", ge=1, le=MAX_UNITS)]
# A level in units: one number for every product the policy governs, or one per product name.
UnitLevels = UnitCount | dict[str, UnitCount]
PositiveUnitLevels = PositiveUnitCount | dict[str, PositiveUnitCount]
ReviewPeriodDays = Annotated[int, integer("days", ge=1, le=365)]
_TAG = ("the kind of policy: sS, base_stock, RQ, TS or TQ (each has its own levels); a file that extends another "
        "may leave it out to change only levels")


class PolicyBase(Frozen):
    """What every inventory policy shares: safety stock, initial stock and what a stock-out does.

    Each level is given either in days of the warehouse's expected demand
    (``..._days``, so one scenario scales with demand without retuning) or in
    units (``..._units``: one number, or a table per product name), never both.
    ``safety_stock_days`` is added to the reorder point and to the order-up-to
    level (not to an order quantity). The initial stock defaults to the top of
    the policy's band.
    """

    safety_stock_days: LevelDays = 0.0
    initial_stock_days: LevelDays | None = None
    initial_stock_units: UnitLevels | None = None
    stockout: StockoutRule = "backorder"  # lost_sales: demand that finds no stock is cancelled
    # The levels of this kind of policy, each required in exactly one form (``_days`` or ``_units``).
    required_levels: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="after")
    def _level_forms(self) -> PolicyBase:
        for level in self.required_levels:
            self._one_form(level)
        self._one_form("initial_stock", required=False)
        return self

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

    policy: Annotated[Literal["sS"], Field(description=_TAG)] = "sS"
    required_levels = ("reorder_point", "order_up_to")
    reorder_point_days: LevelDays | None = None
    reorder_point_units: UnitLevels | None = None
    order_up_to_days: PositiveLevelDays | None = None
    order_up_to_units: PositiveUnitLevels | None = None

    @model_validator(mode="after")
    def _order(self) -> SSPolicy:
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

    policy: Annotated[Literal["base_stock"], Field(description=_TAG)] = "base_stock"
    required_levels = ("level",)
    level_days: PositiveLevelDays | None = None
    level_units: PositiveUnitLevels | None = None


class RQPolicy(PolicyBase):
    """Continuous-review (r, Q): at every demand and receipt, while the position is at or below r, order Q.

    Orders come in multiples of Q, as many as lift the position above r.
    """

    policy: Annotated[Literal["RQ"], Field(description=_TAG)] = "RQ"
    required_levels = ("reorder_point", "order_quantity")
    reorder_point_days: LevelDays | None = None
    reorder_point_units: UnitLevels | None = None
    order_quantity_days: PositiveLevelDays | None = None
    order_quantity_units: PositiveUnitLevels | None = None


class TSPolicy(PolicyBase):
    """Periodic review every T days (T, S): order up to S at each review."""

    policy: Annotated[Literal["TS"], Field(description=_TAG)] = "TS"
    required_levels = ("order_up_to",)
    review_period_days: ReviewPeriodDays
    order_up_to_days: PositiveLevelDays | None = None
    order_up_to_units: PositiveUnitLevels | None = None


class TQPolicy(PolicyBase):
    """Periodic review every T days (T, r, Q): when the position is at or below r, order multiples of Q."""

    policy: Annotated[Literal["TQ"], Field(description=_TAG)] = "TQ"
    required_levels = ("reorder_point", "order_quantity")
    review_period_days: ReviewPeriodDays
    reorder_point_days: LevelDays | None = None
    reorder_point_units: UnitLevels | None = None
    order_quantity_days: PositiveLevelDays | None = None
    order_quantity_units: PositiveUnitLevels | None = None


InventoryPolicy = Annotated[
    SSPolicy | BaseStockPolicy | RQPolicy | TSPolicy | TQPolicy, Field(discriminator="policy")
]
# The tags of the inventory-policy union: pydantic puts them in error locations.
POLICY_TAGS = discriminator_tags(InventoryPolicy)
