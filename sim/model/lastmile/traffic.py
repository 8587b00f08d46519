"""Travel times under congestion: an hour-of-day profile, a random day factor and per-leg noise."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

from sim.scenario.schema import Area, Traffic

_STANDARD_NORMAL = NormalDist()


def lognormal_mean_one(sigma: float, z: float) -> float:
    """A lognormal factor with mean 1 from a standard normal deviate ``z``."""
    return math.exp(sigma * z - 0.5 * sigma * sigma)


class TrafficModel:
    """Travel-time multipliers for one area.

    The multiplier of a leg is congestion(hour) x day factor x leg noise, all
    three >= 0 and the last two with mean 1, so the expected multiplier at an
    hour is the published congestion figure for it.
    """

    def __init__(self, area: Area, traffic: Traffic, rng: np.random.Generator, days: int) -> None:
        self.congestion = tuple(area.congestion_multipliers)
        self.congestion_array = np.asarray(self.congestion, dtype=np.float64)
        self.leg_sigma = traffic.leg_sigma
        sigma = traffic.day_sigma
        # Drawn up front, one per day: the day factor does not depend on how many legs are driven.
        self.day_factor = np.exp(sigma * rng.standard_normal(days + 2) - 0.5 * sigma * sigma)

    def multiplier(self, time_h: float, leg_uniform: float, exposure: float = 1.0) -> float:
        """Travel-time multiplier of a leg that starts at ``time_h``; ``leg_uniform`` drives its noise.

        ``exposure`` scales how much of the congestion a vehicle suffers (a cargo
        bike on bike lanes suffers little of it); the day factor and the leg noise
        apply in full.
        """
        return self.mean_multiplier(time_h, exposure) * self.leg_noise(leg_uniform)

    def leg_noise(self, leg_uniform: float) -> float:
        """The leg-noise factor (lognormal, mean 1) that ``leg_uniform`` draws: ``multiplier``'s last factor."""
        return lognormal_mean_one(self.leg_sigma, _STANDARD_NORMAL.inv_cdf(leg_uniform))

    def mean_multiplier(self, time_h: float, exposure: float = 1.0) -> float:
        """Expected multiplier of a leg that starts at ``time_h`` on that day: congestion x day factor.

        The leg noise (mean 1) is left out: vehicles whose legs carry no
        per-parcel draw (the store truck) drive at this; ``multiplier`` adds the noise.
        """
        day = int(time_h // 24.0)
        day_factor = float(self.day_factor[min(day, len(self.day_factor) - 1)])
        return (1.0 + exposure * (self.congestion[int(time_h % 24.0)] - 1.0)) * day_factor

    def expected_multiplier(self, start_h: float, hours: float) -> float:
        """Mean congestion over a window of the day (for planning on expected travel times)."""
        first = int(start_h)
        last = max(first + 1, math.ceil(start_h + hours))
        values = [self.congestion[h % 24] for h in range(first, last)]
        return sum(values) / len(values)


def loglogistic_minutes(median_min: float, shape: float, uniform: float) -> float:
    """Service time from the log-logistic distribution (inverse CDF at ``uniform``).

    Log-logistic fits observed stop times best (Calderon et al., Transportation
    Research A 207, 2026); its median is the scale parameter.
    """
    return median_min * (uniform / (1.0 - uniform)) ** (1.0 / shape)


def loglogistic_mean(median_min: float, shape: float) -> float:
    """Mean of the log-logistic distribution (finite for shape > 1)."""
    b = math.pi / shape
    return median_min * b / math.sin(b)
