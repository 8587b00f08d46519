"""The picking station (``sim.model.upstream.operations.PickingStation``) against Erlang C.

With Poisson order arrivals and exponential pick times the station is an M/M/c
queue, whose mean wait in queue is exact (Erlang C). Each replication is an
independent stream of orders; the first orders are discarded as warm-up.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import numpy as np

from sim.model.upstream.operations import PickingStation, erlang_c_wait
from sim.verify.checks import CheckRow, VerifyContext, register, statistical

SERVICE_RATE_PER_H = 1.0  # mu: one pick an hour on average (pick_minutes_mean = 60)
SOURCE = "Erlang C formula for M/M/c (e.g. Gross & Harris, Fundamentals of Queueing Theory, ch. 2)"


def replication_mean_wait(servers: int, utilisation: float, seed: int, warmup: int, measured: int) -> float:
    """Mean wait in queue (hours) of the ``measured`` orders after ``warmup`` orders, in one replication."""
    import simpy

    arrival_rate = utilisation * servers * SERVICE_RATE_PER_H
    env = simpy.Environment()
    total = warmup + measured
    waits = np.full(total, np.nan)

    def done(order: int, wait_h: float) -> None:
        waits[order] = wait_h

    pick_rng, arrival_rng = (np.random.Generator(np.random.PCG64(s)) for s in np.random.SeedSequence(seed).spawn(2))
    station = PickingStation(env, servers, 60.0 / SERVICE_RATE_PER_H, pick_rng, done)

    def arrivals() -> Generator[Any, Any, None]:
        for order, gap in enumerate(arrival_rng.exponential(1.0 / arrival_rate, total).tolist()):
            yield env.timeout(gap)
            station.submit(order)

    env.process(arrivals())
    env.run()
    if np.isnan(waits).any():
        raise RuntimeError("the picking station left orders unpicked")
    return float(waits[warmup:].mean())


def picking_row(servers: int, utilisation: float, replications: int, measured: int, seed: int) -> CheckRow:
    """Mean wait over independent replications against Erlang C, as one row."""
    means = np.array([replication_mean_wait(servers, utilisation, seed * 1000 + 100 * servers + r,
                                            measured // 10, measured) for r in range(replications)])
    expected = erlang_c_wait(utilisation * servers * SERVICE_RATE_PER_H, SERVICE_RATE_PER_H, servers)
    se = float(means.std(ddof=1)) / math.sqrt(replications)
    return statistical("picking station", f"mean wait in queue (h), M/M/{servers}, rho {utilisation}",
                       "Wq = C(c, a) / (c mu - lambda), Erlang C", SOURCE, expected, float(means.mean()), se)


@register("picking_erlang_c", "picking station")
def picking_checks(ctx: VerifyContext) -> list[CheckRow]:
    """M/M/2 at rho 0.7, M/M/1 and M/M/3 at rho 0.5 and 0.8; quick mode with shorter replications."""
    cases = [(2, 0.7), (1, 0.5), (1, 0.8), (3, 0.5), (3, 0.8)]
    replications, measured = (8, 5_000) if ctx.quick else (10, 20_000)
    return [picking_row(c, rho, replications, measured, ctx.seed) for c, rho in cases]
