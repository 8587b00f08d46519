"""The verification checks: one row per comparison of a model element with theory or a published figure.

A check is a function registered with :func:`register`; it receives a
:class:`VerifyContext` (the mode, the seed, a cache of shared baseline runs) and
returns :class:`CheckRow` objects, one per compared quantity. Two kinds of rows:

* a **statistical** row compares a simulated estimate with an exact value: it
  carries the standard error and ``z = (simulated - expected) / se``, and passes
  when ``|z| <= Z_PASS``;
* a **band** row compares a value with a published range: it passes when the
  value lies in ``[band_low, band_high]`` (with a CI when there are replications).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

# Two-sided 99.9 %: with about 40 statistical rows, a correct model fails any of them by chance at most ~4 %
# of the time (Bonferroni), and the seeds are fixed, so a failure is reproducible.
Z_PASS = 3.29

COLUMNS = ("element", "check", "reference", "source", "expected", "simulated", "standard_error", "ci_low",
           "ci_high", "z", "band_low", "band_high", "pass")


@dataclass(frozen=True)
class CheckRow:
    """One line of checks.csv."""

    element: str  # the model element checked (e.g. "picking station")
    check: str  # what is compared, with the case (e.g. "mean wait in queue, M/M/2, rho 0.7")
    reference: str  # the exact formula or the published figure
    source: str  # where the formula or the figure comes from
    expected: float  # exact value (NaN for a band)
    simulated: float
    standard_error: float = math.nan
    ci_low: float = math.nan
    ci_high: float = math.nan
    z: float = math.nan
    band_low: float = math.nan
    band_high: float = math.nan
    passed: bool = False

    def as_csv(self) -> dict[str, Any]:
        """The row with the column names of checks.csv (``pass`` rather than ``passed``)."""
        row = asdict(self)
        row["pass"] = row.pop("passed")
        return {name: row[name] for name in COLUMNS}


def statistical(element: str, check: str, reference: str, source: str, expected: float, simulated: float,
                standard_error: float) -> CheckRow:
    """A row comparing an estimate with an exact value: z score, 99.9 % interval, pass when |z| <= Z_PASS."""
    if not standard_error > 0:  # an identity measured without noise: equal up to rounding, or a failure
        z = 0.0 if math.isclose(simulated, expected, rel_tol=1e-9, abs_tol=1e-9) else math.inf
    else:
        z = (simulated - expected) / standard_error
    return CheckRow(element, check, reference, source, expected, simulated, standard_error,
                    simulated - Z_PASS * standard_error, simulated + Z_PASS * standard_error, z,
                    passed=bool(abs(z) <= Z_PASS))


def band(element: str, check: str, reference: str, source: str, simulated: float, low: float, high: float,
         ci: tuple[float, float] | None = None, standard_error: float = math.nan) -> CheckRow:
    """A row comparing a value (a mean over replications when ``ci`` is given) with a published band."""
    ci_low, ci_high = ci if ci is not None else (math.nan, math.nan)
    return CheckRow(element, check, reference, source, math.nan, simulated, standard_error, ci_low, ci_high,
                    band_low=low, band_high=high, passed=bool(low <= simulated <= high))


@dataclass
class VerifyContext:
    """What every check receives: the mode, the base seed and shared, cached inputs (the baseline runs)."""

    quick: bool
    seed: int = 1
    cache: dict[str, Any] = field(default_factory=dict)

    def cached(self, key: str, make: Callable[[], Any]) -> Any:
        """``make()`` once per context under ``key`` (the baseline runs are shared by several checks)."""
        if key not in self.cache:
            self.cache[key] = make()
        return self.cache[key]


CheckFunction = Callable[[VerifyContext], list[CheckRow]]


@dataclass(frozen=True)
class RegisteredCheck:
    """A check in the registry: its name, the model element it covers and the function."""

    name: str
    element: str
    function: CheckFunction


_REGISTRY: dict[str, RegisteredCheck] = {}


def register(name: str, element: str) -> Callable[[CheckFunction], CheckFunction]:
    """Decorator: add a check function to the registry under ``name`` (unique)."""
    def add(function: CheckFunction) -> CheckFunction:
        if name in _REGISTRY:
            raise ValueError(f"a verification check named {name!r} is already registered")
        _REGISTRY[name] = RegisteredCheck(name, element, function)
        return function
    return add


def registry() -> list[RegisteredCheck]:
    """The checks registered so far, in registration order (``sim.verify.suite`` imports the built-in ones)."""
    return list(_REGISTRY.values())
