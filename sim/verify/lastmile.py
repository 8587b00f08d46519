"""Failed deliveries, pickup-point fallback and Little's law on parcels, read from the baseline runs.

In the baseline each home attempt fails independently with the area's absence
probability p (the hourly factors are flat and no stop has a time window), and
after m failed attempts the parcel goes to a pickup point. So the number of
attempts K of a parcel has the truncated geometric law

    P(K = k) = p^(k-1) (1 - p) for k < m,   P(K = m) = p^(m-1),

the first attempt succeeds with probability 1 - p, E[K] = (1 - p^m) / (1 - p),
and the share of parcels falling back to a pickup point is p^m.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.verify.baseline import baseline_runs
from sim.verify.checks import CheckRow, VerifyContext, register, statistical

if TYPE_CHECKING:
    from sim.result import RunResult

GEOMETRIC = "independent Bernoulli(p) attempts, truncated at m (geometric law)"
# Parcels ordered this long before the end of the run have (almost) all finished: their attempts are not
# censored by the horizon (lead times are about a day, three attempts at most a few days).
SETTLED_HOURS = 5 * 24.0


def attempted_parcels(result: RunResult) -> pd.DataFrame:
    """Parcels sent to a home address that reached a final state, ordered early enough to have finished."""
    parcels = result.parcels
    end = result.window[1]
    final = parcels["state"].isin(["delivered", "at_pickup_point", "returned"])
    home = ~parcels["chose_pickup"] & ~parcels["outsourced"] & (parcels["attempts"] >= 1)
    return parcels[final & home & (parcels["order_time_h"] <= end - SETTLED_HOURS)]


def _flat_absence(result: RunResult) -> bool:
    return all(len(set(w.area.absence_hourly_factor)) == 1 for w in result.scenario.regional_warehouses)


def _area_rows(area: str, p: float, m: int, attempts: np.ndarray, fallback: np.ndarray, what: str) -> list[CheckRow]:
    n = len(attempts)
    element = "failed deliveries"
    first = float((attempts == 1).mean())
    mean_k = (1 - p ** m) / (1 - p)
    k = np.arange(1, m + 1)
    pmf = np.append(p ** (k[:-1] - 1) * (1 - p), p ** (m - 1))
    var_k = float((pmf * k ** 2).sum() - mean_k ** 2)
    share = p ** m
    source = f"area {area}: p = {p} (scenario), m = {m}"
    return [
        statistical(element, f"first-attempt success, {area} ({what}, n={n})", "1 - p; " + GEOMETRIC, source,
                    1 - p, first, math.sqrt(p * (1 - p) / n)),
        statistical(element, f"attempts per parcel, {area} ({what}, n={n})", "E[K] = (1 - p^m) / (1 - p)", source,
                    mean_k, float(attempts.mean()), math.sqrt(var_k / n)),
        statistical("pickup-point fallback", f"share sent to a pickup point after m attempts, {area} ({what})",
                    "p^m", source, share, float(fallback.mean()), math.sqrt(share * (1 - share) / n)),
    ]


@register("failed_attempts_geometric", "failed deliveries")
def failed_attempt_checks(ctx: VerifyContext) -> list[CheckRow]:
    """Per area: first-attempt success, mean attempts and pickup-point fallback against the geometric law."""
    runs = baseline_runs(ctx)
    if not all(_flat_absence(r) for r in runs):
        raise ValueError("the geometric law needs flat absence_hourly_factor in every area")
    scenario = runs[0].scenario
    m = scenario.last_mile.max_attempts
    frames = [attempted_parcels(r) for r in runs]
    parcels = pd.concat(frames, ignore_index=True)
    what = f"baseline, {len(runs)} replications"
    rows: list[CheckRow] = []
    for warehouse in scenario.regional_warehouses:
        mine = parcels[parcels["regional"] == warehouse.name]
        attempts = mine["attempts"].to_numpy()
        fallback = (mine["delivered_via"].eq("pickup_point") | mine["state"].eq("at_pickup_point")
                    | ((mine["state"] == "returned") & (mine["attempts"] >= m))).to_numpy()
        rows += _area_rows(warehouse.name, warehouse.area.absence_probability, m, attempts, fallback, what)
    return rows


def little_parcels(result: RunResult) -> tuple[float, float, float]:
    """Little's law on parcels in the window: (time-average number in system, lambda x W, standard error).

    A parcel is in the system from its order until it is available to the
    customer (delivered, or handed to the pickup point); one not yet available
    at the end stays in until the window's end. The number in system is sampled
    every hour; lambda is the arrival rate of the window's orders and W their
    mean time in system (cut at the window's end). The standard error comes from
    the day-by-day differences of the two sides.
    """
    start, end = result.window
    parcels = result.parcels
    order = parcels["order_time_h"].to_numpy()
    leave = np.nan_to_num(parcels["available_time_h"].to_numpy(dtype=float), nan=np.inf)
    hours = np.arange(start, end, 1.0)
    arrived = np.searchsorted(np.sort(order), hours, side="right")
    left = np.searchsorted(np.sort(leave), hours, side="right")
    in_system = (arrived - left).astype(float)
    inside = (order >= start) & (order < end)
    sojourn = np.minimum(leave[inside], end) - order[inside]
    day = ((order[inside] - start) // 24).astype(int)
    days = round((end - start) / 24)
    lam_w_daily = np.bincount(day, weights=sojourn, minlength=days)[:days] / 24.0
    l_daily = in_system.reshape(days, 24).mean(axis=1)
    residual = l_daily - lam_w_daily
    return float(in_system.mean()), float(sojourn.sum() / (end - start)), float(residual.std(ddof=1) / math.sqrt(days))


@register("little_parcels", "Little's law (parcels)")
def little_checks(ctx: VerifyContext) -> list[CheckRow]:
    """Time-average parcels in system against lambda x W, per baseline run."""
    rows = []
    for index, result in enumerate(baseline_runs(ctx)):
        mean_in_system, lam_w, se = little_parcels(result)
        rows.append(statistical("Little's law (parcels)", f"parcels in the system, baseline replication {index}",
                                "L = lambda W (arrivals per hour x mean hours from order to delivery)",
                                "Little (1961), Operations Research 9(3)", lam_w, mean_in_system, se))
    return rows
