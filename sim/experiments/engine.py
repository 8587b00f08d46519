"""Feed tasks to an executor, longest first and a bounded number at a time; hand each record back as it completes.

Records arrive in completion order; callers order them by run index, so the
output never depends on the number of workers or on which finished first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, CancelledError, Future, as_completed, wait
from typing import Any

from sim.experiments.executors import Workers
from sim.experiments.progress import Progress
from sim.experiments.tasks import FAILED, RunTask, execute, one_line_error

Record = dict[str, Any]


def run_all(
    tasks: Iterable[RunTask],
    workers: Workers,
    on_record: Callable[[Record], None],
    progress: Progress | None = None,
) -> None:
    """Execute every task; call ``on_record`` with each finished run's record (failures included).

    On Ctrl-C, runs not yet started are cancelled, runs already under way are
    waited for and recorded (so their work is kept), then KeyboardInterrupt is
    raised again. A second Ctrl-C stops waiting.
    """
    # Longest expected runs first (ties in the given order): the short ones then
    # fill the gaps at the end, instead of one long run keeping a lone worker busy.
    queue = iter(sorted(tasks, key=lambda task: -task.expected_seconds))
    pending: dict[Future[Record], RunTask] = {}

    def finish(future: Future[Record]) -> None:
        record = _record_of(future, pending.pop(future))
        on_record(record)
        if progress is not None:
            progress.update(record["status"] == FAILED)

    def fill() -> None:
        # Bounded so that a large sweep does not queue every task up front: a
        # kill loses at most the runs in flight, and Ctrl-C has little to cancel.
        while len(pending) < workers.in_flight:
            task = next(queue, None)
            if task is None:
                return
            try:
                pending[workers.executor.submit(execute, task)] = task
            except BrokenExecutor:
                # A worker process died (killed, out of memory) and took the pool
                # with it: the runs not submitted stay missing, so the caller
                # reports them and --resume can run them later.
                return

    try:
        fill()
        while pending:
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: pending[f].index):
                finish(future)
            fill()
    except KeyboardInterrupt:
        for future in list(pending):
            if future.cancel():
                pending.pop(future)
        for future in as_completed(list(pending)):
            finish(future)
        raise


def _record_of(future: Future[Record], task: RunTask) -> Record:
    """The worker's record, or a failed record when the worker itself could not deliver one."""
    try:
        return future.result()
    except CancelledError:
        error = "CancelledError: the run was cancelled"
    except Exception as exc:  # a dead worker process, a lost Dask worker, an unpicklable task
        error = one_line_error(exc)
    return {"index": task.index, "point": task.point, "factors": dict(task.factors), "seed": task.seed,
            "replication": task.replication, "status": FAILED, "error": error, "wall_seconds": 0.0,
            "summary": {}, "folder": None}
