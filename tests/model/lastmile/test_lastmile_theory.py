"""Model pieces against known results: distributions, congestion means, inventory identities."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.model.lastmile.traffic import loglogistic_mean, loglogistic_minutes, lognormal_mean_one
from sim.model.upstream.policies import SSReorder
from sim.scenario.schema import SSPolicy


def test_loglogistic_sampler_matches_its_median_and_mean() -> None:
    rng = np.random.default_rng(3)
    u = rng.random(200_000)
    sample = np.array([loglogistic_minutes(2.5, 3.0, x) for x in u])
    assert np.median(sample) == pytest.approx(2.5, rel=0.01)
    assert sample.mean() == pytest.approx(loglogistic_mean(2.5, 3.0), rel=0.02)
    # Closed form: mean = median * (pi/b) / sin(pi/b).
    assert loglogistic_mean(2.5, 3.0) == pytest.approx(2.5 * (math.pi / 3) / math.sin(math.pi / 3))


def test_lognormal_noise_has_mean_one() -> None:
    z = np.random.default_rng(4).standard_normal(400_000)
    values = np.array([lognormal_mean_one(0.25, x) for x in z])
    assert values.mean() == pytest.approx(1.0, abs=0.003)


def test_ss_policy_orders_up_to_s_only_at_or_below_the_reorder_point() -> None:
    policy = SSReorder(SSPolicy(reorder_point_days=3, order_up_to_days=7), np.array([10.0, 2.5]))
    np.testing.assert_array_equal(policy.s, [30, 8])
    np.testing.assert_array_equal(policy.big_s, [70, 18])
    np.testing.assert_array_equal(policy.order_quantity(np.array([31, 8])), [0, 10])
    np.testing.assert_array_equal(policy.order_quantity(np.array([-5, 0])), [75, 18])
