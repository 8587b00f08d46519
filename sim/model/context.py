"""The context object handed to every model entity: clock, random streams, ledger and records.

There is no global state: everything a run touches hangs off one ``SimContext``,
so two runs in one process (or in one notebook) never interfere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from heapq import heappush

import simpy
from simpy.events import NORMAL

from sim.ledger import CostLedger
from sim.model.disruptions import DisruptionSchedule
from sim.model.streams import RandomStreams
from sim.records import CHUNK_IDS, ParcelStore, Recorder
from sim.scenario.schema import Scenario

HOURS_PER_DAY = 24.0


class CountingEnvironment(simpy.Environment):
    """A SimPy environment that counts the events it processes (for the benchmark and manifest)."""

    def __init__(self) -> None:
        super().__init__()
        self.events_processed = 0

    def step(self) -> None:
        """Process the next event and count it."""
        self.events_processed += 1
        super().step()

    def skip(self, delay_h: float) -> bool:
        """Move the clock ``delay_h`` ahead without an event, if no event is due before then.

        A process that has nothing to wait for but the clock (the next order of a
        demand stream) can act inline: when no other event is due before
        ``now + delay_h``, nothing can happen in between, so acting at once with the
        clock moved there is the same run as yielding ``timeout(delay_h)``, at no
        kernel event. The clock lands on ``now + delay_h`` exactly as a timeout's
        would. Ties are left to the kernel (strictly before), so same-time events
        keep SimPy's insertion order. Returns whether the clock moved; if not, the
        caller yields the timeout.
        """
        target = self._now + delay_h
        if delay_h >= 0 and target < self.peek():
            self._now = target
            return True
        return False

    def timeout_at(self, time_h: float) -> simpy.Event:
        """An event that fires at exactly ``time_h`` (a timeout of ``time_h - now`` can round off by an ulp)."""
        if time_h < self._now:
            raise ValueError(f"timeout_at({time_h}) is before now ({self._now})")
        event = simpy.Event(self)
        event._ok = True
        event._value = None
        heappush(self._queue, (time_h, NORMAL, next(self._eid), event))
        return event


@dataclass
class SimContext:
    """Everything shared by the entities of one run."""

    scenario: Scenario
    env: CountingEnvironment
    streams: RandomStreams
    ledger: CostLedger
    emissions: CostLedger  # the same structure, in kg CO2e
    parcels: ParcelStore
    recorder: Recorder
    # The window ends when the last order day does; the clock may run on past it (``horizon.drain``).
    window_end_h: float
    clock_end_h: float
    warmup_end_h: float
    # Occurrences of the scenario's disruptions (drawn once, at creation); empty when it has none.
    disruptions: DisruptionSchedule = field(default_factory=DisruptionSchedule)

    @classmethod
    def create(
        cls, scenario: Scenario, seed: int, replication: int, parcel_chunk_ids: int = CHUNK_IDS
    ) -> SimContext:
        """A fresh context: new clock, streams derived from (seed, replication), empty records.

        ``parcel_chunk_ids``: ids per chunk the parcel store hands on (small in tests, to hand some on).
        """
        horizon = scenario.horizon
        expected = sum(r.area.expected_orders_per_day for r in scenario.regional_warehouses)
        days = horizon.warmup_days + horizon.days
        recorder = Recorder(trail=[] if scenario.outputs.parcel_events else None)
        streams = RandomStreams(seed, replication)
        window_end_h = days * HOURS_PER_DAY
        # The latest the clock can stop: the drain ends earlier, at the first midnight every parcel is final.
        clock_end_h = window_end_h + (horizon.cap_days * HOURS_PER_DAY if horizon.drains else 0.0)
        return cls(
            scenario=scenario,
            env=CountingEnvironment(),
            streams=streams,
            ledger=CostLedger(),
            emissions=CostLedger(),
            # Virtual memory only: pages cost memory when used, and are given back when handed on.
            parcels=ParcelStore(capacity=int(expected * days * 1.1) + 16, chunk_ids=parcel_chunk_ids),
            recorder=recorder,
            window_end_h=window_end_h,
            clock_end_h=clock_end_h,
            warmup_end_h=horizon.warmup_days * HOURS_PER_DAY,
            # Drawn over the window: the drain serves what the window left, it does not draw new events.
            disruptions=DisruptionSchedule.build(scenario, streams, window_end_h),
        )

    @property
    def days(self) -> int:
        """Number of order days (warm-up and window): the days customers and shops order."""
        return round(self.window_end_h / HOURS_PER_DAY)

    @property
    def clock_days(self) -> int:
        """Number of days the clock can run (order days plus the longest drain): the depots' and accruals' days."""
        return round(self.clock_end_h / HOURS_PER_DAY)

    def weekday(self, day: int) -> int:
        """Day of week (0 = Monday) of simulation day ``day``."""
        return (self.scenario.horizon.start_weekday + day) % 7
