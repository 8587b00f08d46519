"""Mean lead time by day, a slice of whole days at a time: bit for bit pandas' group mean over the whole column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.metrics import streaming


@pytest.mark.parametrize("with_nan", [False, True])
@pytest.mark.parametrize("slice_rows", [1, 7, 50, 1000, 1 << 20])
def test_sliced_group_mean_is_the_whole_group_mean(monkeypatch: pytest.MonkeyPatch, with_nan: bool,
                                                   slice_rows: int) -> None:
    rng = np.random.default_rng(3)
    # Days of very different sizes (one longer than most slices), values whose sum depends on the order.
    days = np.repeat(np.arange(40, dtype=np.int16), rng.integers(0, 120, 40)).astype(np.int16)
    lead = rng.lognormal(3.0, 1.5, days.shape[0]) * 10.0 ** rng.integers(-6, 6, days.shape[0])
    whole = streaming._group_mean(days, lead, with_nan)
    monkeypatch.setattr(streaming, "MEAN_SLICE_ROWS", slice_rows)
    sliced = streaming._mean_lead_by_day(days, lead, with_nan)
    pd.testing.assert_series_equal(sliced, whole, check_exact=True)


def test_unsorted_days_fall_back_to_one_group_mean() -> None:
    days = np.array([2, 1, 2, 1], dtype=np.int16)
    lead = np.array([1.0, 2.0, 3.0, 4.0])
    assert streaming._mean_lead_by_day(days, lead, False).tolist() == [3.0, 2.0]
