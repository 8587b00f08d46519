"""The special-function forms of the t and chi-square functions equal scipy.stats bit for bit."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from sim.metrics.distributions import chi2_quantile, student_t_quantile, student_t_sf

DOFS = [0.5, 1, 2, 3, 4, 7, 9, 19, 29, 49.7, 99, 1_000, 1e6, math.inf]


@pytest.mark.parametrize("dof", DOFS)
def test_student_t_equals_scipy_stats(dof: float) -> None:
    for p in (0.8, 0.9, 0.95, 0.975, 0.995, 0.9995):
        assert student_t_quantile(p, dof) == float(stats.t.ppf(p, dof))
    for x in np.linspace(0.0, 12.0, 49):
        assert student_t_sf(float(x), dof) == float(stats.t.sf(x, dof))


def test_known_values() -> None:
    assert student_t_quantile(0.975, 9) == pytest.approx(2.262157, abs=1e-6)  # the textbook table
    assert student_t_quantile(0.975, math.inf) == pytest.approx(1.959964, abs=1e-6)
    assert student_t_sf(0.0, 5) == 0.5
    assert chi2_quantile(0.95, 1) == pytest.approx(3.841459, abs=1e-6)


@pytest.mark.parametrize("dof", [0.0, -1.0, math.nan])
def test_no_degrees_of_freedom_give_nan_as_scipy_stats_does(dof: float) -> None:
    assert math.isnan(student_t_quantile(0.975, dof)) and math.isnan(float(stats.t.ppf(0.975, dof)))
    assert math.isnan(student_t_sf(1.0, dof)) and math.isnan(float(stats.t.sf(1.0, dof)))


def test_chi2_equals_scipy_stats_on_poisson_totals() -> None:
    for total in [*range(0, 120), 0.37, 5.5, 1234.25]:
        for alpha in (0.01, 0.05, 0.1):
            if total > 0:
                assert chi2_quantile(alpha / 2, 2 * total) == float(stats.chi2.ppf(alpha / 2, 2 * total))
            assert chi2_quantile(1 - alpha / 2, 2 * total + 2) == float(stats.chi2.ppf(1 - alpha / 2, 2 * total + 2))
