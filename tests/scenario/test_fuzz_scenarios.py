"""Property-based fuzzing of the loader and the schema (issue 11): any file is refused on one line, or runs sanely.

Generated files are mutations of the shipped scenarios (numbers replaced by
extremes, keys deleted or added, lists emptied, named tables duplicated,
extends chains, damaged text: see ``tools/fuzz_scenarios.py``, whose
:func:`check` judges each one). A file that validates runs a two-day horizon to
a result whose costs are finite and non-negative with total = upstream + last
mile; one that does not is refused by ``sim validate`` with exit 2 and a single
line. The short runs are in the default suite; the long ones are marked slow.
"""

from __future__ import annotations

import importlib.util
import math
import random
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("fuzz_scenarios", ROOT / "tools" / "fuzz_scenarios.py")
assert _spec is not None and _spec.loader is not None
fuzz = importlib.util.module_from_spec(_spec)
sys.modules["fuzz_scenarios"] = fuzz
_spec.loader.exec_module(fuzz)

SOURCES = fuzz.shipped_scenarios(ROOT)
BASELINE = ROOT / "scenarios" / "baseline.toml"
BASE_DATA = tomllib.loads(BASELINE.read_text())
# Every number of the baseline, by its path in the file's data.
NUMBER_PATHS = [path for path, value in fuzz._paths(BASE_DATA)
                if isinstance(value, int | float) and not isinstance(value, bool)]
ACCEPTED = ("rejected", "valid", "ran")

VALUES = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.booleans(),
    st.sampled_from(["", "x", "1.5", "nan"]),
    st.lists(st.floats(min_value=-10, max_value=10), max_size=3),
)
SHORT = settings(max_examples=15, deadline=None, derandomize=True, database=None,
                 suppress_health_check=[HealthCheck.too_slow])
LONG = settings(max_examples=600, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def _judge(path: Path) -> None:
    outcome = fuzz.check(path, run_it=True, timeout_s=60)
    assert outcome.kind in ACCEPTED, f"{outcome.kind}: {outcome.detail}"


def _mutated_file(source: Path, rng: random.Random) -> None:
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        path, _ = fuzz.mutate(source, rng, Path(tmp))
        _judge(path)


def _one_number(path: tuple[Any, ...], value: Any) -> None:
    data = tomllib.loads(BASELINE.read_text())
    fuzz._parent(data, path)[path[-1]] = value
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        target = Path(tmp) / "scenario.toml"
        target.write_text(fuzz._toml(data))
        _judge(target)


@SHORT
@given(source=st.sampled_from(SOURCES), rng=st.randoms(use_true_random=False))
def test_mutated_shipped_scenarios_are_refused_on_one_line_or_run_sanely(source: Path, rng: random.Random) -> None:
    _mutated_file(source, rng)


@SHORT
@given(path=st.sampled_from(NUMBER_PATHS), value=VALUES)
def test_any_value_of_any_number_is_refused_on_one_line_or_runs_sanely(path: tuple[Any, ...], value: Any) -> None:
    _one_number(path, value)


@pytest.mark.slow
@LONG
@given(source=st.sampled_from(SOURCES), rng=st.randoms(use_true_random=False))
def test_many_mutated_scenarios(source: Path, rng: random.Random) -> None:
    _mutated_file(source, rng)


@pytest.mark.slow
@LONG
@given(path=st.sampled_from(NUMBER_PATHS), value=VALUES)
def test_many_values_of_numbers(path: tuple[Any, ...], value: Any) -> None:
    _one_number(path, value)


def test_the_checker_flags_broken_results() -> None:
    # The judge itself: a negative or non-finite cost and a broken identity are findings.
    good = {"total_cost": 3.0, "upstream_cost": 1.0, "last_mile_cost": 2.0, "cost_by_stage": {"a": 1.0, "b": 2.0}}
    assert fuzz.check_result(good) == ""
    assert "not finite" in fuzz.check_result({**good, "total_cost": -8.7e18})
    assert "not finite" in fuzz.check_result({**good, "cost_by_stage": {"a": math.nan}})
    assert "!= upstream + last_mile" in fuzz.check_result({**good, "total_cost": 4.0})
