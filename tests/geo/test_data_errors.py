"""Malformed data files: one line naming file, row, column and value, exit 2, through sim validate and sim run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.geo.helpers import cli, copy_example


def _replace_line(path: Path, line: int, text: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[line] = text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _missing_column(folder: Path) -> None:
    path = folder / "data" / "facilities.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(",".join(line.split(",")[:3]) for line in lines) + "\n")  # no longitude


def _bad_latitude(folder: Path) -> None:
    _replace_line(folder / "data" / "facilities.csv", 3, "vantaa_dc,central_warehouse,95.5,24.863,,")


def _bad_timestamp(folder: Path) -> None:
    _replace_line(folder / "data" / "orders.csv", 5, "2026-13-05 08:00:00,60.17,24.94,north_west,standard")


def _unknown_zone(folder: Path) -> None:
    _replace_line(folder / "data" / "orders.csv", 7, "2026-10-05 09:00:00,,,kallio,standard")


def _unknown_facility(folder: Path) -> None:
    _replace_line(folder / "data" / "facilities.csv", 2, "plant_oulu,factory,65.01,25.47,80,")


def _empty_history(folder: Path) -> None:
    (folder / "data" / "orders.csv").write_text("")


def _bad_zone_households(folder: Path) -> None:
    path = folder / "data" / "zones.geojson"
    data = json.loads(path.read_text())
    data["features"][2]["properties"]["households"] = -4
    path.write_text(json.dumps(data))


def _unknown_product(folder: Path) -> None:
    _replace_line(folder / "data" / "orders.csv", 2, "2026-10-05 00:48:18,60.176965,24.945807,north_east,sofa")


CASES = {
    "missing column": (_missing_column, ["facilities.csv:", "column 'longitude' is missing"]),
    "bad latitude": (_bad_latitude, ["facilities.csv:", "row 3", "column 'latitude'", "'95.5'", "-90 <= value <= 90"]),
    "unparsable timestamp": (_bad_timestamp, ["orders.csv:", "row 5", "column 'timestamp'", "'2026-13-05 08:00:00'",
                                              "ISO 8601"]),
    "unknown zone": (_unknown_zone, ["orders.csv:", "row 7", "column 'zone'", "'kallio'", "north_west"]),
    "unknown facility name": (_unknown_facility, ["facilities.csv:", "row 2", "column 'name'", "'plant_oulu'",
                                                  "plant_lahti"]),
    "empty file": (_empty_history, ["orders.csv:", "empty file"]),
    "negative households": (_bad_zone_households, ["zones.geojson:", "feature 3", "column 'households'", "-4"]),
    "unknown product": (_unknown_product, ["orders.csv:", "row 2", "column 'product'", "'sofa'", "standard"]),
}


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_a_malformed_data_file_is_one_line_and_exit_2(tmp_path, capsys, case: str, command: str) -> None:
    scenario = copy_example(tmp_path)
    damage, words = CASES[case]
    damage(tmp_path)
    out = tmp_path / "results"
    extra = ["--out", str(out), "--no-plots"] if command == "run" else []
    code, _, err = cli(capsys, command, str(scenario), *extra)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sim: error: "), err
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert "Traceback" not in err
    assert not out.exists() or not any(out.rglob("summary.json"))  # nothing written


def test_fit_demand_with_a_bad_history_writes_nothing(tmp_path, capsys) -> None:
    copy_example(tmp_path)
    _bad_timestamp(tmp_path)
    target = tmp_path / "fitted.toml"
    code, _, err = cli(capsys, "fit-demand", str(tmp_path / "data" / "orders.csv"), "--out", str(target))
    assert code == 2 and "row 5, column 'timestamp'" in err and len(err.strip().splitlines()) == 1
    assert not target.exists() and not list(tmp_path.glob(".fitted.toml*"))


def test_fit_demand_without_an_area_asks_for_one(tmp_path, capsys) -> None:
    copy_example(tmp_path)
    code, _, err = cli(capsys, "fit-demand", str(tmp_path / "data" / "orders.csv"), "--out",
                       str(tmp_path / "x.toml"))
    assert code == 2 and "column 'area'" in err and "--area" in err


def test_a_boundary_that_disagrees_with_a_given_area_km2_is_refused(tmp_path, capsys) -> None:
    scenario = copy_example(tmp_path)
    code, _, err = cli(capsys, "validate", str(scenario), "--set", "regional_warehouses.helsinki.area.area_km2=5")
    assert code == 2 and "area_km2 = 5" in err and "covers 1.158 km2" in err
