"""Disruptions: when factory outages, line-haul delays, warehouse closures and demand surges happen.

A :class:`DisruptionSchedule` is built once per run, before the clock starts:
scheduled disruptions have their one occurrence, random ones have all their
occurrences drawn at once over the whole run (a Poisson process), each from a
stream of its own (``disruptions/<index>/<kind>``), so that adding a disruption
never moves a draw of anything else, and a scenario without disruptions draws
exactly what it drew before they existed.

The model asks the schedule cheap questions at the moments that matter (how
much capacity a plant has now, how late a truck leaving now will be, whether a
warehouse is closed, how strong a day's demand is); without disruptions each
answer is a dictionary miss or an empty loop. Only closures need processes: one
per closed interval, which wakes the warehouse up when it reopens.

Severity. An occurrence has severity 1 from its start to its end, then falls
linearly to 0 over the recovery, and is 0 otherwise. Occurrences of one
disruption that overlap take the larger severity; several disruptions of one
target combine: capacity multipliers and demand factors multiply, delays add,
and a warehouse is closed while any closure of it lasts.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Collection, Generator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from sim.model.streams import RandomStreams
from sim.scenario.schema import (
    Disruption,
    FactoryOutage,
    LinehaulDelay,
    Scenario,
    WarehouseClosure,
)

HOURS_PER_DAY = 24.0
DAYS_PER_YEAR = 365.0  # as the demand trend: no leap days
# During a recovery a continuous plant's speed changes all the time; the line looks at it again at
# least this often (ASSUMPTION: hourly steps follow a ramp of a day or more closely, for a few events).
RECOVERY_STEP_H = 1.0


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of a disruption: the event from ``start_h`` to ``end_h``, recovered at ``recovered_h``."""

    disruption: int  # index in ``scenario.disruptions``
    kind: str
    target: str
    start_h: float
    end_h: float
    recovered_h: float

    def severity(self, t: float) -> float:
        """1 during the event, falling linearly to 0 over the recovery, 0 before and after."""
        if t < self.start_h or t >= self.recovered_h:
            return 0.0
        if t < self.end_h:
            return 1.0
        return (self.recovered_h - t) / (self.recovered_h - self.end_h)

    def as_row(self) -> dict[str, Any]:
        """The occurrence as a plain dict (the summary's and the table's row)."""
        return {"disruption": self.disruption, "kind": self.kind, "target": self.target,
                "start_h": self.start_h, "end_h": self.end_h, "recovered_h": self.recovered_h}


def draw_occurrences(
    disruption: Disruption, rng: np.random.Generator | None, end_h: float
) -> list[tuple[float, float]]:
    """(start_h, duration_h) of every occurrence that starts before ``end_h``.

    A scheduled disruption has exactly one and draws nothing (``rng`` may be
    None). A random one is a Poisson process over [0, end_h): exponential gaps
    of mean 365 / rate_per_year days, each followed by the occurrence's duration
    (fixed, or exponential with mean ``duration_days``) drawn from the same
    generator, gap and duration alternating.
    """
    duration_h = disruption.duration_days * HOURS_PER_DAY
    if disruption.start_day is not None:
        return [(disruption.start_day * HOURS_PER_DAY, duration_h)]
    assert rng is not None and disruption.rate_per_year is not None  # random: the schema guarantees the rate
    mean_gap_h = DAYS_PER_YEAR * HOURS_PER_DAY / disruption.rate_per_year
    exponential = disruption.duration_distribution == "exponential"
    out: list[tuple[float, float]] = []
    t = 0.0
    while True:
        t += float(rng.exponential(mean_gap_h))
        if t >= end_h:
            return out
        out.append((t, float(rng.exponential(duration_h)) if exponential else duration_h))


def _severity(occurrences: Sequence[Occurrence], t: float) -> float:
    """Severity of one disruption at ``t``: the largest of its occurrences'."""
    best = 0.0
    for occurrence in occurrences:
        value = occurrence.severity(t)
        if value > best:
            best = value
    return best


