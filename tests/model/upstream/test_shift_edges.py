"""Shifts that start or end a hair away from the clock: runs finish (both hung before; found by fuzzing)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from sim.model.upstream.factory import Plant
from tests.conftest import ROOT

UPSTREAM = ROOT / "scenarios" / "examples" / "upstream"
SHORT = ("--set", "horizon.warmup_days=1", "--set", "horizon.days=1")


@pytest.mark.parametrize(("scenario", "override"), [
    ("warehouse_operations.toml", "regional_warehouses.0.operations.shift_start_hour=23.999999976"),
])
def test_a_shift_edge_below_the_clocks_resolution_does_not_stop_time(
    scenario: str, override: str, tmp_path: Path
) -> None:
    command = [sys.executable, "-m", "sim", "run", str(UPSTREAM / scenario), *SHORT, "--set", override,
               "--no-plots", "--quiet", "--out", str(tmp_path)]
    # In a child with a time limit: a regression would hang, and must fail instead.
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr


def test_a_factory_shift_with_less_than_a_hair_left_is_over() -> None:
    # Shift 06:00-06:06; at 06:05:59.99999... the shift's remainder is below the 1e-9 h margin.
    plant = SimpleNamespace(config=SimpleNamespace(shift_hours=0.1, production_hour=6.0))
    left, wait = Plant._shift_left(plant, 6.0 + 0.1 - 1e-12)  # type: ignore[arg-type]
    assert left == 0.0 and wait == pytest.approx(24.0 - 0.1)
    left, wait = Plant._shift_left(plant, 6.05)  # type: ignore[arg-type]
    assert left == pytest.approx(0.05) and wait == 0.0
