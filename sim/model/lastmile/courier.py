"""One courier's round as a SimPy process: traced at departure, then only the moments others must see.

The round is computed ahead (``sim.model.lastmile.round_trace``); the process
waits for each pickup-point stop, where the parcels left there take a place the
depot's next dispatch may find full, and for the return, where the parcels'
attempts and hand-overs are written and the depot settles the round. Between
departure and return no other part of the model reads what the round writes,
so a round costs one kernel event plus one per pickup-point stop, whatever
its number of stops and parcels.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from sim.model.lastmile.jobs import RouteJob
from sim.model.lastmile.ports import DepotPort
from sim.model.lastmile.round_trace import RoundTrace, trace_round
from sim.model.lastmile.setting import RoundSetting
from sim.records import ParcelState


def drive_route(setting: RoundSetting, depot: DepotPort, job: RouteJob) -> Generator[simpy.Event, Any, None]:
    """SimPy process of one route, from leaving the start point to reporting back to the depot."""
    env = setting.ctx.env
    start = env.now
    trace = trace_round(setting, job, start)
    for time_h, parcel_ids in trace.pickup_handovers:
        yield env.timeout_at(time_h)
        depot.hand_to_pickup_point(parcel_ids, time_h)
    if trace.moved:
        yield env.timeout_at(trace.end_h)
    _write_attempts(setting, job, trace)
    depot.route_finished(job, start, trace.outcome)


def _write_attempts(setting: RoundSetting, job: RouteJob, trace: RoundTrace) -> None:
    """What the round did to its parcels: one more attempt each, and the hand-overs at the door."""
    parcels = setting.ctx.parcels
    if trace.attempted:
        attempted = np.asarray(trace.attempted, dtype=np.int64)
        parcels.attempts[attempted] += 1
        parcels.vehicle[attempted] = job.ops.index
        parcels.route[attempted] = job.route_id
    for parcel_id, kept in trace.slot_kept:
        parcels.slot_kept[parcel_id] = kept
    delivered = trace.outcome.delivered
    if delivered:
        ids = np.asarray(delivered, dtype=np.int64)
        parcels.state[ids] = ParcelState.DELIVERED
        parcels.delivered_time_h[ids] = trace.delivered_at
        parcels.first_attempt_success[ids] = trace.first_attempt
    recorder = setting.ctx.recorder
    for parcel_id, time_h, event in trace.trail:
        recorder.track(parcel_id, time_h, event)
