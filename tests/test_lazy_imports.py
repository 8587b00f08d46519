"""`import sim`, `sim --help` and `sim validate` load none of the heavy libraries."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import BASELINE, ROOT

HEAVY = ("scipy", "pandas", "matplotlib", "pyvrp", "numba")
PROBE = """
import json, sys
{action}
print(json.dumps([name for name in {heavy!r} if name in sys.modules]))
"""
ACTIONS = {
    "import sim": "import sim, sim.errors",
    "sim --help": "from sim.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass",
    "sim validate": f"from sim.cli import main\nassert main(['validate', {str(BASELINE)!r}]) == 0",
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_light_commands_import_no_heavy_library(action: str) -> None:
    code = PROBE.format(action=ACTIONS[action], heavy=HEAVY)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_public_names_still_resolve() -> None:
    import sim
    import sim.experiments

    assert sim.load_result.__module__ == "sim.output.reader"
    assert sim.RunResult.__name__ == "RunResult"
    assert sim.experiments.compare.__module__ == "sim.experiments.comparison"
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = sim.nope


def test_a_run_without_plots_does_not_load_matplotlib() -> None:
    # matplotlib costs ~20 MiB of a run's memory: only plots and reports should bring it in.
    code = PROBE.format(action="import sim.cli, sim.runner\nfrom sim.output import write_run", heavy=("matplotlib",))
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_experiments_and_runs_do_not_load_scipy_stats() -> None:
    # scipy.stats costs about half a second of every experiment command's and worker's start;
    # the intervals use scipy.special (sim.metrics.distributions) instead.
    code = PROBE.format(action="import sim.runner, sim.experiments.report, sim.experiments.sweep, sim.strategies",
                        heavy=("scipy.stats",))
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
