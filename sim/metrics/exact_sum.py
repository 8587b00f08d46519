"""An exact running sum of floats: ``math.fsum`` of every value added, without keeping the values.

The sum is kept as Shewchuk's expansion (the non-overlapping partials of
``math.fsum``'s algorithm); adding an array of values updates it in a compiled
loop. ``total()`` is ``math.fsum`` of the partials, which is the correctly rounded
exact sum: the same float as ``math.fsum`` over all the values, in any order and
however they were split into arrays.
"""

from __future__ import annotations

import math

import numba
import numpy as np

# Non-overlapping partials of finite doubles never number more than about 40.
_CAPACITY = 80


@numba.njit(cache=True)
def _grow(partials: np.ndarray, used: int, values: np.ndarray) -> int:
    """Add ``values`` to the expansion ``partials[:used]`` (two-sum of each partial); the new length."""
    for k in range(values.shape[0]):
        x = values[k]
        i = 0
        for j in range(used):
            y = partials[j]
            if abs(x) < abs(y):
                x, y = y, x
            hi = x + y
            lo = y - (hi - x)
            if lo != 0.0:
                partials[i] = lo
                i += 1
            x = hi
        partials[i] = x
        used = i + 1
    return used


class ExactSum:
    """``math.fsum`` of everything added, in constant memory."""

    def __init__(self) -> None:
        self._partials = np.zeros(_CAPACITY)
        self._used = 0

    def add(self, values: np.ndarray) -> None:
        """Add every value of a float array (finite values: costs)."""
        values = np.ascontiguousarray(values, dtype=np.float64)
        if values.size and not np.isfinite(values).all():
            raise ValueError("ExactSum adds finite values only")
        self._used = int(_grow(self._partials, self._used, values))

    def total(self) -> float:
        """The correctly rounded exact sum of every value added."""
        return math.fsum(self._partials[: self._used].tolist())
