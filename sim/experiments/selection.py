"""Ranking and selection: which of several systems is best on one KPI, at a stated confidence.

The procedure is Kim and Nelson's fully sequential procedure KN (S.-H. Kim and
B. L. Nelson, "A fully sequential procedure for indifference-zone selection in
simulation", ACM Transactions on Modeling and Computer Simulation 11(3), 2001,
pp. 251-273). It is valid under common random numbers, because it works on the
variance of the pairwise differences, which CRN makes small:

1. Every system gets ``n0`` replications. With ``k`` systems and ``alpha = 1 - confidence``,
   ``eta = ((2 alpha / (k - 1)) ** (-2 / (n0 - 1)) - 1) / 2`` and ``h2 = 2 eta (n0 - 1)``;
   ``S2[i, l]`` is the sample variance of ``X_i - X_l`` over the first ``n0`` pairs.
2. At stage ``r`` (from ``n0`` on), with ``W[i, l](r) = max(0, delta / (2 r) * (h2 S2[i, l] / delta**2 - r))``,
   system ``i`` survives if ``mean_i(r) >= mean_l(r) - W[i, l](r)`` for every other survivor ``l``
   (for a KPI to maximise; a KPI to minimise is negated).
3. One survivor: it is the best, with probability at least ``confidence`` whenever it is better than
   every other by at least the indifference zone ``delta``. More: every survivor gets one more
   replication, and back to 2.

``kim_nelson`` runs steps 2-3 over the replications already made, one stage at
a time, and says whether it needs more; it gives the same answer whether the
replications were made up front or as it asked for them, so a table of a fixed
number of replications gets the subset a sequential run would stop with at
that number. When the budget (a cap on the replications) ends first, the
survivors are the subset that cannot be separated; they are reported as such.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

CONFIDENCE = 0.95
FIRST_STAGE = 5


@dataclass(frozen=True)
class Selection:
    """The outcome of KN: the survivors (the best when one is left) and when each other system was eliminated."""

    kpi: str
    minimize: bool
    confidence: float
    delta: float
    n0: int
    systems: list[str]
    means: dict[str, float]            # each system's mean over its replications at the last stage
    survivors: list[str]
    eliminated: dict[str, int] = field(default_factory=dict)  # system -> stage (replications) it was dropped at
    stage: int = 0                     # replications per survivor the procedure got to
    tied: bool = False                 # survivors gave identical results (CRN): more replications cannot split them

    @property
    def separated(self) -> bool:
        """A single best system was selected."""
        return len(self.survivors) == 1

    @property
    def best(self) -> str | None:
        """The selected system, or None while more than one survives."""
        return self.survivors[0] if self.separated else None

    def status(self, system: str) -> str:
        """``best``, ``not separated`` (in the subset of survivors) or ``eliminated at n=r``."""
        if system in self.eliminated:
            return f"eliminated at n={self.eliminated[system]}"
        return "best" if self.separated else "not separated"

    def sentence(self) -> str:
        """One line saying what was selected, at which confidence and indifference zone."""
        goal = "lowest" if self.minimize else "highest"
        zone = f"indifference zone {self.delta:.4g}"
        if self.separated:
            return (f"Selected {self.best} as the {goal} {self.kpi} at {self.confidence:.0%} confidence ({zone}; "
                    f"Kim-Nelson KN, n0={self.n0}, stopped at n={self.stage}).")
        why = ("their runs are identical under common random numbers" if self.tied
               else f"not separated after n={self.stage} replications")
        return (f"Cannot separate {', '.join(self.survivors)} on the {goal} {self.kpi} at {self.confidence:.0%} "
                f"confidence ({zone}; Kim-Nelson KN, n0={self.n0}): {why}.")


def kn_h2(systems: int, n0: int, confidence: float) -> float:
    """KN's constant ``h^2 = 2 eta (n0 - 1)`` for ``systems`` systems and first-stage size ``n0``."""
    if systems < 2 or n0 < 2:
        return 0.0
    alpha = 1.0 - confidence
    eta = 0.5 * ((2.0 * alpha / (systems - 1)) ** (-2.0 / (n0 - 1)) - 1.0)
    return 2.0 * eta * (n0 - 1)


def resolve_delta(delta: float | str, first_means: Sequence[float]) -> float:
    """An absolute indifference zone, or ``"x%"`` of the mean of the systems' first-stage means."""
    if isinstance(delta, str):
        text = delta.strip()
        if not text.endswith("%"):
            return float(text)
        scale = abs(float(np.mean(first_means))) if len(first_means) else 0.0
        return float(text[:-1]) / 100.0 * scale
    return float(delta)


def kim_nelson(
    samples: Mapping[str, Sequence[float]],
    kpi: str,
    *,
    minimize: bool = True,
    confidence: float = CONFIDENCE,
    delta: float | str = "1%",
    n0: int = FIRST_STAGE,
) -> Selection:
    """KN over the replications in ``samples`` (system -> its KPI by replication 0, 1, ...; pairs share r).

    Walks the stages ``n0 .. `` as far as every survivor has a replication for;
    ``stage`` is where it stopped. Fewer than ``n0`` replications of some system:
    nothing is eliminated yet (``stage`` < ``n0``).
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence = {confidence}: must be between 0 and 1")
    if n0 < 2:
        raise ValueError(f"n0 = {n0}: KN needs a first stage of at least 2 replications")
    systems = list(samples)
    sign = 1.0 if minimize else -1.0  # KN as written maximises: a KPI to minimise is negated
    data = {s: -sign * np.asarray(samples[s], dtype=float) for s in systems}
    have = min((len(v) for v in data.values()), default=0)
    first = [float(np.mean(-sign * data[s][:n0])) for s in systems] if have >= n0 else []
    zone = resolve_delta(delta, first) if first else math.nan
    if have < n0 or len(systems) < 2:
        means = {s: float(np.mean(-sign * data[s])) if len(data[s]) else math.nan for s in systems}
        return Selection(kpi, minimize, confidence, zone, n0, systems, means, list(systems), stage=min(have, n0))
    if not zone > 0:
        raise ValueError(f"delta = {delta!r}: the indifference zone must be positive (it is {zone})")
    h2 = kn_h2(len(systems), n0, confidence)
    s2 = {(i, j): float(np.var(data[i][:n0] - data[j][:n0], ddof=1)) for i in systems for j in systems if i != j}
    alive = list(systems)
    eliminated: dict[str, int] = {}
    r = n0
    tied = False
    while True:
        means = {s: float(data[s][:r].mean()) for s in alive}
        widths = {(i, j): max(0.0, zone / (2 * r) * (h2 * s2[i, j] / zone**2 - r)) for i in alive for j in alive
                  if i != j}
        keep = [i for i in alive if all(means[i] >= means[j] - widths[i, j] for j in alive if j != i)]
        for s in alive:
            if s not in keep:
                eliminated[s] = r
        alive = keep
        if len(alive) == 1:
            break
        if all(s2[i, j] == 0.0 for i in alive for j in alive if i != j):
            tied = True  # identical runs: their means stay equal however many replications follow
            break
        if any(len(data[s]) <= r for s in alive):
            break  # the next stage needs a replication not made yet
        r += 1
    final = {s: float(-sign * data[s][:r].mean()) if s in alive else
             float(-sign * data[s][:eliminated[s]].mean()) for s in systems}
    return Selection(kpi, minimize, confidence, zone, n0, systems, final, alive, eliminated, stage=r, tied=tied)
