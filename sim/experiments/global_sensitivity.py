"""Global sensitivity analysis from Python: which factors move a KPI, and how much (SALib's Sobol' or Morris).

::

    from sim.experiments import sensitivity
    result = sensitivity(base, factors={"regional_warehouses.metro.area.absence_probability": (0.05, 0.3),
                                        "vehicle_types.diesel_van.driver_cost_per_hour": (25.0, 45.0)},
                         method="sobol", n=16, kpis=["cost_per_parcel.last_mile"], seed=1, jobs=2)
    result.indices       # kpi, factor, S1, S1_conf, ST, ST_conf   (Morris: mu_star, mu_star_conf, sigma)
    result.plot("cost_per_parcel.last_mile")
    result.folder        # the sweep folder: runs.csv, aggregate.csv, design.csv, sensitivity.csv, plots/

It is a sweep like any other (sample -> run -> analyse): the design is SALib's
sample, the runs go through the sweep engine (process pool, Dask, resume), and
every point uses the same seed and replications (common random numbers), so
differences between points are the factors' doing, not the noise's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from sim.experiments.build import sweep_spec
from sim.experiments.indices import plot_indices
from sim.experiments.sweep import DEFAULT_OUT, SweepResult, run_sweep
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from matplotlib.axes import Axes

DEFAULT_KPIS = ("cost_per_parcel.last_mile", "last_mile_share")


@dataclass
class SensitivityResult:
    """The indices (one row per KPI and factor), the sweep's runs and aggregate, and its folder."""

    method: str
    indices: pd.DataFrame
    sweep: SweepResult

    @property
    def runs(self) -> pd.DataFrame:
        """One row per run (point x replication), as in the sweep's ``runs.csv``."""
        return self.sweep.runs

    @property
    def aggregate(self) -> pd.DataFrame:
        """One row per (point, KPI): mean over the replications and its CI."""
        return self.sweep.aggregate

    @property
    def folder(self) -> Path:
        """The sweep folder (``sensitivity.csv`` and ``plots/sensitivity_<kpi>.png`` beside the sweep's tables)."""
        return self.sweep.folder

    def ranking(self, kpi: str) -> list[str]:
        """The factors from most to least influential on ``kpi`` (by ST, or by mu_star for Morris)."""
        column = "ST" if self.method == "sobol" else "mu_star"
        rows = self.indices[self.indices["kpi"] == kpi].sort_values(column, ascending=False, kind="stable")
        return [str(f) for f in rows["factor"]]

    def plot(self, kpi: str, ax: Axes | None = None) -> Axes:
        """One KPI's indices as bars with their bootstrap CIs."""
        return plot_indices(self.indices, kpi, ax=ax)


def sensitivity(
    base: Scenario | str | Path,
    factors: Mapping[str, Any],
    method: Literal["sobol", "morris"] = "sobol",
    n: int = 16,
    kpis: Iterable[str] = DEFAULT_KPIS,
    replications: int = 1,
    seed: int | None = None,
    jobs: int | None = None,
    *,
    design_seed: int = 0,
    second_order: bool = False,
    levels: int = 4,
    overrides: Iterable[str] = (),
    name: str | None = None,
    out: str | Path = DEFAULT_OUT,
    folder: str | Path | None = None,
    resume: bool = False,
    executor: Executor | None = None,
    client: Any = None,
    plots: bool = True,
    progress: bool | None = None,
) -> SensitivityResult:
    """Sample the factors' ranges with SALib, run every point, and analyse each KPI into sensitivity indices.

    ``factors`` maps key paths to ``(low, high)`` (or any sweep factor).
    ``method="sobol"``: ``n`` (a power of two) base samples, ``n * (d + 2)``
    points (``n * (2d + 2)`` with ``second_order``); ``method="morris"``: ``n``
    trajectories of ``d + 1`` points on a ``levels``-level grid. Every point runs
    ``replications`` replications of ``seed`` (default: the scenario's) and the
    indices read each point's mean; ``design_seed`` draws the sample.
    """
    if method not in ("sobol", "morris"):
        raise ValueError(f"method = {method!r}: allowed: sobol, morris")
    design: dict[str, Any] = {"kind": method, "n": n, "seed": design_seed}
    if method == "sobol":
        design["second_order"] = second_order
    else:
        design["levels"] = levels
    wanted = list(kpis)
    spec = sweep_spec(base, factors, design, replications, seed, name=name, overrides=overrides, plot_kpis=wanted)
    result = run_sweep(spec, executor, client=client, jobs=jobs, out=out, folder=folder, resume=resume,
                       plots=plots, progress=progress)
    if result.indices is None:
        missing = ", ".join(map(str, result.missing[:10]))
        raise RuntimeError(f"{result.folder}: runs {missing} are missing; no indices (resume the sweep)")
    return SensitivityResult(method, result.indices, result)
