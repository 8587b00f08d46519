"""Confidence intervals for replicated KPIs: Student t for one sample, paired differences and Welch.

Pure functions of numbers (no simulation here), so the coverage of the
intervals can be checked on synthetic samples with a known mean.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.metrics.counts import count_intervals
from sim.metrics.distributions import student_t_quantile

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Interval:
    """A sample mean with its standard deviation and a two-sided confidence interval."""

    n: int
    mean: float
    std: float
    half_width: float

    @property
    def low(self) -> float:
        """Lower end of the interval."""
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        """Upper end of the interval."""
        return self.mean + self.half_width

    def covers(self, value: float) -> bool:
        """Whether ``value`` lies inside the interval (ends included)."""
        return self.low <= value <= self.high


def _finite(values: Iterable[float]) -> np.ndarray:
    # A KPI can be undefined for a run (no failed attempt -> no cost per failed
    # attempt): such runs are left out of that KPI's interval, not counted as zero.
    array = np.asarray(list(values), dtype=float)
    return array[np.isfinite(array)]


def t_half_width(std: float, n: int, confidence: float = CONFIDENCE) -> float:
    """Half-width of the Student t interval of a mean of ``n`` values with sample std ``std``."""
    if n < 2 or not math.isfinite(std):
        return math.nan
    return student_t_quantile(0.5 + confidence / 2, n - 1) * std / math.sqrt(n)


def t_interval(values: Iterable[float], confidence: float = CONFIDENCE) -> Interval:
    """Mean, sample standard deviation and Student t confidence interval of independent values."""
    x = _finite(values)
    n = len(x)
    if n == 0:
        return Interval(0, math.nan, math.nan, math.nan)
    std = float(x.std(ddof=1)) if n > 1 else math.nan
    return Interval(n, float(x.mean()), std, t_half_width(std, n, confidence))


def paired_interval(a: Iterable[float], b: Iterable[float], confidence: float = CONFIDENCE) -> Interval:
    """Interval of the mean of ``b - a`` over pairs (replication r of both); pairs with a gap are dropped."""
    x = np.asarray(list(a), dtype=float)
    y = np.asarray(list(b), dtype=float)
    if x.shape != y.shape:
        raise ValueError(f"paired samples differ in length: {x.size} and {y.size}")
    return t_interval(y - x, confidence)


def welch_interval(a: Iterable[float], b: Iterable[float], confidence: float = CONFIDENCE) -> Interval:
    """Interval of ``mean(b) - mean(a)`` treating the samples as independent (Welch-Satterthwaite).

    This is what the comparison would cost without common random numbers; the
    ``std`` field holds the standard error of the difference.
    """
    x, y = _finite(a), _finite(b)
    if len(x) < 2 or len(y) < 2:
        return Interval(min(len(x), len(y)), float(y.mean() - x.mean()) if len(x) and len(y) else math.nan,
                        math.nan, math.nan)
    vx, vy = float(x.var(ddof=1)) / len(x), float(y.var(ddof=1)) / len(y)
    se = math.sqrt(vx + vy)
    diff = float(y.mean() - x.mean())
    if se == 0.0:
        return Interval(min(len(x), len(y)), diff, 0.0, 0.0)
    dof = (vx + vy) ** 2 / (vx**2 / (len(x) - 1) + vy**2 / (len(y) - 1))
    return Interval(min(len(x), len(y)), diff, se, student_t_quantile(0.5 + confidence / 2, dof) * se)


def summarize_columns(frame: pd.DataFrame, columns: Iterable[str], confidence: float = CONFIDENCE) -> pd.DataFrame:
    """One row per column of ``frame``: n, mean, std, half_width, ci_low, ci_high."""
    rows = []
    for column in columns:
        interval = t_interval(frame[column], confidence)
        rows.append({"kpi": column, "n": interval.n, "mean": interval.mean, "std": interval.std,
                     "half_width": interval.half_width, "ci_low": interval.low, "ci_high": interval.high})
    return count_intervals(pd.DataFrame(rows, columns=["kpi", "n", "mean", "std", "half_width", "ci_low", "ci_high"]),
                           frame, confidence)  # counts: a Poisson interval, never below zero
