"""Was the warm-up long enough? MSER on weekly batches of the run's daily KPIs, from day 0 (warm-up included).

MSER (the marginal standard error rule: White 1997, *Simulation* 69(6); White,
Cobb & Spratt 2000, Proc. Winter Simulation Conference, where MSER-m batches
the output in means of m observations) picks the truncation point d that
minimises the standard error of the mean of what is left,

    MSER(d) = sum_{i > d} (Z_i - mean(Z_{d+1..k}))^2 / (k - d)^2,

over the k batch means Z, with d searched in the first half of the series only
(a minimum at the end of that half says the series is too short to tell).
Here an observation is one day and a batch is one week (MSER-7): demand has a
weekday pattern, and batches of five days (MSER-5, the rule's default for raw
output) would cut through that cycle and read it as a transient.

The daily KPIs are the summary's headline ones: the last-mile share and the
cost per ordered parcel of the day's ledger entries, and the mean lead time,
on-time rate and fill rate of the day's orders. Order days near the end of the
run, whose parcels may still be in the system (censored: only the fast ones
count), are left out of the service KPIs.

The verdict rests on the headline KPI, the daily last-mile share: in the
baseline its first week stands out (upstream costs start to flow only when the
first trucks run) and MSER finds that week in every seed, while on series
without a transient (the cost per parcel after the first week, the fill rate
near 1) its minimum falls on noise, sometimes weeks in. The other KPIs'
truncation points are in the summary for information.

MSER over a few weekly batches also falls on noise now and then (in 2 of 12
seeds of the 9-week baseline it deleted a second, ordinary week). So a
truncation later than the warm-up counts only when the first week it would
delete beyond the warm-up differs from the weeks it keeps by more than noise
(a Student t prediction test, significant at ``SIGNIFICANCE``). The
warm-up is long enough unless such a significant difference is found; a run of
fewer than four weeks cannot be judged.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

BATCH_DAYS = 7
RULE = "MSER-7 (MSER of White, Cobb & Spratt 2000 on weekly batches)"
SERVICE_KPIS = ("mean_lead_time_h", "on_time_rate", "fill_rate")
DECIDING_KPI = "last_mile_share"
# A day's orders are nearly all served within this many days (p95 lead time about 2 days in the baseline):
# later order days are censored by the end of the run and left out of the service KPIs.
SETTLE_DAYS = 3
SIGNIFICANCE = 0.01
MIN_BATCHES = 4


def mser_truncation(values: np.ndarray, batch: int = BATCH_DAYS) -> tuple[int, bool]:
    """MSER-``batch``: (observations to delete from the start, whether the minimum lies inside the searched half).

    ``values`` is the series in time order. Fewer than four batches cannot be
    judged: (0, False). Ties keep the shorter truncation.
    """
    batches = len(values) // batch
    if batches < MIN_BATCHES:
        return 0, False
    means = np.asarray(values[: batches * batch], dtype=float).reshape(batches, batch).mean(axis=1)
    best, best_d = math.inf, 0
    half = batches // 2
    for d in range(half + 1):
        rest = means[d:]
        stat = float(((rest - rest.mean()) ** 2).sum()) / len(rest) ** 2
        if d == 0 or stat < best * (1 - 1e-12):
            best, best_d = stat, d
    return best_d * batch, best_d < half


def first_extra_week_p(values: np.ndarray, warmup_days: float, truncation_days: int,
                       batch: int = BATCH_DAYS) -> float:
    """p value of the first week MSER deletes beyond the warm-up, against the weeks it keeps.

    The week in which the warm-up ends (the first measured days) is compared
    with the mean of the kept weeks by a Student t prediction test. A weekly
    mean's noise is estimated from the kept days' deviations from their weekday
    means (days - 7 degrees of freedom), far steadier than the spread of the two
    or three weekly means a short run keeps. 1.0 when there is nothing to compare.
    """
    from sim.metrics.distributions import student_t_sf

    batches = len(values) // batch
    days = np.asarray(values[: batches * batch], dtype=float).reshape(batches, batch)
    cut = truncation_days // batch
    first, kept = int(warmup_days // batch), days[cut:]
    if first >= cut or len(kept) < 2:
        return 1.0
    residuals = kept - kept.mean(axis=0)  # each day against its weekday's mean over the kept weeks
    dof = residuals.size - batch
    noise = math.sqrt(float((residuals ** 2).sum()) / dof / batch)  # of one weekly mean
    spread = noise * math.sqrt(1 + 1 / len(kept))
    difference = float(days[first].mean() - kept.mean())
    if spread == 0.0:
        return 1.0 if difference == 0.0 else 0.0
    return 2 * student_t_sf(abs(difference) / spread, dof)


def daily_kpis(daily: pd.DataFrame, ledger: pd.DataFrame, end_day: int, settled_day: int) -> dict[str, np.ndarray]:
    """Each daily KPI for days 0 .. ``end_day`` - 1 (service KPIs up to ``settled_day`` - 1), NaN where undefined."""
    days = np.arange(end_day)
    by_day = daily.set_index("day").reindex(days)
    series: dict[str, np.ndarray] = {}
    if len(ledger):
        day = (ledger["time_h"].to_numpy(dtype=float) // 24.0).astype(np.int64)
        amount = ledger["amount"].to_numpy(dtype=float)
        inside = day < end_day
        total = np.bincount(day[inside], weights=amount[inside], minlength=end_day)[:end_day]
        last_mile = (ledger["leg"].to_numpy() == "last_mile") & inside
        last = np.bincount(day[last_mile], weights=amount[last_mile], minlength=end_day)[:end_day]
        orders = by_day["orders"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            series["last_mile_share"] = np.where(total > 0, last / total, np.nan)
            series["cost_per_parcel"] = np.where(orders > 0, total / orders, np.nan)
    for kpi in SERVICE_KPIS:
        values = by_day[kpi].to_numpy(dtype=float)
        series[kpi] = values[:settled_day]
    return series


def warmup_diagnostic(daily: pd.DataFrame, ledger: pd.DataFrame, warmup_days: float, end_day: int,
                      settled_day: int | None = None) -> dict[str, Any]:
    """The summary's ``warmup`` entry: the rule, each KPI's truncation (days), and whether the warm-up was enough.

    ``suggested_days`` is the deciding KPI's (the last-mile share's) truncation
    point. ``long_enough`` is False when it is later than the warm-up and the
    first week beyond the warm-up differs significantly from the weeks kept
    (``first_extra_week_p`` below ``SIGNIFICANCE``), None when the run has fewer than four weeks, else
    True. A day with an undefined KPI (no delivery on a Sunday) takes the KPI's
    mean, so that the weeks stay aligned.
    """
    settled = end_day - SETTLE_DAYS if settled_day is None else settled_day
    by_kpi: dict[str, int] = {}
    weeks, p = 0, 1.0
    for kpi, values in daily_kpis(daily, ledger, end_day, settled).items():
        finite = np.isfinite(values)
        if not finite.any():
            continue
        filled = np.where(finite, values, values[finite].mean())
        days, _ = mser_truncation(filled)
        by_kpi[kpi] = days
        if kpi == DECIDING_KPI:
            weeks = len(filled) // BATCH_DAYS
            p = first_extra_week_p(filled, warmup_days, days) if days > warmup_days else 1.0
    suggested = by_kpi.get(DECIDING_KPI, 0)
    long_enough: bool | None = None if weeks < MIN_BATCHES else not (suggested > warmup_days and p < SIGNIFICANCE)
    result: dict[str, Any] = {"rule": RULE, "deciding_kpi": DECIDING_KPI, "warmup_days": warmup_days,
                              "suggested_days": suggested, "first_extra_week_p": p, "truncation_days": by_kpi,
                              "long_enough": long_enough}
    if long_enough is None:
        result["note"] = (f"too short to judge: the rule needs at least {MIN_BATCHES * BATCH_DAYS} days of daily "
                          f"{DECIDING_KPI}")
    elif long_enough and suggested > warmup_days:
        result["note"] = (f"MSER deleted {suggested} days, but the first week beyond the warm-up does not differ "
                          f"from the weeks kept (t test p = {p:.2f} >= {SIGNIFICANCE}): noise, not a transient")
    return result


def warmup_warning(diagnostic: dict[str, Any]) -> list[str]:
    """A line for ``summary.json``'s ``warnings`` when the rule judged the warm-up too short.

    A run too short to judge gets no warning (``long_enough`` is None and the
    entry's ``note`` says why): the rule cannot tell, and most short test runs
    are short on purpose.
    """
    if diagnostic["long_enough"] is not False:
        return []
    return [f"the warm-up of {diagnostic['warmup_days']:g} days looks too short: {diagnostic['rule']} on the daily "
            f"{diagnostic['deciding_kpi']} would delete the first {diagnostic['suggested_days']} days; "
            "raise horizon.warmup_days"]
