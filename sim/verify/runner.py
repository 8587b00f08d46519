"""Run the registered checks and collect their rows, with the time each took."""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field

from sim.verify.checks import CheckRow, VerifyContext
from sim.verify.suite import registered_checks


@dataclass
class Verification:
    """The rows of one verification, the seconds each check took, and how the machine was loaded."""

    quick: bool
    seed: int
    rows: list[CheckRow] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    load_before: tuple[float, float, float] = (math.nan, math.nan, math.nan)
    load_after: tuple[float, float, float] = (math.nan, math.nan, math.nan)
    cores: int = 1

    @property
    def total_seconds(self) -> float:
        """Wall time of all checks."""
        return sum(self.seconds.values())

    @property
    def failed(self) -> list[CheckRow]:
        """The rows that did not pass."""
        return [row for row in self.rows if not row.passed]


def _load() -> tuple[float, float, float]:
    try:
        return os.getloadavg()
    except OSError:  # not available on this platform
        return (math.nan, math.nan, math.nan)


def run_checks(quick: bool, seed: int = 1, names: list[str] | None = None) -> Verification:
    """Run every registered check (or those in ``names``) and return the verification.

    A check that raises is recorded as one failed row naming the error, so one
    broken check does not hide the others' results.
    """
    checks = registered_checks()
    if names is not None:
        unknown = sorted(set(names) - {c.name for c in checks})
        if unknown:
            raise ValueError(f"unknown checks {unknown}; known: {[c.name for c in checks]}")
        checks = [c for c in checks if c.name in names]
    ctx = VerifyContext(quick=quick, seed=seed)
    result = Verification(quick=quick, seed=seed, load_before=_load(), cores=os.cpu_count() or 1)
    for check in checks:
        start = time.perf_counter()
        try:
            result.rows += check.function(ctx)
        except Exception as exc:  # recorded against the check, as a sweep records a failed run
            result.errors[check.name] = f"{type(exc).__name__}: {exc}"
            result.rows.append(CheckRow(check.element, f"{check.name} raised {type(exc).__name__}: {exc}",
                                        "", "", math.nan, math.nan))
        result.seconds[check.name] = time.perf_counter() - start
    result.load_after = _load()
    return result
