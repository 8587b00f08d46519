"""The real-network examples run and keep every unit and every cost, like the other shipped examples."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim import load_scenario, run
from tests.conftest import units_located
from tests.geo.helpers import REAL

SHORT = ("horizon.warmup_days=2", "horizon.days=5")


@pytest.mark.parametrize("name", ["helsinki", "helsinki_fitted"])
def test_the_real_examples_run_and_conserve_units_and_costs(name: str) -> None:
    result = run(load_scenario(REAL / f"{name}.toml", SHORT), seed=1)
    balance = {k: np.asarray(v) for k, v in result.unit_balance.items()}
    np.testing.assert_array_equal(balance["initial"] + balance["produced"], units_located(balance))
    summary = result.summary
    assert math.isclose(summary["upstream_cost"] + summary["last_mile_cost"], summary["total_cost"], rel_tol=1e-9)
    assert summary["parcels"]["ordered"] > 0 and 0 < summary["last_mile_share"] < 1
    # Every customer is inside the area's boundary (0.80 km x 1.45 km around the centre).
    assert result.parcels["x_km"].abs().max() < 0.41 and result.parcels["y_km"].abs().max() < 0.73
