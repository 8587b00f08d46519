"""`sim init` copies the real-network example with its data files, and the copy validates where it lands."""

from __future__ import annotations

from sim import load_scenario
from sim.scenario.shipped import init_folder


def test_an_init_folder_holds_the_example_data_and_its_scenarios_resolve_there(tmp_path) -> None:
    written = init_folder(tmp_path / "work")
    real = tmp_path / "work" / "scenarios" / "examples" / "real"
    assert {p.name for p in written if p.parent == real / "data"} == {
        "facilities.csv", "orders.csv", "zones.geojson", "boundary.geojson"}
    scenario = load_scenario(real / "helsinki_fitted.toml")
    assert scenario.facilities is not None and scenario.facilities.file == str((real / "data" /
                                                                                 "facilities.csv").resolve())
    assert scenario.regional_warehouses[0].area.fitted_demand is not None
