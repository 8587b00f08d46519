"""Where runs execute: in this process, in a local process pool, or on a Dask cluster.

Everything downstream only sees a ``concurrent.futures.Executor``; this module
builds one and says how many runs it can usefully hold in flight.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from sim.errors import ScenarioError
from sim.experiments.tasks import ignore_sigint

P = ParamSpec("P")
T = TypeVar("T")


class SerialExecutor(Executor):
    """Runs each call at once in this process: ``--jobs 1``, debuggers and notebooks without a pool."""

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Call ``fn`` now and return a completed future."""
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # KeyboardInterrupt must stop the caller, not become a result
            if not isinstance(exc, Exception):
                raise
            future.set_exception(exc)
        return future


@dataclass
class Workers:
    """An executor and how many runs to keep submitted at once (enough to keep every worker busy)."""

    executor: Executor
    in_flight: int


def machine_jobs() -> int:
    """Worker processes that fit this machine: the CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def pool_size(jobs: int | None, tasks: int | None = None) -> int:
    """The worker processes a local pool of ``jobs`` (default: the machine's CPUs) starts for ``tasks`` runs:
    never more than the runs, and at least one (one runs in this process, without a pool)."""
    size = machine_jobs() if jobs is None else jobs
    return max(1, size if tasks is None else min(size, tasks))


# The module whose import warms a worker (the simulator imported, the planner's kernels compiled).
WARMUP_MODULE = "sim.experiments.warmup"


def _pool_context() -> Any:
    # fork() from a process that already runs threads (the progress bar's
    # monitor, a Dask client, a Jupyter kernel) can deadlock the child;
    # forkserver starts workers from a clean single-threaded server instead.
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # The server warms up once and every worker forks from it warm: the import
    # and the kernels' compilation are paid once per command, not once per worker.
    # (Ignored if this process's fork server is already running: it is warm.)
    context.set_forkserver_preload([WARMUP_MODULE])
    return context


def start_warming(jobs: int | None) -> None:
    """Start warming the workers of a local pool of ``jobs`` now, before the command's own set-up.

    Starting the fork server only launches it: it imports the simulator and loads the
    planner's kernels (about a second) while this process goes on checking the
    scenarios and importing what it needs itself, so that the two overlap instead of
    the workers' warm-up starting at the first run. Does nothing for one job or where
    there is no fork server (the pool then warms each worker itself).
    """
    if pool_size(jobs) < 2:
        return
    context = _pool_context()
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def start_worker() -> None:
    """Pool initializer: leave Ctrl-C to the parent, and warm up unless the fork server already has."""
    ignore_sigint()
    # Imported here, in the worker: the parent process never needs the model.
    from sim.experiments import warmup  # noqa: F401


def new_pool(jobs: int) -> ProcessPoolExecutor:
    """A pool of ``jobs`` warm worker processes (see :mod:`sim.experiments.warmup`).

    Every local pool is made here, so that a command makes one and keeps it for all its runs.
    """
    return ProcessPoolExecutor(max_workers=jobs, mp_context=_pool_context(), initializer=start_worker)


@contextmanager
def local_workers(jobs: int | None) -> Iterator[Workers]:
    """``jobs`` worker processes (default: the machine's CPUs); ``jobs=1`` runs in this process."""
    jobs = machine_jobs() if jobs is None else jobs
    if jobs < 1:
        raise ScenarioError(f"--jobs {jobs}: must be at least 1")
    if jobs == 1:
        yield Workers(SerialExecutor(), 1)
        return
    pool = new_pool(jobs)
    try:
        yield Workers(pool, 2 * jobs)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def client_workers(client: Any) -> Workers:
    """Workers of a ``dask.distributed.Client``, through its ``concurrent.futures`` interface."""
    # pure=False: every task is a distinct run; hashing the scenario to
    # deduplicate tasks would cost time and could never find a duplicate.
    executor = client.get_executor(pure=False)
    # Each Dask worker thread runs whole runs: planning threads on top would oversubscribe the cores.
    client.run(_plan_on_one_thread)
    threads = sum(client.nthreads().values()) or 1
    return Workers(executor, 2 * threads)


def _plan_on_one_thread() -> None:
    from sim.routing import set_planning_threads

    set_planning_threads(1)


@contextmanager
def dask_client(address: str) -> Iterator[Any]:
    """A ``dask.distributed.Client`` connected to the scheduler at ``address``, closed afterwards."""
    try:
        from dask.distributed import Client
    except ImportError:
        raise ScenarioError(
            "--dask needs dask.distributed: python -m pip install 'sim-supply-chain[dask]'") from None
    try:
        client = Client(address, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise ScenarioError(f"--dask {address}: cannot reach the scheduler: {exc}") from None
    try:
        yield client
    finally:
        client.close()


def given_workers(executor: Executor, in_flight: int | None = None) -> Workers:
    """Wrap an executor the caller owns (and will shut down)."""
    return Workers(executor, in_flight or 2 * machine_jobs())


@contextmanager
def workers_for(
    executor: Executor | None = None, client: Any = None, jobs: int | None = None, tasks: int | None = None
) -> Iterator[Workers]:
    """The workers an API call asked for: its own executor, a Dask client, or a local pool of ``jobs``.

    A local pool is never larger than the number of ``tasks`` (starting idle
    worker processes only costs time).
    """
    if executor is not None and client is not None:
        raise ValueError("pass either executor or client, not both")
    if executor is not None:
        yield given_workers(executor)
    elif client is not None:
        yield client_workers(client)
    else:
        if jobs is not None and jobs < 1:
            raise ScenarioError(f"--jobs {jobs}: must be at least 1")
        with local_workers(pool_size(jobs, tasks)) as workers:
            yield workers
