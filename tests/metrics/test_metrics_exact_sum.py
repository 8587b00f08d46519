"""ExactSum: math.fsum of every value added, whatever the order and the split into arrays."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.metrics.exact_sum import ExactSum


@pytest.mark.parametrize("seed", range(5))
def test_equals_fsum_of_all_values_in_any_split(seed: int) -> None:
    rng = np.random.default_rng(seed)
    # Magnitudes over 24 orders and both signs: a naive or pairwise sum would lose digits.
    values = rng.normal(size=20_000) * 10.0 ** rng.integers(-12, 12, 20_000)
    expected = math.fsum(values.tolist())
    for pieces in (1, 7, 333):
        total = ExactSum()
        for part in np.array_split(rng.permutation(values), pieces):
            total.add(part)
        assert total.total() == expected


def test_cancellation_and_empty() -> None:
    total = ExactSum()
    assert total.total() == 0.0
    total.add(np.array([1e16, 1.0, -1e16]))
    total.add(np.array([], dtype=float))
    assert total.total() == 1.0


def test_refuses_non_finite() -> None:
    with pytest.raises(ValueError, match="finite"):
        ExactSum().add(np.array([1.0, math.inf]))