def _merged(intervals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Overlapping or touching intervals joined, in time order."""
    out: list[tuple[float, float]] = []
    for start, end in sorted(intervals):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


class DisruptionSchedule:
    """Every occurrence of a run's disruptions, and the questions the model asks about them."""

    def __init__(self, disruptions: Sequence[Disruption] = (), occurrences: Sequence[Occurrence] = ()) -> None:
        self.disruptions = tuple(disruptions)
        self.occurrences = tuple(sorted(occurrences, key=lambda o: (o.start_h, o.disruption)))
        by_disruption: list[list[Occurrence]] = [[] for _ in self.disruptions]
        for occurrence in self.occurrences:
            by_disruption[occurrence.disruption].append(occurrence)
        # Per kind, what each query needs: (parameters of the disruption, its occurrences).
        self._outages: dict[str, list[tuple[float, list[Occurrence]]]] = {}
        self._delays: list[tuple[frozenset[str], float, list[Occurrence]]] = []
        self._surges: list[tuple[frozenset[str], float, list[Occurrence]]] = []
        closed: dict[str, list[tuple[float, float]]] = {}
        for disruption, occurrences_of in zip(self.disruptions, by_disruption, strict=True):
            if not occurrences_of:
                continue  # a random disruption that did not happen in this run
            if isinstance(disruption, FactoryOutage):
                self._outages.setdefault(disruption.factory, []).append((disruption.capacity_factor, occurrences_of))
            elif isinstance(disruption, LinehaulDelay):
                self._delays.append((frozenset(disruption.lanes), disruption.delay_hours, occurrences_of))
            elif isinstance(disruption, WarehouseClosure):
                closed.setdefault(disruption.warehouse, []).extend((o.start_h, o.end_h) for o in occurrences_of)
            else:
                self._surges.append((frozenset(disruption.regions), disruption.factor, occurrences_of))
        self._closed = {name: _merged(intervals) for name, intervals in closed.items()}
        self._closed_starts = {name: [start for start, _ in spans] for name, spans in self._closed.items()}
        self._gates: dict[str, ClosureGate] = {}

    @classmethod
    def build(cls, scenario: Scenario, streams: RandomStreams, end_h: float) -> DisruptionSchedule:
        """Draw the occurrences of a run: scheduled ones as given, random ones from their own streams."""
        occurrences = []
        for index, disruption in enumerate(scenario.disruptions):
            rng = streams.get(f"disruptions/{index}/{disruption.kind}") if disruption.random else None
            recovery_h = disruption.recovery_days * HOURS_PER_DAY
            for start, duration in draw_occurrences(disruption, rng, end_h):
                occurrences.append(Occurrence(index, disruption.kind, disruption.target, start, start + duration,
                                              start + duration + recovery_h))
        return cls(scenario.disruptions, occurrences)

    # --- factories ------------------------------------------------------------------------------

    def affects_factory(self, factory: str) -> bool:
        """Whether any outage of ``factory`` happens in this run."""
        return factory in self._outages

    def capacity_factor(self, factory: str, t: float) -> float:
        """Share of ``factory``'s capacity at time ``t``: 1 − severity × (1 − capacity_factor), per outage."""
        outages = self._outages.get(factory)
        if outages is None:
            return 1.0
        factor = 1.0
        for left, occurrences in outages:
            factor *= 1.0 - _severity(occurrences, t) * (1.0 - left)
        return factor

    def factory_speed(self, factory: str, t: float) -> tuple[float, float]:
        """(capacity share at ``t``, when to look again): the share holds until the time returned.

        That time is the next start, end or recovery end of an outage, and
        within a recovery at most ``RECOVERY_STEP_H`` later, since the share
        then rises all the time.
        """
        outages = self._outages.get(factory)
        if outages is None:
            return 1.0, math.inf
        until = math.inf
        for _, occurrences in outages:
            for occurrence in occurrences:
                for edge in (occurrence.start_h, occurrence.end_h, occurrence.recovered_h):
                    if t < edge < until:
                        until = edge
                if occurrence.end_h <= t < occurrence.recovered_h:
                    until = min(until, t + RECOVERY_STEP_H)
        return self.capacity_factor(factory, t), until

    # --- line-haul ------------------------------------------------------------------------------

    def linehaul_delay_h(self, sites: Collection[str], t: float) -> float:
        """Extra transit hours of a truck leaving at ``t`` on a lane through ``sites`` (its origin and stops)."""
        delay = 0.0
        for lanes, hours, occurrences in self._delays:
            if not lanes or not lanes.isdisjoint(sites):
                delay += hours * _severity(occurrences, t)
        return delay

    # --- warehouse closures ---------------------------------------------------------------------

    def is_closed(self, warehouse: str, t: float) -> bool:
        """Whether ``warehouse`` is closed at ``t`` (closed from the start of a closure, open again at its end)."""
        return self.reopens_at(warehouse, t) > t

    def reopens_at(self, warehouse: str, t: float) -> float:
        """When ``warehouse``, closed at ``t``, opens again (``t`` itself when it is open)."""
        starts = self._closed_starts.get(warehouse)
        if starts is None:
            return t
        i = bisect.bisect_right(starts, t) - 1
        if i >= 0 and t < self._closed[warehouse][i][1]:
            return self._closed[warehouse][i][1]
        return t

    def closed_intervals(self, warehouse: str) -> list[tuple[float, float]]:
        """The [start_h, end_h) intervals during which ``warehouse`` is closed, merged, in time order."""
        return list(self._closed.get(warehouse, ()))

    def gate(self, warehouse: str, env: simpy.Environment) -> ClosureGate | None:
        """The closure gate of ``warehouse`` (one per warehouse, shared), or None when it never closes."""
        if warehouse not in self._closed:
            return None
        gate = self._gates.get(warehouse)
        if gate is None:
            gate = self._gates[warehouse] = ClosureGate(self, warehouse, env)
        return gate

    # --- demand ---------------------------------------------------------------------------------

    def surges(self, regional: str) -> bool:
        """Whether a demand surge in this run reaches the area of ``regional``."""
        return any(not regions or regional in regions for regions, _, _ in self._surges)

    def demand_factor(self, regional: str, day: int) -> float:
        """Demand multiplier of simulation day ``day`` in ``regional``'s area: 1 + severity × (factor − 1),
        with the severity at mid-day."""
        factor = 1.0
        mid_day = (day + 0.5) * HOURS_PER_DAY
        for regions, surge, occurrences in self._surges:
            if not regions or regional in regions:
                factor *= 1.0 + _severity(occurrences, mid_day) * (surge - 1.0)
        return factor

    # --- reporting ------------------------------------------------------------------------------

    def rows(self) -> list[dict[str, Any]]:
        """One row per occurrence, in time order: the summary's ``disruptions``."""
        return [occurrence.as_row() for occurrence in self.occurrences]


class ClosureGate:
    """What a closed warehouse puts off until it reopens.

    The warehouse (and the lanes that leave it) ask ``closed()`` before they
    receive, ship, pick or dispatch; what they cannot do now they ``defer``.
    When the warehouse reopens, the deferred work runs first, in the order it
    was deferred, then every ``on_reopen`` listener. One process per closed
    interval does the waking.
    """

    def __init__(self, schedule: DisruptionSchedule, warehouse: str, env: simpy.Environment) -> None:
        self.schedule = schedule
        self.warehouse = warehouse
        self.env = env
        self._deferred: list[Callable[[], None]] = []
        self._listeners: list[Callable[[], None]] = []
        for _, end in schedule.closed_intervals(warehouse):
            env.process(self._reopen_at(end))

    def closed(self) -> bool:
        """Whether the warehouse is closed now."""
        return self.schedule.is_closed(self.warehouse, self.env.now)

    def reopens_at(self) -> float:
        """When it opens again (now, when it is open)."""
        return self.schedule.reopens_at(self.warehouse, self.env.now)

    def defer(self, work: Callable[[], None]) -> None:
        """Do ``work`` when the warehouse reopens."""
        self._deferred.append(work)

    def hold_truck(self, load: np.ndarray, on_road: Callable[[np.ndarray], None], holding_cost_h: float,
                   post_holding: Callable[[float], None], receive: Callable[[np.ndarray], None]) -> None:
        """A truck reaches the closed warehouse: it waits in the yard and is received at the reopening.

        Until then ``on_road(load)`` counts its units where the conservation
        identity looks for units between two shelves (``on_road(-load)`` undoes
        it). ASSUMPTION: the trailer is dropped in the yard, so the wait costs no
        driver time; ``post_holding`` books the goods' holding cost for the wait
        (``holding_cost_h`` per hour) before ``receive`` takes the load in.
        """
        arrived = self.env.now
        on_road(load)

        def unload() -> None:
            on_road(-load)
            post_holding(holding_cost_h * (self.env.now - arrived))
            receive(load)

        self.defer(unload)

    def on_reopen(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` at every reopening, after the deferred work."""
        self._listeners.append(listener)

    def _reopen_at(self, end_h: float) -> Generator[simpy.Event, Any, None]:
        yield self.env.timeout(end_h - self.env.now)
        work, self._deferred = self._deferred, []
        for item in work:
            item()
        for listener in self._listeners:
            listener()
