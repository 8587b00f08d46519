"""Route improvement on several threads: the routes of a plan are improved independently.

Each route's local search depends only on that route's stops, and its kernels run
compiled without the GIL (``nogil=True``), so improving a plan's routes on two threads
gives the same routes, in the same order, about twice as fast on two idle cores. A
process that already fills every core (a sweep worker) should plan on one thread:
``set_planning_threads(1)``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

ENV_VARIABLE = "SIM_PLANNING_THREADS"
# Stops of a plan's routes from which improving them on threads pays. Measured (benchmarks/bench_baseline.py
# --threads 1|2, benchmarks/bench_scale.py): the baseline's depot-days (about 1,100 stops in routes of about
# 100) ran 30 % slower on two threads; the scale scenario's (3,000 to 21,000 stops) 25-35 % faster.
PARALLEL_MIN_STOPS = 2500
# Threads beyond this gain little: a plan's Python parts hold the GIL.
MAX_DEFAULT_THREADS = 4

_lock = threading.Lock()
_threads: int | None = None
_pool: ThreadPoolExecutor | None = None


def _available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def planning_threads() -> int:
    """How many threads improve a plan's routes.

    Set by ``set_planning_threads``; otherwise the environment variable
    ``SIM_PLANNING_THREADS`` (a positive integer); otherwise the usable cores, at most 4.
    """
    if _threads is not None:
        return _threads
    raw = os.environ.get(ENV_VARIABLE, "").strip()
    if raw:
        if not raw.isdigit() or int(raw) < 1:
            raise ValueError(f"{ENV_VARIABLE}={raw!r}: allowed: a whole number of threads, at least 1")
        return int(raw)
    return max(1, min(MAX_DEFAULT_THREADS, _available_cores()))


def set_planning_threads(threads: int) -> None:
    """Improve routes on ``threads`` threads from now on (1: in the calling thread only)."""
    global _threads, _pool
    if threads < 1:
        raise ValueError(f"planning threads must be at least 1, got {threads}")
    with _lock:
        _threads = threads
        if _pool is not None:
            _pool.shutdown(wait=True)
            _pool = None


def _forget_pool_after_fork() -> None:
    # A forked child has none of the parent's threads: a new pool is started on first use.
    global _pool, _lock
    _pool = None
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool_after_fork)


def map_routes(function: Callable[[T], R], items: Sequence[T], stops: int) -> list[R]:
    """``[function(item) for item in items]``, on the planning threads when the routes hold enough ``stops``.

    Below ``PARALLEL_MIN_STOPS`` the threads cost more than they give: the routes' Python
    parts then take as long as their kernels, and the threads wait for each other's GIL.
    """
    threads = planning_threads()
    if threads == 1 or len(items) < 2 or stops < PARALLEL_MIN_STOPS:
        return [function(item) for item in items]
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="sim-plan")
        pool = _pool
    return list(pool.map(function, items))
