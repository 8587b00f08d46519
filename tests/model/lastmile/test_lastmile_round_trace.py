"""The compiled round walk against the step-by-step reference, on every round of real runs."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest

import sim.model.lastmile.courier as courier
from sim import load_scenario, run
from sim.model.lastmile.round_trace import RoundTrace, trace_round
from tests.conftest import ROOT
from tests.model.lastmile.round_reference import reference_trace

SHORT = ("horizon.warmup_days=1", "horizon.days=2", "outputs.parcel_events=true")
EXAMPLES = ("baseline.toml", "examples/last_mile/lockers.toml", "examples/last_mile/time_windows.toml",
            "examples/last_mile/curfew.toml", "examples/last_mile/micro_hub_cargo_bikes.toml")


def _as_plain(trace: RoundTrace) -> dict:
    plain = asdict(trace)
    plain["trail"] = [(p, t, int(e)) for p, t, e in trace.trail]
    return plain


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_compiled_walk_traces_every_round_exactly_as_the_reference(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared = 0

    def both(setting, job, start_h):  # type: ignore[no-untyped-def]
        nonlocal compared
        compiled = trace_round(setting, job, start_h)
        assert _as_plain(compiled) == _as_plain(reference_trace(setting, job, start_h))
        compared += 1
        return compiled

    monkeypatch.setattr(courier, "trace_round", both)
    overrides = [*SHORT, "routing.planner=heuristic"] if "time_windows" in name else list(SHORT)
    run(load_scenario(Path(ROOT / "scenarios" / name), overrides), seed=3)
    assert compared > 10
