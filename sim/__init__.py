"""sim: a discrete-event simulator of supply chains that measures what the last mile costs.

Quick use from Python::

    from sim import load_scenario, run
    result = run(load_scenario("scenarios/baseline.toml"), seed=1)
    result.summary["last_mile_share"]
    result.cost_table()
"""

from sim.errors import ScenarioError
from sim.experiments import compare, load_sweep, merge_sweeps, run_replications, run_sweep
from sim.result import RunResult
from sim.runner import run
from sim.scenario import Scenario, load_scenario

__all__ = [
    "RunResult",
    "Scenario",
    "ScenarioError",
    "compare",
    "load_scenario",
    "load_sweep",
    "merge_sweeps",
    "run",
    "run_replications",
    "run_sweep",
]
__version__ = "0.1.0"
