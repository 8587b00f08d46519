"""Traffic and service-time draws: known values of the congestion profile, exposure, day factor and leg
noise, and the samplers against their exact median and mean."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.model.lastmile.traffic import TrafficModel, loglogistic_mean, loglogistic_minutes, lognormal_mean_one
from sim.scenario.schema import Traffic
from tests.model.lastmile.lastmile_world import world


def calm_model(leg_sigma: float = 0.25) -> tuple[TrafficModel, tuple[float, ...]]:
    area = world().area
    model = TrafficModel(area, Traffic(day_sigma=0.0, leg_sigma=leg_sigma), np.random.default_rng(1), 3)
    return model, tuple(area.congestion_multipliers)


def test_without_day_variation_the_mean_multiplier_is_the_profile_scaled_by_exposure() -> None:
    model, profile = calm_model()
    assert model.mean_multiplier(8.5) == pytest.approx(profile[8])
    assert model.mean_multiplier(24.0 + 17.2, exposure=0.5) == pytest.approx(1.0 + 0.5 * (profile[17] - 1.0))
    assert model.mean_multiplier(3.0, exposure=0.0) == pytest.approx(1.0)


def test_median_leg_noise_is_the_lognormal_median() -> None:
    model, profile = calm_model(leg_sigma=0.4)
    assert lognormal_mean_one(0.4, 0.0) == pytest.approx(math.exp(-0.08))
    assert model.multiplier(8.0, 0.5) == pytest.approx(profile[8] * math.exp(-0.08))


def test_expected_multiplier_averages_the_hours_of_the_window() -> None:
    model, profile = calm_model()
    assert model.expected_multiplier(8.0, 3.0) == pytest.approx((profile[8] + profile[9] + profile[10]) / 3)
    assert model.expected_multiplier(23.5, 0.2) == pytest.approx(profile[23])


def test_day_factors_have_mean_one() -> None:
    area = world().area
    model = TrafficModel(area, Traffic(day_sigma=0.3, leg_sigma=0.0), np.random.default_rng(2), 20_000)
    assert model.day_factor.mean() == pytest.approx(1.0, abs=0.01)


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

