"""Every number of the schema has a finite range, a strict type and a unit; the issue's bad values get one line."""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import annotated_types
import pytest
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim import ScenarioError, load_scenario
from sim.experiments.spec import load_sweep
from sim.scenario.schema import Scenario
from tests.conftest import BASELINE

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted(p for p in (ROOT / "scenarios").rglob("*.toml") if "sweeps" not in p.parts)
SWEEPS = sorted((ROOT / "scenarios" / "sweeps").glob("*.toml"))


def _models(model: type[BaseModel], seen: set[type[BaseModel]] | None = None) -> set[type[BaseModel]]:
    """``model`` and every model reachable from its fields."""
    seen = set() if seen is None else seen
    if model in seen:
        return seen
    seen.add(model)
    for field in model.model_fields.values():
        for inner in _leaves(field.annotation):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                _models(inner, seen)
    return seen


def _leaves(annotation: Any) -> list[Any]:
    """The plain types inside an annotation (unions, tuples, dicts and Annotated unwrapped)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _leaves(get_args(annotation)[0])
    if origin in (Union, types.UnionType, tuple, dict, list, typing.Literal):
        if origin is typing.Literal:
            return []
        return [leaf for arg in get_args(annotation) if arg is not Ellipsis for leaf in _leaves(arg)]
    return [annotation]


def _numbers(annotation: Any, metadata: list[Any], description: str | None) -> list[tuple[Any, list[Any], str]]:
    """Each numeric or bool leaf of an annotation with the constraints and description that apply to it."""
    origin = get_origin(annotation)
    if origin is Annotated:
        inner, *extra = get_args(annotation)
        infos = [m for m in extra if isinstance(m, FieldInfo)]
        found_meta = [c for info in infos for c in info.metadata] + [m for m in extra if not isinstance(m, FieldInfo)]
        text = next((info.description for info in infos if info.description), description)
        return _numbers(inner, metadata + found_meta, text)
    if origin in (Union, types.UnionType, tuple, dict, list):
        args = [a for a in get_args(annotation) if a is not Ellipsis]
        if origin is dict:
            args = args[1:]  # the keys are names
        return [n for arg in args for n in _numbers(arg, [] if origin is not Union else metadata, description)]
    if annotation in (int, float, bool):
        return [(annotation, metadata, description or "")]
    return []


def _number_fields() -> list[tuple[str, Any, list[Any], str]]:
    found = []
    for model in sorted(_models(Scenario), key=lambda m: m.__qualname__):
        for name, field in model.model_fields.items():
            for kind, metadata, text in _numbers(field.annotation, list(field.metadata), field.description):
                found.append((f"{model.__qualname__}.{name}", kind, metadata, text))
    return found


NUMBER_FIELDS = _number_fields()


def test_the_walk_finds_the_numbers() -> None:
    assert len(NUMBER_FIELDS) > 150
    keys = {f[0] for f in NUMBER_FIELDS}
    assert {"LineHaul.cost_per_km", "Area.area_km2", "FleetUnit.count", "MicroHub.x_km"} <= keys


@pytest.mark.parametrize(("key", "kind", "metadata", "text"), NUMBER_FIELDS, ids=[f[0] for f in NUMBER_FIELDS])
def test_every_number_is_strict_bounded_finite_and_has_a_unit(
    key: str, kind: Any, metadata: list[Any], text: str
) -> None:
    assert any(getattr(m, "strict", None) for m in metadata), f"{key}: not strict (a bool would pass as a number)"
    if kind is bool:
        return
    assert any(isinstance(m, annotated_types.Ge | annotated_types.Gt) for m in metadata), f"{key}: no lower bound"
    assert any(isinstance(m, annotated_types.Le | annotated_types.Lt) for m in metadata), f"{key}: no upper bound"
    if kind is float:
        assert any(getattr(m, "allow_inf_nan", None) is False for m in metadata), f"{key}: inf and NaN pass"
    assert text and "value" in text, f"{key}: no unit and range in its description"


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_scenario_validates(path: Path) -> None:
    assert load_scenario(path).name


@pytest.mark.parametrize("path", SWEEPS, ids=lambda p: p.name)
def test_every_point_of_the_shipped_sweeps_validates(path: Path) -> None:
    assert load_sweep(path).points


def _error(*overrides: str, path: Path = BASELINE) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path))
    return message


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        # The reproducers of issue 11: each validated before, then crashed, looped or gave absurd costs.
        ("regional_warehouses.metro.inventory.initial_stock_days=1e300", "initial_stock_days = 1e+300"),
        ("factories.0.capacity_units_per_day=inf", "capacity_units_per_day = inf: allowed: a finite number"),
        ("regional_warehouses.metro.area.service_time_shape=inf", "service_time_shape = inf"),
        ("regional_warehouses.metro.inventory={policy='base_stock', level_days=inf}", "level_days = inf"),
        ("products.standard.unit_value=1e308", "unit_value = 1e+308: allowed: less than or equal to"),
        ("demand.weekday_factors=[0,0,0,0,0,0,0]", "weekday_factors must have at least one positive value"),
        ("linehaul.truck_capacity_m3=1e-10", "linehaul.truck_capacity_m3 = 1e-10"),
        ("products.bulky.volume_m3=1e308", "products.bulky.volume_m3 = 1e+308"),
        ("disruptions=[{kind='demand_surge', rate_per_year=1e308, duration_days=1, factor=2}]",
         "disruptions[0].rate_per_year = 1e+308: allowed: less than or equal to 365"),
        ("linehaul.cost_per_km=true", "linehaul.cost_per_km = True: allowed: a valid number"),
        ("regional_warehouses.metro.area.micro_hub={x_km=nan}", "micro_hub.x_km = nan: allowed: a finite number"),
        ("regional_warehouses.metro.area.area_km2=25000000", "area_km2 = 25000000"),
        ("central_warehouses.central.inventory.initial_stock_units=9223372036854775808", "initial_stock_units"),
        # Strict types: a count is an integer, a switch is a bool.
        ("regional_warehouses.metro.fleet.units.diesel_van.count=11.0", "count = 11.0: allowed: a valid integer"),
        ("horizon.days=true", "horizon.days = True"),
        ("linehaul.empty_return=1", "linehaul.empty_return = 1"),
        ("linehaul.speed_kmh='65'", "linehaul.speed_kmh = '65'"),
    ],
)
def test_the_issue_s_bad_values_are_one_line_errors(override: str, fragment: str) -> None:
    assert fragment in _error(override)


def test_a_union_value_reports_the_member_that_matches_its_shape() -> None:
    message = _error("regional_warehouses.metro.inventory.initial_stock_units={standard=-1}")
    assert "initial_stock_units.standard = -1: allowed: greater than or equal to 0" in message


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        # A truck that cannot take one unit of the largest product would never leave full.
        (["linehaul.truck_capacity_m3=1", "products.bulky.volume_m3=2"],
         "linehaul.truck_capacity_m3 = 1.0: smaller than one unit of the largest product (2.0 m3)"),
        (["regional_warehouses.metro.area.orders_per_household_per_day=10",
          "regional_warehouses.metro.area.households_per_km2=50000"],
         "regional_warehouses[0](metro).area: 1.25e+07 orders a day"),
        (["demand.trend_per_year=10", "horizon.days=3650"], "demand: a peak of"),
        (["demand.promotions=[" + ", ".join(["{start_day=1, days=2, factor=100}"] * 4) + "]"], "x1.1e+08"),
        (["regional_warehouses.metro.area.orders_per_household_per_day=9", "horizon.days=3650"],
         "horizon: the run would simulate about"),
        # Every product needs a vehicle it fits in, not only one whose per-parcel limits allow it.
        (["products.bulky.volume_m3=20"], "no vehicle of its daily fleet can carry product 'bulky'"),
    ],
)
def test_cross_field_checks_keep_the_arithmetic_safe(overrides: list[str], fragment: str) -> None:
    assert fragment in _error(*overrides)


def test_bounds_leave_room_for_large_valid_networks() -> None:
    big = load_scenario(BASELINE, ["regional_warehouses.metro.area.orders_per_household_per_day=2",
                                   "factories.0.capacity_units_per_day=1e6", "horizon.days=365"])
    assert big.regional_warehouses[0].area.expected_orders_per_day == 200_000
