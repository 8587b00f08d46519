"""The per-order stock update, compiled: one unit leaves the shelf and the on-hand unit-hours are integrated.

A customer order runs this once, and numpy's per-call overhead on four-element
arrays was most of its cost. The arithmetic is numpy's own for
``hours += on_hand * dt`` (each on-hand count converted to float64, times the
step, added to both rows), so the unit-hours are bit for bit the same.
Compiled with ``cache=True`` and without ``fastmath``.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True)
def take_unit(on_hand: np.ndarray, shipped: np.ndarray, hours: np.ndarray, product: int, step_h: float) -> bool:
    """Take one unit of ``product`` if one is on hand, integrating ``step_h`` hours first; whether it did."""
    if on_hand[product] <= 0:
        return False
    if step_h > 0.0:
        for p in range(on_hand.shape[0]):
            added = on_hand[p] * step_h
            hours[0, p] += added
            hours[1, p] += added
    on_hand[product] -= 1
    shipped[product] += 1
    return True
