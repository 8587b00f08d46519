"""``sim verify`` in full mode (slow: a few minutes): longer runs, 10 baseline replications, PyVRP references."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from sim.verify.report import write_folder
from sim.verify.runner import run_checks

pytestmark = pytest.mark.slow


def test_full_mode_theory_rows_pass_and_the_planner_is_near_pyvrp(tmp_path: Path) -> None:
    result = run_checks(quick=False)
    assert not result.errors
    theory = [row for row in result.rows if math.isfinite(row.z)]
    assert len(theory) >= 50
    assert all(row.passed for row in theory), [row.check for row in theory if not row.passed]
    pyvrp = [row for row in result.rows if "PyVRP" in row.check]
    assert len(pyvrp) == 2 and all(row.passed for row in pyvrp)
    bands = [row for row in result.rows if row.element == "baseline"]
    assert all("mean of 10 replications" in row.check and math.isfinite(row.ci_low) for row in bands)
    folder = write_folder(result, tmp_path, "test")
    assert folder.name.endswith("-full") and (folder / "report.html").exists()
