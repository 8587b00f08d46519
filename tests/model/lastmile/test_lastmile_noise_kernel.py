"""The compiled leg-noise factors equal ``TrafficModel.leg_noise`` bit for bit (NormalDist's AS241 quantile)."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pytest

from sim.model.lastmile.noise_kernel import leg_noise_factors, standard_normal_quantile
from sim.model.lastmile.traffic import lognormal_mean_one


def _uniforms() -> np.ndarray:
    rng = np.random.default_rng(3)
    edges = [0.5, 0.075, 0.925, 0.075 + 1e-12, 0.925 - 1e-12, 2.0**-53, 1.0 - 2.0**-53, 1e-300]
    # The central region, both tails, and the far tails (r > 5 needs p below about 1.4e-11).
    return np.concatenate([rng.random(20_000), rng.random(5_000) * 1e-3, 1.0 - rng.random(5_000) * 1e-3,
                           rng.random(2_000) * 1e-12, np.array(edges)])


def test_the_quantile_is_normaldists_bit_for_bit() -> None:
    u = _uniforms()
    expected = np.array([NormalDist().inv_cdf(p) for p in u.tolist()])
    got = np.array([standard_normal_quantile(p) for p in u.tolist()])
    assert got.tobytes() == expected.tobytes()


@pytest.mark.parametrize("sigma", [0.0, 0.15, 0.6])
def test_leg_noise_factors_are_the_scalar_factors_bit_for_bit(sigma: float) -> None:
    u = _uniforms()
    expected = np.array([lognormal_mean_one(sigma, NormalDist().inv_cdf(p)) for p in u.tolist()])
    assert leg_noise_factors(u, sigma).tobytes() == expected.tobytes()
