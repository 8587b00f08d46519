"""Facilities from a file: projected positions, geodesic lane distances times the lane circuity, capacities."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import Geod

from sim import load_scenario
from sim.geo.projection import LocalFrame
from sim.scenario.geo import LANE_CIRCUITY
from tests.geo.helpers import HELSINKI, copy_example

HELSINKI_CENTRE = (60.1699, 24.9384)
TAMPERE = (61.4978, 23.7610)
TURKU = (60.4518, 22.2666)
GEOD = Geod(ellps="WGS84")


def geodesic_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return GEOD.inv(a[1], a[0], b[1], b[0])[2] / 1000.0


@pytest.mark.parametrize("other", [TAMPERE, TURKU], ids=["tampere", "turku"])
def test_projected_distance_between_cities_is_within_half_a_percent_of_the_geodesic(other) -> None:
    # The frame of an area in Helsinki: a far city projected into it keeps its distance to the centre
    # exactly (azimuthal equidistant) and to another point of the area within a fraction of a percent.
    frame = LocalFrame(*HELSINKI_CENTRE)
    depot = (60.1668, 24.9380)
    xy = frame.to_km(np.array([depot[0], other[0]]), np.array([depot[1], other[1]]))
    planar = float(np.hypot(*(xy[1] - xy[0])))
    assert planar == pytest.approx(geodesic_km(depot, other), rel=0.005)
    centre_to_other = float(np.hypot(*frame.to_km(np.array([other[0]]), np.array([other[1]]))[0]))
    assert centre_to_other == pytest.approx(geodesic_km(HELSINKI_CENTRE, other), rel=1e-9)


def test_the_example_takes_coordinates_lanes_and_capacities_from_its_file() -> None:
    scenario = load_scenario(HELSINKI)
    rows = {"plant_tampere": (61.4690, 23.7280), "plant_lahti": (60.9630, 25.6180), "vantaa_dc": (60.2930, 24.8630),
            "helsinki": (60.1668, 24.9380)}
    lanes = {lane.factory: lane.distance_km for lane in scenario.central_warehouses[0].inbound}
    for factory in ("plant_tampere", "plant_lahti"):
        expected = geodesic_km(rows[factory], rows["vantaa_dc"]) * LANE_CIRCUITY
        assert lanes[factory] == pytest.approx(expected, abs=1e-3)
    regional = scenario.regional_warehouses[0]
    assert regional.supplier_distance_km == pytest.approx(
        geodesic_km(rows["vantaa_dc"], rows["helsinki"]) * LANE_CIRCUITY, abs=1e-3)
    assert (regional.area.depot_lat, regional.area.depot_lon) == rows["helsinki"]
    assert regional.picking_capacity_orders_per_day == 420
    assert [f.capacity_units_per_day for f in scenario.factories] == [320, 80]
    assert 150 < lanes["plant_tampere"] < 200  # Tampere-Vantaa: ~145 km as the crow flies


def test_a_distance_or_capacity_in_the_toml_wins(tmp_path) -> None:
    path = copy_example(tmp_path)
    scenario = load_scenario(path, ["regional_warehouses.helsinki.supplier_distance_km=25",
                                    "factories.plant_lahti.capacity_units_per_day=99",
                                    "facilities.lane_circuity=1.1"])
    assert scenario.regional_warehouses[0].supplier_distance_km == 25
    assert scenario.factories[1].capacity_units_per_day == 99
    lane = scenario.central_warehouses[0].inbound[0]
    assert lane.distance_km == pytest.approx(geodesic_km((61.4690, 23.7280), (60.2930, 24.8630)) * 1.1, abs=1e-3)


def test_paths_are_relative_to_the_file_that_writes_them(tmp_path) -> None:
    copy_example(tmp_path / "real")
    child = tmp_path / "elsewhere" / "child.toml"
    child.parent.mkdir()
    child.write_text('extends = "../real/helsinki.toml"\nname = "child"\n', encoding="utf-8")
    scenario = load_scenario(child)
    assert scenario.facilities is not None
    assert scenario.facilities.file == str((tmp_path / "real" / "data" / "facilities.csv").resolve())
    assert scenario.regional_warehouses[0].area.boundary == str((tmp_path / "real" / "data" /
                                                                 "boundary.geojson").resolve())
