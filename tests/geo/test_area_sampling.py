"""Customers in polygons, zones and at weighted points: inside, uniform, by weight, deterministic; the disc kept."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from scipy import stats
from shapely.geometry import Polygon, box

from sim import load_scenario
from sim.geo.areas import PointSampler, PolygonSampler, zone_index
from sim.model.geography import AreaGeometry
from sim.model.streams import parcel_uniform
from tests.conftest import short_scenario
from tests.geo.helpers import HELSINKI

# An L of three unit squares (concave) with a square hole in the middle of the first: shares 0.75/3, 1/3, 1/3.
L_SHAPE = Polygon([(0, 0), (2, 0), (2, 1), (1, 1), (1, 2), (0, 2)], [[(0.25, 0.25), (0.75, 0.25), (0.75, 0.75),
                                                                    (0.25, 0.75)]])
CELLS = [box(0, 0, 1, 1), box(1, 0, 2, 1), box(0, 1, 1, 2)]


def test_points_in_a_concave_polygon_with_a_hole_stay_inside_and_are_uniform() -> None:
    sampler = PolygonSampler([L_SHAPE], np.array([1.0]))
    xy, zone = sampler.sample(np.random.default_rng(3), 30_000)
    assert (zone == 0).all()
    assert shapely.contains_xy(L_SHAPE, xy[:, 0], xy[:, 1]).all()
    counts = np.bincount(zone_index(CELLS, xy), minlength=3)
    areas = np.array([cell.intersection(L_SHAPE).area for cell in CELLS])
    assert areas == pytest.approx([0.75, 1.0, 1.0])
    _, p = stats.chisquare(counts, counts.sum() * areas / areas.sum())
    assert p > 1e-3
    # Uniform inside a cell too: a KS test of x within the right-hand square.
    right = xy[zone_index(CELLS, xy) == 1]
    assert stats.kstest(right[:, 0] - 1.0, "uniform").pvalue > 1e-3


def test_zones_get_their_shares_and_draws_are_deterministic() -> None:
    weights = np.array([1.0, 3.0, 6.0])
    sampler = PolygonSampler(CELLS, weights)
    xy, zone = sampler.sample(np.random.default_rng(5), 20_000)
    _, p = stats.chisquare(np.bincount(zone, minlength=3), 20_000 * weights / weights.sum())
    assert p > 1e-3
    assert np.array_equal(zone_index(CELLS, xy), zone)  # each point lies in the zone drawn for it
    again, _ = sampler.sample(np.random.default_rng(5), 20_000)
    assert np.array_equal(xy, again)


def test_weighted_points_reproduce_their_weights() -> None:
    points = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [5.0, 5.0]])
    weights = np.array([10.0, 20.0, 30.0, 0.0])
    sampler = PointSampler(points, weights)
    xy, index = sampler.sample(np.random.default_rng(7), 60_000)
    counts = np.bincount(index, minlength=4)
    assert counts[3] == 0  # a point of weight 0 never orders
    _, p = stats.chisquare(counts[:3], 60_000 * weights[:3] / weights.sum())
    assert p > 1e-3
    assert np.array_equal(xy, points[index])


def test_addresses_from_counter_uniforms_are_fixed_and_placed_like_customers() -> None:
    sampler = PolygonSampler(CELLS, np.array([1.0, 1.0, 2.0]))
    first = [sampler.address(lambda k, a=a: parcel_uniform(99, a, k)) for a in range(4_000)]
    again = [sampler.address(lambda k, a=a: parcel_uniform(99, a, k)) for a in range(4_000)]
    assert first == again
    counts = np.bincount(zone_index(CELLS, np.array(first)), minlength=3)
    _, p = stats.chisquare(counts, 4_000 * np.array([0.25, 0.25, 0.5]))
    assert p > 1e-3


def test_an_area_without_files_draws_the_disc_exactly_as_before() -> None:
    area = short_scenario().regional_warehouses[0].area
    geometry = AreaGeometry(area, np.random.default_rng(11))
    rng = np.random.default_rng(11)
    radius = math.sqrt(area.area_km2 / math.pi) * np.sqrt(rng.random(area.pickup_points))
    angle = 2.0 * np.pi * rng.random(area.pickup_points)
    assert geometry.places is None
    assert np.array_equal(geometry.pickup_xy, np.column_stack((radius * np.cos(angle), radius * np.sin(angle))))
    a, b = np.random.default_rng(2), np.random.default_rng(2)
    assert np.array_equal(geometry.sample_customers(a, 50), geometry.sample_points(b, 50))


def test_the_example_area_is_its_boundary_and_its_customers_are_in_the_zones() -> None:
    scenario = load_scenario(HELSINKI, ["history.replay=false"])
    area = scenario.regional_warehouses[0].area
    geometry = AreaGeometry(area, np.random.default_rng(1))
    places = geometry.places
    assert places is not None and places.region is not None
    boundary = places.region.shapes[0]  # type: ignore[union-attr]
    assert area.area_km2 == pytest.approx(boundary.area, rel=1e-6)
    assert 1.0 < area.area_km2 < 1.3  # 0.80 km x 1.45 km
    assert shapely.contains_xy(boundary, geometry.pickup_xy[:, 0], geometry.pickup_xy[:, 1]).all()
    customers = geometry.sample_customers(np.random.default_rng(4), 12_000)
    zone = zone_index(places.zone_shapes, customers)  # type: ignore[arg-type]
    assert (zone >= 0).all()
    households = np.array([1037, 1037, 1383, 1383, 1152, 1152], dtype=float)
    _, p = stats.chisquare(np.bincount(zone, minlength=6), 12_000 * households / households.sum())
    assert p > 1e-3
