"""Replications by precision: add replications until a KPI's relative CI half-width reaches a target, with a cap.

This is the sequential procedure for a relative precision of Law and Kelton
(A. M. Law, "Simulation Modeling and Analysis", 5th ed., McGraw-Hill 2015,
section 9.4.1): after each stage, stop at the first ``n >= n0`` with
``half_width(n) / |mean(n)| <= target``. The stages are not one replication
at a time, which would leave all but one worker idle: the next stage goes to
the number of replications the current standard deviation predicts
(``n * (relative half-width / target) ** 2``, at least one more), and never
beyond the cap. The stages depend on the KPI's values only, never on the
number of workers, so the replications made (and every table) are the same at
any ``--jobs``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sim.errors import ScenarioError
from sim.experiments.stats import CONFIDENCE, t_interval

FIRST_STAGE = 3
DEFAULT_CAP = 50


@dataclass(frozen=True)
class Precision:
    """Where a sequence of replications stands against its target."""

    kpi: str
    target: float                  # relative half-width wanted (0.005 = 0.5 %)
    n: int
    mean: float
    half_width: float
    cap: int

    @property
    def relative(self) -> float:
        """Half-width over |mean| (infinite while undefined: fewer than 2 values or a zero mean)."""
        if self.n < 2 or not math.isfinite(self.half_width) or self.mean == 0 or not math.isfinite(self.mean):
            return math.inf if self.half_width != 0 else 0.0
        return self.half_width / abs(self.mean)

    @property
    def reached(self) -> bool:
        """The target is met."""
        return self.relative <= self.target

    @property
    def capped(self) -> bool:
        """The cap was reached without meeting the target."""
        return not self.reached and self.n >= self.cap

    def next_n(self) -> int:
        """Replications to have after the next stage: the prediction from the current spread, within the cap."""
        if self.reached or self.n >= self.cap:
            return self.n
        if not math.isfinite(self.relative):
            return min(self.cap, max(self.n + 1, FIRST_STAGE))
        predicted = math.ceil(self.n * (self.relative / self.target) ** 2)
        return min(self.cap, max(self.n + 1, predicted))

    def sentence(self) -> str:
        """One line: the precision reached, with how many replications, or that the cap stopped it."""
        got = f"{100 * self.relative:.3g} %" if math.isfinite(self.relative) else "undefined"
        if self.reached:
            return (f"{self.kpi}: 95 % CI half-width {got} of the mean after {self.n} replications "
                    f"(target {100 * self.target:.3g} %).")
        return (f"{self.kpi}: target {100 * self.target:.3g} % not reached: {got} after {self.n} replications "
                f"(the cap, --max-replications {self.cap}).")


def precision_of(values: Sequence[float], kpi: str, target: float, cap: int,
                 confidence: float = CONFIDENCE) -> Precision:
    """The precision of the replications ``values`` of one KPI (NaN values, undefined runs, are left out)."""
    interval = t_interval(values, confidence)
    return Precision(kpi, target, len(values), interval.mean, interval.half_width, cap)


def parse_precision(text: str) -> float:
    """``"0.5%"`` -> 0.005 (a bare number is a fraction: ``0.005``); a one-line error otherwise."""
    raw = text.strip()
    try:
        value = float(raw[:-1]) / 100.0 if raw.endswith("%") else float(raw)
    except ValueError:
        raise ScenarioError(f"--precision {text}: expected a relative half-width such as 0.5% or 0.005") from None
    if not 0 < value < 1:
        raise ScenarioError(f"--precision {text}: must be between 0 and 100 %")
    return value


def parse_replications(text: str) -> int | str:
    """``--replications`` value: a count, or ``auto`` (replications by precision or by selection)."""
    if text.strip().lower() == "auto":
        return "auto"
    try:
        return int(text)
    except ValueError:
        raise ScenarioError(f"--replications {text}: expected a number of replications or 'auto'") from None
