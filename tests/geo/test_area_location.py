"""An area placed on the Earth: its depot at the projected latitude/longitude, and the location rules."""

from __future__ import annotations

import numpy as np
import pytest

from sim.geo.projection import LocalFrame
from sim.model.geography import AreaGeometry
from sim.scenario.schema import Area
from tests.conftest import short_scenario

CENTRE = (60.1716, 24.9441)
DEPOT = (60.1900, 24.9700)


def _area(**changes: object) -> Area:
    base = short_scenario().regional_warehouses[0].area.model_dump()
    base.update(changes)
    return Area.model_validate(base)


def test_depot_sits_at_its_projected_position() -> None:
    area = _area(centre_lat=CENTRE[0], centre_lon=CENTRE[1], depot_lat=DEPOT[0], depot_lon=DEPOT[1],
                 depot_distance_km=None)
    geometry = AreaGeometry(area, np.random.default_rng(0))
    expected = LocalFrame(*CENTRE).to_km(np.array([DEPOT[0]]), np.array([DEPOT[1]]))[0]
    assert geometry.frame is not None
    assert np.array_equal(geometry.depot_xy, expected)
    assert 1.4 < geometry.depot_xy[0] < 1.5 and 2.0 < geometry.depot_xy[1] < 2.1  # km east and north


def test_a_synthetic_area_has_no_frame_and_keeps_its_depot_east() -> None:
    area = _area()
    geometry = AreaGeometry(area, np.random.default_rng(0))
    assert geometry.frame is None
    assert np.array_equal(geometry.depot_xy, np.array([area.depot_distance_km, 0.0]))


@pytest.mark.parametrize(("changes", "words"), [
    ({"centre_lat": 60.0}, "centre_lat and centre_lon go together"),
    ({"depot_lat": 60.0, "depot_lon": 25.0, "depot_distance_km": None}, "need centre_lat/centre_lon"),
    ({"centre_lat": 60.0, "centre_lon": 25.0, "depot_lat": 60.0, "depot_lon": 25.0}, "not both"),
    ({"depot_distance_km": None}, "not neither"),
    ({"centre_lat": 91.0, "centre_lon": 25.0}, "less than or equal to 90"),
])
def test_location_rules(changes: dict[str, object], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        _area(**changes)
