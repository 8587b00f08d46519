"""Same scenario and seed give the same numbers; another seed or replication gives others."""

from __future__ import annotations

import json

import pytest

from sim import run
from sim.output import clean_json
from tests.conftest import short_run, short_scenario


def _dump(summary: dict) -> str:
    return json.dumps(clean_json(summary), sort_keys=True)


def test_same_seed_same_summary_and_tables() -> None:
    first = run(short_scenario(), seed=7)
    second = run(short_scenario(), seed=7)
    assert _dump(first.summary) == _dump(second.summary)
    assert first.parcels.equals(second.parcels)
    assert first.ledger.equals(second.ledger)
    assert first.events == second.events


@pytest.mark.slow
def test_different_seed_or_replication_gives_different_numbers() -> None:
    base = short_run(seed=1).summary
    other_seed = short_run(seed=2).summary
    other_replication = run(short_scenario(), seed=1, replication=1).summary
    assert base["total_cost"] != other_seed["total_cost"]
    assert base["parcels"]["ordered"] != other_seed["parcels"]["ordered"]
    assert base["total_cost"] != other_replication["total_cost"]


def test_scenario_seed_is_the_default() -> None:
    scenario = short_scenario("seed=3")
    assert _dump(run(scenario).summary) == _dump(short_run(seed=3).summary)
