"""Shared fixtures: the baseline scenario and a shorter variant that keeps the suite fast."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from sim import RunResult, Scenario, load_scenario, run

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"
# Two weeks after a 4-day warm-up: long enough for re-attempts, pickup points and
# replenishment cycles to happen, short enough for a test.
SHORT = ("horizon.warmup_days=4", "horizon.days=14")


@cache
def short_scenario(*overrides: str) -> Scenario:
    """The baseline shortened, with extra overrides (cached: scenarios are immutable)."""
    return load_scenario(BASELINE, (*SHORT, *overrides))


@cache
def short_run(*overrides: str, seed: int = 1) -> RunResult:
    """One cached run of the short baseline (results are only read by tests)."""
    return run(short_scenario(*overrides), seed=seed)


@pytest.fixture(scope="session")
def baseline_result() -> RunResult:
    """The full baseline, seed 1 (run once per test session)."""
    return run(load_scenario(BASELINE), seed=1)


@pytest.fixture(scope="session")
def short_result() -> RunResult:
    """The short baseline, seed 1."""
    return short_run()


def units_located(balance: dict) -> object:
    """Right-hand side of the unit conservation identity: every place a unit can be.

    ``initial + produced == units_located(balance)`` for every product, where
    ``balance`` is ``RunResult.unit_balance`` (as arrays). The store terms exist
    only in runs with shops.
    """
    return (balance["on_hand"] + balance.get("at_factory", 0) + balance["queued"] + balance["in_transit"]
            + balance["in_parcels"] + balance.get("in_stores", 0) + balance.get("sold_in_stores", 0))
