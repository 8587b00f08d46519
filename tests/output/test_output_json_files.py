"""JSON files of a results folder: valid for every reader, and the NaNs they drop can be put back."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from sim.errors import ScenarioError
from sim.output.json_files import clean_json, nonfinite_paths, read_json, restore_nonfinite, write_json


def test_non_finite_floats_become_null_and_keys_text() -> None:
    assert clean_json({1: [math.nan, 2.0, (math.inf,)], "a": "x"}) == {"1": [None, 2.0, [None]], "a": "x"}


def test_nonfinite_paths_put_back_what_clean_json_dropped(tmp_path: Path) -> None:
    data = {"a": {"b": math.nan, "c": 1.5}, "rows": [{"x": -math.inf}, {"x": 2.0}], "d": math.inf}
    write_json(tmp_path / "d.json", data)
    paths = json.loads(json.dumps(nonfinite_paths(data)))  # as a reader gets them from a file
    assert paths == [[["a", "b"], "nan"], [["rows", 0, "x"], "-inf"], [["d"], "inf"]]
    back = read_json(tmp_path / "d.json")
    restore_nonfinite(back, paths)
    assert math.isnan(back["a"]["b"]) and back["rows"][0]["x"] == -math.inf and back["d"] == math.inf
    assert back["a"]["c"] == 1.5 and back["rows"][1] == {"x": 2.0}


def test_write_json_leaves_no_temporary_file(tmp_path: Path) -> None:
    write_json(tmp_path / "x.json", {"v": 1})
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]


def test_read_json_of_a_missing_or_broken_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="missing"):
        read_json(tmp_path / "none.json")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(ScenarioError, match="cannot be read") as error:
        read_json(tmp_path / "bad.json")
    assert "\n" not in str(error.value)
