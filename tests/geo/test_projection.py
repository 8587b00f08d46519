"""The local frame: round trips, exact distances from the origin, axis directions, bad coordinates."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import Geod

from sim.geo.projection import LocalFrame

HELSINKI = (60.1716, 24.9441)


def test_round_trip_is_exact_to_a_millimetre() -> None:
    frame = LocalFrame(*HELSINKI)
    rng = np.random.default_rng(3)
    lat = HELSINKI[0] + rng.uniform(-0.5, 0.5, 200)
    lon = HELSINKI[1] + rng.uniform(-1.0, 1.0, 200)
    back_lat, back_lon = frame.to_lat_lon(frame.to_km(lat, lon))
    assert np.max(np.abs(back_lat - lat)) < 1e-8
    assert np.max(np.abs(back_lon - lon)) < 1e-8


def test_distance_from_origin_equals_the_geodesic() -> None:
    frame = LocalFrame(*HELSINKI)
    geod = Geod(ellps="WGS84")
    lat, lon = np.array([60.3, 59.9, 61.0]), np.array([25.3, 24.1, 26.5])
    xy = frame.to_km(lat, lon)
    _, _, metres = geod.inv(np.full(3, HELSINKI[1]), np.full(3, HELSINKI[0]), lon, lat)
    assert np.allclose(np.hypot(xy[:, 0], xy[:, 1]), metres / 1000.0, rtol=1e-9)


def test_axes_point_east_and_north() -> None:
    frame = LocalFrame(*HELSINKI)
    north = frame.to_km(np.array([HELSINKI[0] + 0.01]), np.array([HELSINKI[1]]))[0]
    east = frame.to_km(np.array([HELSINKI[0]]), np.array([HELSINKI[1] + 0.01]))[0]
    assert north[1] == pytest.approx(1.11, abs=0.01) and abs(north[0]) < 1e-9
    assert east[0] == pytest.approx(0.555, abs=0.01) and east[1] > 0  # a parallel curves north of the meridian's east


def test_centred_on_takes_the_bounding_box_middle() -> None:
    frame = LocalFrame.centred_on(np.array([60.0, 61.0, 60.5]), np.array([24.0, 25.0, 26.0]))
    assert (frame.origin_lat, frame.origin_lon) == (60.5, 25.0)


@pytest.mark.parametrize(("lat", "lon", "word"), [(91.0, 0.0, "latitude"), (0.0, 181.0, "longitude"),
                                                   (float("nan"), 0.0, "latitude")])
def test_bad_coordinates_are_named(lat: float, lon: float, word: str) -> None:
    frame = LocalFrame(*HELSINKI)
    with pytest.raises(ValueError, match=f"^{word} .* allowed"):
        frame.to_km(np.array([lat]), np.array([lon]))
