"""Count KPIs over replications: a Poisson interval for the mean, never below zero.

A Student t interval around a small count (0, 3, 1, 0, 1 parcels at a pickup
point) can reach below zero, which no count can. Counts are summarised instead
with the exact Poisson interval for the mean (Garwood, *Biometrika* 1936) on
the replications' total, widened by the dispersion when the replications vary
more than a Poisson count would (quasi-Poisson: the total is scaled by
phi = max(1, variance / mean)). The interval is asymmetric; ``half_width`` is
half its length.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

# Last segments of the summary's flat key paths that count whole things in one run.
COUNT_KEYS = frozenset({
    "ordered", "delivered", "at_pickup_point", "returned", "in_system", "lost_sale", "delivered_home",
    "delivered_pickup_point", "count", "trips", "ltl_shipments", "units", "failed_attempts", "aborted_parcels",
    "window_stops", "late_stops", "late_parcels", "setups", "units_produced", "fg_units", "backlog_units",
    "occurrences", "vehicles",
})


def is_count_kpi(kpi: str, values: Iterable[float]) -> bool:
    """``kpi`` names a count (by its last key) and every finite value is a non-negative whole number."""
    if kpi.rsplit(".", 1)[-1] not in COUNT_KEYS:
        return False
    x = np.asarray(list(values), dtype=float)
    x = x[np.isfinite(x)]
    return bool(len(x)) and bool(np.all(x >= 0)) and bool(np.all(x == np.round(x)))


def poisson_mean_interval(values: Iterable[float], confidence: float = 0.95) -> tuple[float, float]:
    """Interval of the mean count per replication: exact Poisson on the total, quasi-Poisson when overdispersed."""
    from sim.metrics.distributions import chi2_quantile

    x = np.asarray(list(values), dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return math.nan, math.nan
    mean = float(x.mean())
    variance = float(x.var(ddof=1)) if n > 1 else 0.0
    phi = max(1.0, variance / mean) if mean > 0 else 1.0
    total = float(x.sum()) / phi  # the total in units of "one Poisson event" after the dispersion
    alpha = 1.0 - confidence
    low = 0.0 if total == 0 else chi2_quantile(alpha / 2, 2 * total) / 2
    high = chi2_quantile(1 - alpha / 2, 2 * total + 2) / 2
    return low * phi / n, high * phi / n


def count_intervals(summary: pd.DataFrame, runs: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """``summary`` (kpi, n, mean, std, half_width, ci_low, ci_high) with the count KPIs' intervals replaced.

    ``runs`` holds one column per KPI, one row per replication. Other KPIs keep
    their (Student t) intervals.
    """
    out = summary.copy()
    for index, kpi in out["kpi"].items():
        if kpi not in runs or not is_count_kpi(str(kpi), runs[kpi]):
            continue
        low, high = poisson_mean_interval(runs[kpi], confidence)
        out.loc[index, ["ci_low", "ci_high", "half_width"]] = [low, high, (high - low) / 2]
    return out
