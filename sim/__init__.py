"""sim: a discrete-event simulator of supply chains that measures what the last mile costs.

Quick use from Python::

    from sim import load_scenario, run
    result = run(load_scenario("scenarios/baseline.toml"), seed=1)
    result.summary["last_mile_share"]
    result.cost_table()
    again = load_result("results/baseline/<run-id>")   # the same tables, read back from a results folder
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from sim.errors import ScenarioError

if TYPE_CHECKING:
    from sim.experiments import compare, load_sweep, merge_sweeps, run_replications, run_sweep
    from sim.output import load_result
    from sim.result import RunResult
    from sim.runner import run
    from sim.scenario import Scenario, load_scenario

# Public name -> module. Loaded on first use: `import sim`, `sim --help` and
# `sim validate` then never pay for pandas, scipy, matplotlib or pyvrp.
_EXPORTS = {
    "RunResult": "sim.result",
    "Scenario": "sim.scenario",
    "compare": "sim.experiments",
    "load_result": "sim.output",
    "load_scenario": "sim.scenario",
    "load_sweep": "sim.experiments",
    "merge_sweeps": "sim.experiments",
    "run": "sim.runner",
    "run_replications": "sim.experiments",
    "run_sweep": "sim.experiments",
}

__all__ = [
    "RunResult",
    "Scenario",
    "ScenarioError",
    "compare",
    "load_result",
    "load_scenario",
    "load_sweep",
    "merge_sweeps",
    "run",
    "run_replications",
    "run_sweep",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """Import the module of a public name when the name is first used."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
