"""Scenario files: validation, overrides and the messages users see when something is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim import ScenarioError, load_scenario
from sim.scenario import apply_overrides
from tests.conftest import BASELINE


def _write(tmp_path: Path, text: str, replace: tuple[str, str] | None = None) -> Path:
    path = tmp_path / "scenario.toml"
    path.write_text(text if replace is None else text.replace(*replace, 1))
    return path


def _error(path: Path, *overrides: str) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    return str(info.value)


def test_baseline_is_valid_and_frozen() -> None:
    scenario = load_scenario(BASELINE)
    assert len(scenario.regional_warehouses) >= 3
    assert {r.area.kind for r in scenario.regional_warehouses} == {"urban", "suburban", "rural"}
    assert set(scenario.products) >= {"standard", "bulky", "fragile", "perishable"}
    assert scenario.horizon.days >= 28
    with pytest.raises(Exception):  # noqa: B017  (pydantic's frozen-instance error)
        scenario.horizon.days = 3  # type: ignore[misc]


def test_unknown_key_names_file_and_path(tmp_path: Path) -> None:
    path = _write(tmp_path, BASELINE.read_text(), ("[linehaul]\n", "[linehaul]\ntruck_capacity = 5\n"))
    message = _error(path)
    assert str(path) in message and "linehaul.truck_capacity" in message and "unknown key" in message


def test_negative_rate_names_value_and_rule(tmp_path: Path) -> None:
    path = _write(tmp_path, BASELINE.read_text(),
                  ("orders_per_household_per_day = 0.008", "orders_per_household_per_day = -0.5"))
    message = _error(path)
    assert "regional_warehouses[0](metro).area.orders_per_household_per_day" in message
    assert "-0.5" in message and "greater than 0" in message


def test_wrong_type(tmp_path: Path) -> None:
    path = _write(tmp_path, BASELINE.read_text(), ("count = 11", 'count = "eleven"'))
    message = _error(path)
    assert "regional_warehouses[0](metro).fleet.units[0].count" in message and "'eleven'" in message


def test_regional_warehouse_without_supplier(tmp_path: Path) -> None:
    path = _write(tmp_path, BASELINE.read_text(), ('supplier = "central"', 'supplier = "nowhere"'))
    message = _error(path)
    assert "metro" in message and "'nowhere'" in message and "central" in message


def test_missing_key_and_missing_file(tmp_path: Path) -> None:
    path = _write(tmp_path, BASELINE.read_text(), ("supplier_distance_km = 120\n", ""))
    assert "supplier_distance_km: required key is missing" in _error(path)
    assert "no such scenario file" in _error(tmp_path / "absent.toml")


def test_not_toml(tmp_path: Path) -> None:
    path = _write(tmp_path, "name = [unclosed")
    assert "not valid TOML" in _error(path)


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        ("horizon.days=0", "horizon.days = 0"),
        ("last_mile.max_attempts=0", "last_mile.max_attempts = 0"),
        ("regional_warehouses.county.fleet.delivery_weekdays=[]", "delivery_weekdays"),
        ("products.standard.share=0.9", "shares must sum to 1"),
        ("factories.0.products=[\"standard\"]", "no inbound factory makes ['fragile']"),
        ("regional_warehouses.metro.picking_cutoff_hour=9", "must not be after fleet.depart_hour"),
        ("central_warehouses.central.inventory.order_up_to_days=1", "must be greater than reorder_point_days"),
        ("last_mile.after_max_attempts=\"burn\"", "'pickup_point' or 'return'"),
    ],
)
def test_bad_overrides_are_rejected(override: str, fragment: str) -> None:
    assert fragment in _error(BASELINE, override)


def test_overrides_address_lists_by_name_or_index() -> None:
    scenario = load_scenario(BASELINE, ["regional_warehouses.suburb.fleet.units.diesel_van.count=11",
                                        "regional_warehouses.2.area.absence_probability=0.2",
                                        "last_mile.max_attempts=2"])
    assert scenario.regional_warehouses[1].fleet.units[0].count == 11
    assert scenario.regional_warehouses[2].area.absence_probability == 0.2
    assert scenario.last_mile.max_attempts == 2


def test_override_path_errors() -> None:
    assert "matches no element" in _error(BASELINE, "regional_warehouses.atlantis.fleet.units.diesel_van.count=3")
    assert "expected key.path=value" in _error(BASELINE, "horizon.days")


def test_override_does_not_modify_the_input() -> None:
    data = {"a": {"b": 1}}
    assert apply_overrides(data, ["a.b=2", "a.c=\"x\""], "test") == {"a": {"b": 2, "c": "x"}}
    assert data == {"a": {"b": 1}}
