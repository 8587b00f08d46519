"""Sensitivity indices of a Sobol' or Morris sweep, from its runs: the analyse step of SALib's sample/run/analyse.

The design's sample is drawn again from the parameters ``sweep.json`` records
(SALib's samplers are deterministic given their seed), each point's KPI is the
mean over its replications (common random numbers across points, so the noise
does not pass for an effect), and SALib's analyser turns them into indices:

- Sobol' (Saltelli 2002, Jansen 1999 estimators, as in ``SALib.analyze.sobol``): ``S1`` is the
  share of the KPI's variance due to the factor alone, ``ST`` that due to the factor with all its
  interactions; ``ST`` near 0 means the KPI does not depend on the factor.
- Morris (Campolongo et al. 2007, ``SALib.analyze.morris``): ``mu_star`` is the mean absolute
  elementary effect (KPI units per whole range of the factor), ``sigma`` the spread of the effects
  (non-linearity or interactions).

``*_conf`` are the half-widths of bootstrap confidence intervals at 95 %.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.experiments.design import morris_sample, unit_problem

if TYPE_CHECKING:
    from matplotlib.axes import Axes

SOBOL_COLUMNS = ["kpi", "factor", "S1", "S1_conf", "ST", "ST_conf"]
MORRIS_COLUMNS = ["kpi", "factor", "mu_star", "mu_star_conf", "sigma"]
CONFIDENCE = 0.95
RESAMPLES = 200
INDICES_FILE = "sensitivity.csv"


def bootstrap_seed(design_seed: int) -> int:
    """The seed of the analysers' bootstrap: never 0, which SALib's Sobol' analyser takes for "unseeded"."""
    return design_seed + 1


def point_means(aggregate: pd.DataFrame, kpi: str, points: int) -> np.ndarray:
    """The KPI's mean at each point 0 .. points - 1 (NaN where no run of the point gave it)."""
    rows = aggregate[aggregate["kpi"] == kpi].set_index("point")["mean"]
    return rows.reindex(range(points)).to_numpy(dtype=float)


def sobol_rows(kpi: str, names: list[str], y: np.ndarray, seed: int, second_order: bool) -> list[list[Any]]:
    """One row per factor: S1, S1_conf, ST, ST_conf of ``y`` (the runs of a Saltelli sample, in its order)."""
    from SALib.analyze import sobol

    if not np.isfinite(y).all() or float(np.var(y)) == 0.0:
        # An undefined KPI at some point, or one that no factor moves: no variance to share out.
        value = 0.0 if np.isfinite(y).all() else math.nan
        return [[kpi, name, value, value, value, value] for name in names]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        found = sobol.analyze(unit_problem(names), y, calc_second_order=second_order, num_resamples=RESAMPLES,
                              conf_level=CONFIDENCE, seed=seed)
    return [[kpi, name, float(found["S1"][i]), float(found["S1_conf"][i]), float(found["ST"][i]),
             float(found["ST_conf"][i])] for i, name in enumerate(names)]


def morris_rows(kpi: str, names: list[str], x: np.ndarray, y: np.ndarray, seed: int,
                levels: int) -> list[list[Any]]:
    """One row per factor: mu_star, mu_star_conf, sigma of ``y`` (the runs of the trajectories ``x``)."""
    from SALib.analyze import morris

    if not np.isfinite(y).all():
        return [[kpi, name, math.nan, math.nan, math.nan] for name in names]
    found = morris.analyze(unit_problem(names), x, y, num_resamples=RESAMPLES, conf_level=CONFIDENCE,
                           num_levels=levels, seed=seed)
    return [[kpi, name, float(found["mu_star"][i]), float(found["mu_star_conf"][i]), float(found["sigma"][i])]
            for i, name in enumerate(names)]


def analyse(description: Mapping[str, Any], aggregate: pd.DataFrame, kpis: Iterable[str]) -> pd.DataFrame:
    """The indices of every KPI in ``kpis`` found in the aggregate table, one row per (KPI, factor)."""
    design = description["design"]
    names = list(description["factors"])
    points = len(description["points"])
    known = set(aggregate["kpi"])
    rows: list[list[Any]] = []
    if design["kind"] == "sobol":
        for kpi in (k for k in kpis if k in known):
            rows += sobol_rows(kpi, names, point_means(aggregate, kpi, points), bootstrap_seed(int(design["seed"])),
                               bool(design.get("second_order", False)))
        return pd.DataFrame(rows, columns=SOBOL_COLUMNS)
    levels = int(design.get("levels", 4))
    x = morris_sample(names, int(design["n"]), int(design["seed"]), levels)
    for kpi in (k for k in kpis if k in known):
        rows += morris_rows(kpi, names, x, point_means(aggregate, kpi, points), bootstrap_seed(int(design["seed"])),
                            levels)
    return pd.DataFrame(rows, columns=MORRIS_COLUMNS)


def plot_indices(indices: pd.DataFrame, kpi: str, ax: Axes | None = None) -> Axes:
    """Horizontal bars of one KPI's indices by factor (S1 and ST, or mu_star and sigma) with their CIs."""
    if ax is None:
        from matplotlib.figure import Figure

        ax = Figure(figsize=(10, 1.6 + 0.5 * indices["factor"].nunique())).subplots()
    rows = indices[indices["kpi"] == kpi]
    y = np.arange(len(rows))
    bars: tuple[tuple[str, str | None, str], ...]
    if "ST" in rows:
        bars = (("S1", "S1_conf", "first order S1"), ("ST", "ST_conf", "total ST"))
        ax.set_xlabel("Sobol' index (share of the KPI's variance)")
    else:
        bars = (("mu_star", "mu_star_conf", "mu* (mean |effect|)"), ("sigma", None, "sigma (spread of effects)"))
        ax.set_xlabel(f"elementary effect on {kpi} (per whole range of the factor)")
    height = 0.38
    for k, (column, conf, label) in enumerate(bars):
        ax.barh(y + (k - 0.5) * height, rows[column], height,
                xerr=rows[conf] if conf else None, label=label, capsize=3)
    ax.set_yticks(y, [str(f) for f in rows["factor"]])
    ax.invert_yaxis()
    ax.set_title(f"sensitivity of {kpi}")
    ax.legend(loc="lower right", fontsize="small")
    return ax


def write_indices(folder: Path, description: Mapping[str, Any], aggregate: pd.DataFrame,
                  plots: bool = True) -> tuple[pd.DataFrame, list[Path]]:
    """``sensitivity.csv`` (and with ``plots`` one ``plots/sensitivity_<kpi>.png`` per KPI) in a sweep folder."""
    import os

    indices = analyse(description, aggregate, description["plot_kpis"])
    tmp = folder / (INDICES_FILE + ".tmp")
    indices.to_csv(tmp, index=False)
    os.replace(tmp, folder / INDICES_FILE)
    written: list[Path] = []
    if plots:
        (folder / "plots").mkdir(exist_ok=True)
        from matplotlib.figure import Figure

        for kpi in dict.fromkeys(indices["kpi"]):
            figure = Figure(figsize=(10, 1.6 + 0.5 * indices["factor"].nunique()))
            plot_indices(indices, str(kpi), figure.subplots())
            figure.tight_layout()
            path = folder / "plots" / f"sensitivity_{str(kpi).replace('/', '_')}.png"
            figure.savefig(path, dpi=110)
            written.append(path)
    return indices, written
