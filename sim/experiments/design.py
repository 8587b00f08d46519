"""Experimental designs: the values of each factor and the points (factor assignments) of a sweep.

A factor is a list of values or a :class:`Range`. The full grid crosses every
factor's values (first factor slowest). A Latin hypercube draws ``n`` points
whose every factor is stratified over its range: continuously for a float range
without ``num`` or ``step``, otherwise over the factor's discrete values.
Sobol' (Saltelli) and Morris designs come from SALib's samplers over the unit
hypercube, mapped to each factor the same way (:func:`value_at`), so that
SALib's analysers can read the runs back in the sample's order.
"""

from __future__ import annotations

import inspect
import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from scipy.stats import qmc


@dataclass(frozen=True)
class Range:
    """``{start, stop, num}`` (num evenly spaced values, ends included) or ``{start, stop, step}``."""

    start: int | float
    stop: int | float
    num: int | None = None
    step: int | float | None = None

    @property
    def integral(self) -> bool:
        """Whether every bound is an integer, so the values are integers too."""
        return all(isinstance(v, int) for v in (self.start, self.stop, self.step) if v is not None)

    @property
    def continuous(self) -> bool:
        """A float interval with no grid of its own (only a Latin hypercube can sample it)."""
        return not self.integral and self.num is None and self.step is None


Factor = list[Any] | Range


def _clean(value: float) -> float:
    # 0.1 + 2 * 0.1 is 0.30000000000000004; twelve decimals keep the value the
    # user meant without losing anything a scenario could care about.
    return round(value, 12)


def range_values(factor: Range) -> list[Any]:
    """The values of a range; raises ValueError (the reason) when it has none or is ambiguous."""
    if factor.num is not None and factor.step is not None:
        raise ValueError("give either num or step, not both")
    if factor.num is not None:
        if factor.num < 1:
            raise ValueError(f"empty range: num = {factor.num}, needs at least 1")
        values = np.linspace(factor.start, factor.stop, factor.num).tolist()
        if factor.integral and all(float(v).is_integer() for v in values):
            return [int(v) for v in values]
        return [_clean(v) for v in values]
    step = factor.step if factor.step is not None else (1 if factor.integral else None)
    if step is None:
        raise ValueError("a float range needs num or step (or use a Latin hypercube design)")
    if step == 0 or (factor.stop - factor.start) * step < 0:
        raise ValueError(f"empty range: step {step} does not lead from {factor.start} to {factor.stop}")
    count = math.floor((factor.stop - factor.start) / step + 1e-9) + 1
    if factor.integral:
        return [int(factor.start + k * step) for k in range(count)]
    return [_clean(factor.start + k * step) for k in range(count)]


def factor_values(factor: Factor) -> list[Any]:
    """Every value a factor takes in a grid."""
    if isinstance(factor, Range):
        return range_values(factor)
    if not factor:
        raise ValueError("empty list of values")
    return list(factor)


def grid_points(factors: Mapping[str, Factor]) -> list[dict[str, Any]]:
    """The full factorial design, first factor varying slowest."""
    names = list(factors)
    values = [factor_values(factors[name]) for name in names]
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*values)]


def _lhs_engine(dimensions: int, seed: int) -> qmc.LatinHypercube:
    from scipy.stats import qmc  # imported here: only Latin hypercube designs need scipy.stats

    # SciPy 1.15 renamed the generator argument from ``seed`` to ``rng``.
    if "rng" in inspect.signature(qmc.LatinHypercube).parameters:
        return qmc.LatinHypercube(d=dimensions, rng=np.random.default_rng(seed))
    return qmc.LatinHypercube(d=dimensions, seed=np.random.default_rng(seed))  # pragma: no cover


def lhs_points(factors: Mapping[str, Factor], n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` Latin hypercube points (reproducible from ``seed``)."""
    if n < 1:
        raise ValueError(f"n = {n}: needs at least 1 point")
    return unit_points(factors, _lhs_engine(len(factors), seed).random(n))


def value_at(factor: Factor, u: float) -> Any:
    """The factor's value at ``u`` in [0, 1]: a point of a continuous range, else one of its discrete values.

    Discrete values split [0, 1] into equal cells, so a uniform ``u`` picks each
    value with the same probability (a grid factor seen by a sampling design).
    """
    if isinstance(factor, Range) and factor.continuous:
        return _clean(factor.start + float(u) * (factor.stop - factor.start))
    values = factor_values(factor)
    return values[min(int(u * len(values)), len(values) - 1)]


def unit_points(factors: Mapping[str, Factor], sample: np.ndarray) -> list[dict[str, Any]]:
    """Points from a sample of the unit hypercube (one row per point, one column per factor)."""
    names = list(factors)
    return [{name: value_at(factors[name], float(u)) for name, u in zip(names, row, strict=True)}
            for row in sample]


def unit_problem(names: list[str]) -> dict[str, Any]:
    """A SALib problem over the unit hypercube; :func:`value_at` maps each axis to its factor."""
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def sobol_sample(names: list[str], n: int, seed: int, second_order: bool = False) -> np.ndarray:
    """Saltelli's extension of the Sobol' sequence (SALib): ``n * (d + 2)`` rows, ``n * (2d + 2)`` with second order.

    ``n`` must be a power of two, as the Sobol' sequence's balance properties need.
    """
    from SALib.sample import sobol

    if n < 2 or n & (n - 1):
        raise ValueError(f"n = {n}: a Sobol' design needs a power of two (2, 4, 8, 16, ...)")
    return np.asarray(sobol.sample(unit_problem(names), n, calc_second_order=second_order, seed=seed))


def morris_sample(names: list[str], n: int, seed: int, levels: int = 4) -> np.ndarray:
    """``n`` Morris trajectories on a ``levels``-level grid (SALib): ``n * (d + 1)`` rows."""
    from SALib.sample import morris

    if n < 2:
        raise ValueError(f"n = {n}: a Morris design needs at least 2 trajectories")
    if levels < 2 or levels % 2:
        raise ValueError(f"levels = {levels}: a Morris grid needs an even number of levels, at least 2")
    return np.asarray(morris.sample(unit_problem(names), n, num_levels=levels, seed=seed))


def parse_cell(text: str) -> Any:
    """A CSV cell as the value ``--set`` would give it: a TOML literal (number, bool, quoted text, list), else text."""
    import tomllib

    text = text.strip()
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text
