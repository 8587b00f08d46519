"""Third-party carrier outcomes: when, after how many attempts, and whether it delivered."""

from __future__ import annotations

from sim.model.lastmile.carrier import CARRIER_DELIVERY_HOUR_OFFSET, carrier_outcome
from sim.scenario.schema import Outsourcing


def test_a_carrier_that_always_succeeds_delivers_on_the_first_attempt_after_transit() -> None:
    config = Outsourcing(share=0.5, first_attempt_success=1.0, transit_days=2, max_attempts=3)
    outcome = carrier_outcome(config, key=123, handover_h=30.0, depart_hour=8.0)
    assert outcome.delivered and outcome.attempts == 1
    assert outcome.time_h == (1 + 2) * 24.0 + 8.0 + CARRIER_DELIVERY_HOUR_OFFSET


def test_a_carrier_that_never_succeeds_returns_the_parcel_after_its_last_attempt() -> None:
    config = Outsourcing(share=0.5, first_attempt_success=0.0, transit_days=1, max_attempts=3)
    outcome = carrier_outcome(config, key=123, handover_h=5.0, depart_hour=8.0)
    assert not outcome.delivered and outcome.attempts == 3
    assert outcome.time_h == (0 + 1 + 3) * 24.0 + 8.0


def test_attempts_never_exceed_the_carriers_limit() -> None:
    config = Outsourcing(share=0.5, first_attempt_success=0.5, transit_days=0, max_attempts=2)
    for key in range(200):
        outcome = carrier_outcome(config, key=key, handover_h=0.0, depart_hour=8.0)
        assert 1 <= outcome.attempts <= 2
        assert outcome.delivered or outcome.attempts == 2
