"""The compiled per-order stock update does numpy's arithmetic bit for bit."""

from __future__ import annotations

import numpy as np

from sim.model.upstream.stock_kernel import take_unit


def _numpy_take(on_hand: np.ndarray, shipped: np.ndarray, hours: np.ndarray, product: int, step_h: float) -> bool:
    if on_hand[product] <= 0:
        return False
    if step_h > 0.0:
        hours += on_hand * step_h
    on_hand[product] -= 1
    shipped[product] += 1
    return True


def test_take_unit_integrates_and_counts_exactly_as_numpy_does() -> None:
    rng = np.random.default_rng(5)
    on_hand = rng.integers(0, 3, 4).astype(np.int64)
    state = [on_hand.copy(), np.zeros(4, dtype=np.int64), rng.random((2, 4)) * 1e3]
    reference = [a.copy() for a in state]
    for _ in range(2000):
        product = int(rng.integers(0, 4))
        step_h = float(rng.choice([0.0, rng.exponential(0.01), 1e-13]))
        if rng.random() < 0.1:  # a delivery refills a product now and then
            state[0][product] += 5
            reference[0][product] += 5
        assert take_unit(*state, product, step_h) == _numpy_take(*reference, product, step_h)
        for got, expected in zip(state, reference, strict=True):
            assert np.array_equal(got, expected)
    assert state[2].tobytes() == reference[2].tobytes()
