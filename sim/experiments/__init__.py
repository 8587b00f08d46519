"""Experiments on top of ``run``: replications with confidence intervals, paired comparisons, sweeps.

From a notebook::

    from sim import load_scenario
    from sim.experiments import compare, run_replications, run_sweep, sensitivity

    base = load_scenario("scenarios/baseline.toml", ["horizon.days=7"])
    reps = run_replications(base, 5, seed=1)              # reps.summary: mean, std, 95 % CI per KPI
    what_if = load_scenario("scenarios/baseline.toml", ["horizon.days=7", "last_mile.max_attempts=1"])
    comparison = compare(base, what_if, 5, seed=1)         # comparison.table: paired B - A per KPI
    sweep = run_sweep("scenarios/sweeps/absence_vs_fleet.toml", jobs=2)   # sweep.runs, sweep.aggregate
    risky = load_scenario("scenarios/examples/upstream/disruption_random.toml", ["horizon.days=14"])
    risk = risk_analysis(risky, 20, seed=1)                # risk.table: best, mean, worst, percentiles, impact
    comparison.plot("cost_per_parcel.last_mile"); sweep.plot(kpi, factor); risk.plot("stock.fill_rate")
    sweep = run_sweep(base, factors={"last_mile.max_attempts": [1, 2, 3]}, replications=5)   # no sweep file
    sens = sensitivity(base, factors={key: (low, high)}, method="sobol", n=16, kpis=[kpi])  # sens.indices

Runs go to a local process pool by default (``jobs``), to any
``concurrent.futures.Executor`` (``executor=``) or to a Dask cluster (``client=``).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.experiments.comparison import Comparison, compare
    from sim.experiments.design import Range
    from sim.experiments.global_sensitivity import SensitivityResult, sensitivity
    from sim.experiments.replications import ReplicationSet, run_replications
    from sim.experiments.risk import RiskResult, risk_analysis
    from sim.experiments.spec import SweepSpec, load_sweep
    from sim.experiments.stats import Interval, paired_interval, t_interval, welch_interval
    from sim.experiments.sweep import SweepResult, merge_sweeps, run_sweep

# Public name -> submodule. Loaded on first use, so that ``sim.cli`` can import
# the experiment commands without paying for scipy and pandas on `sim validate`.
_EXPORTS = {
    "Comparison": "comparison", "compare": "comparison",
    "Range": "design",
    "ReplicationSet": "replications", "run_replications": "replications",
    "RiskResult": "risk", "risk_analysis": "risk",
    # Not "sensitivity": a submodule of that name would shadow the function once imported.
    "SensitivityResult": "global_sensitivity", "sensitivity": "global_sensitivity",
    "SweepSpec": "spec", "load_sweep": "spec",
    "Interval": "stats", "paired_interval": "stats", "t_interval": "stats", "welch_interval": "stats",
    "SweepResult": "sweep", "merge_sweeps": "sweep", "run_sweep": "sweep",
}

__all__ = [
    "Comparison",
    "Interval",
    "Range",
    "ReplicationSet",
    "RiskResult",
    "SensitivityResult",
    "SweepResult",
    "SweepSpec",
    "compare",
    "load_sweep",
    "merge_sweeps",
    "paired_interval",
    "risk_analysis",
    "run_replications",
    "run_sweep",
    "sensitivity",
    "t_interval",
    "welch_interval",
]


def __getattr__(name: str) -> Any:
    """Import the submodule of a public name when the name is first used."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'sim.experiments' has no attribute {name!r}")
    return getattr(import_module(f"sim.experiments.{_EXPORTS[name]}"), name)
