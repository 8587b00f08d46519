"""Reading scenario files safely: every bad file, path or extends chain is one line, never a hang or traceback."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import pytest

from sim import ScenarioError, load_scenario
from sim.cli import main
from sim.scenario.loader import MAX_EXTENDS_DEPTH, MAX_FILE_BYTES, merge_scenarios
from tests.conftest import BASELINE


def _error(path: Path, *overrides: str) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    message = str(info.value)
    assert "\n" not in message
    return message


def _extending(tmp_path: Path, extends: str, rest: str = "", name: str = "child.toml") -> Path:
    path = tmp_path / name
    path.write_text(f"extends = {extends}\n{rest}")
    return path


def test_a_file_that_is_not_utf8_names_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "b.toml"
    path.write_bytes(b'name = "x"\n\xff\n')
    assert _error(path) == f"{path}: not UTF-8 text: byte 0xff at line 2 (offset 11); save the file as UTF-8"


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    assert "not a regular file (a FIFO, device or socket)" in _error(fifo)
    assert "not a regular file" in _error(_extending(tmp_path, f'"{fifo}"'))


def test_a_device_is_refused_without_reading_it(tmp_path: Path) -> None:
    assert _error(_extending(tmp_path, '"/dev/zero"')) == (
        "/dev/zero: not a regular file (a FIFO, device or socket): a scenario file must be a file")


def test_a_file_larger_than_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.toml"
    path.write_text("# " + "x" * MAX_FILE_BYTES + "\n")
    assert _error(path) == f"{path}: larger than 1024 KiB: not a scenario file"


def test_a_directory_and_a_missing_file(tmp_path: Path) -> None:
    assert "is a directory" in _error(tmp_path)
    assert "no such scenario file" in _error(_extending(tmp_path, '"absent.toml"'))


@pytest.mark.parametrize(
    ("extends", "fragment"),
    [
        ('"' + "x" * 5000 + '"', "too long for a path (5000 characters"),
        ('"' + "a/" * 100 + "b" * 300 + '"', "255 bytes per folder or file name"),
        ('"a\\u0000b"', "a path cannot hold a null character"),
        ("3", "extends = 3: allowed: a path to another scenario file"),
        ('""', "allowed: a path to another scenario file"),
        ('"child.toml"', "the files extend each other in a cycle"),
    ],
)
def test_bad_extends_values(tmp_path: Path, extends: str, fragment: str) -> None:
    message = _error(_extending(tmp_path, extends))
    assert message.startswith(str(tmp_path / "child.toml")) and fragment in message


def test_a_cycle_through_two_files(tmp_path: Path) -> None:
    _extending(tmp_path, '"b.toml"', name="a.toml")
    _extending(tmp_path, '"a.toml"', name="b.toml")
    assert "extend each other in a cycle" in _error(tmp_path / "a.toml")


def test_an_endless_chain_stops_at_the_depth_limit(tmp_path: Path) -> None:
    for i in range(1200):
        _extending(tmp_path, f'"c{i + 1}.toml"', name=f"c{i}.toml")
    message = _error(tmp_path / "c0.toml")
    assert f"the chain of extends is longer than {MAX_EXTENDS_DEPTH} files" in message


def test_a_chain_within_the_limit_works(tmp_path: Path) -> None:
    for i in range(MAX_EXTENDS_DEPTH - 2):
        _extending(tmp_path, f'"c{i + 1}.toml"', name=f"c{i}.toml")
    _extending(tmp_path, f'"{BASELINE.resolve()}"', '[horizon]\ndays = 3\n', name=f"c{MAX_EXTENDS_DEPTH - 2}.toml")
    assert load_scenario(tmp_path / "c0.toml").horizon.days == 3


def test_two_tables_of_one_name_in_a_merged_list_are_refused(tmp_path: Path) -> None:
    # Before, the second merged over the first and the first's bad value was never checked.
    twice = ('[[factories]]\nname = "plant_east"\ncapacity_units_per_day = -1\n'
             '[[factories]]\nname = "plant_east"\ncapacity_units_per_day = 10\n')
    path = _extending(tmp_path, f'"{BASELINE.resolve()}"', twice)
    assert _error(path) == (f"{path}: factories[1].name = 'plant_east': a second table of that name "
                            "(each name may appear once in a list; they merge by name)")


@pytest.mark.parametrize("name", ["3", '["a"]', "{ x = 1 }", "true"])
def test_a_name_that_is_not_a_string_in_a_merged_list(tmp_path: Path, name: str) -> None:
    path = _extending(tmp_path, f'"{BASELINE.resolve()}"', f"[[factories]]\nname = {name}\n")
    assert f"{path}: factories[0].name = " in _error(path) and "allowed: a string" in _error(path)


def test_a_duplicate_in_an_extended_file_is_reported_against_that_file(tmp_path: Path) -> None:
    parent = tmp_path / "parent.toml"
    parent.write_text(BASELINE.read_text().replace('name = "plant_south"', 'name = "plant_east"'))
    message = _error(_extending(tmp_path, '"parent.toml"'))
    assert message.startswith(f"{parent}: factories[1].name = 'plant_east'")


def test_merge_scenarios_refuses_bad_names_when_called_directly() -> None:
    with pytest.raises(ScenarioError, match=r"here: factories\[0\]\.name = \['x'\]: allowed: a string"):
        merge_scenarios({"factories": [{"name": "a"}]}, {"factories": [{"name": ["x"]}]}, source="here")


def test_nesting_beyond_the_limit_is_refused(tmp_path: Path) -> None:
    deep = tmp_path / "deep.toml"
    deep.write_text("x = " + "[" * 40 + "]" * 40 + "\n")
    assert "nested 33 deep; at most 32" in _error(deep)
    deeper = tmp_path / "deeper.toml"
    deeper.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    assert "not valid TOML" in _error(deeper)


def test_line_breaks_in_keys_stay_on_one_line() -> None:
    assert r"a\nb: unknown key" in _error(BASELINE, "a\nb=1")


def test_the_cli_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "b.toml"
    path.write_bytes(b"\xff")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["validate", str(path)]) == 2
    assert err.getvalue().count("\n") == 1 and err.getvalue().startswith(f"sim: error: {path}: not UTF-8")
