"""The title line every run figure carries: which scenario, seed, replication and horizon it shows."""

from __future__ import annotations

from collections.abc import Sequence


def run_title(scenario: str, seed: int, replication: int, window_h: Sequence[float]) -> str:
    """``"baseline · seed 1 · replication 0 · days 7–35 measured (7 warm-up)"`` from the run's identity.

    ``window_h`` is the measurement window (start, end) in hours; its start is
    the end of the warm-up and its end the horizon.
    """
    start, end = (float(h) / 24 for h in window_h)
    return (f"{scenario} · seed {seed} · replication {replication} · "
            f"days {start:g}–{end:g} measured ({start:g} warm-up)")


def experiment_title(kind: str, scenario: str, seed: int | None, replications: int | Sequence[int] | None) -> str:
    """The title line of an experiment's figures: kind, scenario, seed and replications."""
    count = replications if isinstance(replications, int) or replications is None else len(replications)
    parts = [f"{kind}: {scenario}"]
    if seed is not None:
        parts.append(f"seed {seed}")
    if count is not None:
        parts.append(f"{count} replication{'s' if count != 1 else ''}")
    return " · ".join(parts)
