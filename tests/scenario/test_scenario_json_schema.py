"""The JSON Schema of scenario files: complete, described, true to the validator, and shipped with every scenario."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from sim.cli import main
from sim.scenario.json_schema import SCHEMA_FILE, scenario_json_schema, schema_text
from sim.scenario.loader import read_scenario_data
from tests.conftest import BASELINE, ROOT

SCENARIOS = ROOT / "scenarios"
SHIPPED = sorted(p for p in SCENARIOS.rglob("*.toml") if "sweeps" not in p.parts)
VALIDATOR = jsonschema.Draft202012Validator(scenario_json_schema())


def test_the_shipped_schema_is_what_sim_schema_prints(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    printed = capsys.readouterr().out
    assert printed == schema_text()
    assert (SCENARIOS / SCHEMA_FILE).read_text(encoding="utf-8") == printed, (
        "scenarios/scenario.schema.json is stale: run  sim schema --out scenarios/scenario.schema.json")


def test_sim_schema_writes_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--out", str(tmp_path / "s.json")]) == 0
    assert (tmp_path / "s.json").read_text(encoding="utf-8") == schema_text()
    assert main(["schema", "--out", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_the_schema_is_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(scenario_json_schema())


def _properties(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = [(f"(top).{name}", prop) for name, prop in schema["properties"].items()]
    for table, definition in schema["$defs"].items():
        found += [(f"{table}.{name}", prop) for name, prop in definition.get("properties", {}).items()]
    return found


def test_every_field_has_a_description() -> None:
    properties = _properties(scenario_json_schema())
    assert len(properties) > 600  # ~300 fields, in the full and the partial definitions, and the top level
    undescribed = [name for name, prop in properties if not prop.get("description", "").strip()]
    assert undescribed == []


def test_numbers_say_their_unit_and_range() -> None:
    defs = scenario_json_schema()["$defs"]
    assert defs["LineHaul"]["properties"]["cost_per_km"]["description"] == "currency per km (0 <= value <= 1000)"
    assert defs["Area"]["properties"]["service_time_median_min"]["description"].startswith("minutes (")
    # An optional number takes its unit from its type; a nested table its docstring.
    optional = defs["VehicleType"]["properties"]["max_parcel_weight_kg"]["description"]
    assert optional == "kg (0 < value <= 100000) (optional)"
    assert defs["Scenario"]["properties"]["horizon"]["description"].startswith("How long the clock runs")


def test_extends_is_in_the_schema_and_lifts_the_required_keys() -> None:
    schema = scenario_json_schema()
    assert "relative to this file" in schema["properties"]["extends"]["description"]
    assert list(VALIDATOR.iter_errors({"extends": "base.toml", "name": "x"})) == []
    # Partial tables are fine in a file that extends another; misspelt keys are not.
    partial = {"extends": "b.toml", "regional_warehouses": [{"name": "metro", "fleet": {"shift_hours": 8}}]}
    assert list(VALIDATOR.iter_errors(partial)) == []
    partial["regional_warehouses"][0]["fleet"] = {"shift_hourz": 8}
    messages = [e.message for e in VALIDATOR.iter_errors(partial)]
    assert messages == ["Additional properties are not allowed ('shift_hourz' was unexpected)"]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(SCENARIOS)))
def test_every_shipped_scenario_points_at_the_schema_and_validates(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("#:schema "), f"{path}: the first line must be the #:schema directive"
    target = (path.parent / first.removeprefix("#:schema ").strip()).resolve()
    assert target == (SCENARIOS / SCHEMA_FILE).resolve()
    as_written = tomllib.loads(path.read_text(encoding="utf-8"))
    resolved = read_scenario_data(path)
    assert "extends" not in resolved
    for data in (as_written, resolved):
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(data)]
        assert errors == []


def _baseline() -> dict[str, Any]:
    return read_scenario_data(BASELINE)


@pytest.mark.parametrize(("change", "fragment"), [
    (lambda d: d["horizon"].update(dayz=3), "'dayz' was unexpected"),
    (lambda d: d.pop("linehaul"), "'linehaul' is a required property"),
    (lambda d: d["linehaul"].update(cost_per_km=-1), "-1 is less than the minimum of 0"),
    (lambda d: d["routing"].update(planner="ortools"), "'ortools' is not one of ['heuristic', 'pyvrp']"),
    (lambda d: d.update(name=".."), "'..' does not match"),
    (lambda d: d["regional_warehouses"][0]["fleet"]["units"][0].update(count=1.5), "1.5 is not of type 'integer'"),
])
def test_the_schema_refuses_what_the_validator_refuses(change: Any, fragment: str) -> None:
    data = _baseline()
    change(data)
    messages = [e.message for e in VALIDATOR.iter_errors(data)]
    assert any(fragment in m for m in messages), messages
