"""The counting clock: skipping to a time inline and exact-time timeouts."""

from __future__ import annotations

import pytest

from sim.model.context import CountingEnvironment


def _two_processes(use_skip: bool) -> tuple[list[tuple[str, float]], int]:
    env = CountingEnvironment()
    seen: list[tuple[str, float]] = []

    def other():
        yield env.timeout(5.0)
        seen.append(("other", env.now))

    def inline():
        for t in (1.0, 2.0, 6.0, 7.0):
            if not (use_skip and env.skip(t - env.now)):
                yield env.timeout(t - env.now)
            seen.append(("inline", env.now))

    env.process(other())
    env.process(inline())
    env.run()
    assert env.now == 7.0
    return seen, env.events_processed


def test_skip_moves_the_clock_only_when_nothing_is_due_before() -> None:
    seen, events = _two_processes(use_skip=True)
    assert seen == [("inline", 1.0), ("inline", 2.0), ("other", 5.0), ("inline", 6.0), ("inline", 7.0)]
    plain_seen, plain_events = _two_processes(use_skip=False)
    assert seen == plain_seen
    # 1, 2 and 7 were skipped to; 6 had to wait for the other process's event at 5.
    assert plain_events - events == 3


def test_skip_leaves_ties_and_the_past_to_the_kernel() -> None:
    env = CountingEnvironment()
    env.timeout(3.0)
    assert not env.skip(3.0)  # a tie: the kernel orders same-time events
    assert not env.skip(-1.0)
    assert env.skip(2.5) and env.now == 2.5


def test_timeout_at_fires_at_exactly_the_time() -> None:
    env = CountingEnvironment()
    times: list[float] = []
    start, target = 0.1 + 0.2, 0.7 + 0.1 + 1e-15

    def proc():
        yield env.timeout(start)
        yield env.timeout_at(target)
        times.append(env.now)

    env.process(proc())
    env.run()
    assert times == [target]
    with pytest.raises(ValueError):
        env.timeout_at(0.0)
