"""Run a sweep (every point x replication) on any executor, shard it, resume it, merge shards."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from sim.errors import ScenarioError
from sim.experiments import store
from sim.experiments.engine import run_all
from sim.experiments.executors import Workers, workers_for
from sim.experiments.progress import Progress
from sim.experiments.spec import SENSITIVITY, SweepSpec, load_sweep
from sim.experiments.tasks import OK, RunTask
from sim.output import write_json
from sim.output.folders import check_name
from sim.plotting import plot_sweep, write_sweep_figures
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from matplotlib.axes import Axes

Keep = Literal["summaries", "runs"]
DEFAULT_OUT = Path("results") / "sweeps"


@dataclass
class SweepResult:
    """Where a sweep was written and its tables (``runs``: one row per run; ``aggregate``: per point and KPI)."""

    folder: Path
    runs: pd.DataFrame
    aggregate: pd.DataFrame
    executed: int = 0
    skipped: int = 0
    missing: list[int] = field(default_factory=list)
    plots: list[Path] = field(default_factory=list)
    unknown_plot_kpis: list[str] = field(default_factory=list)
    # Sobol' or Morris sweeps: one row per (KPI, factor), as written to sensitivity.csv (None for other designs).
    indices: pd.DataFrame | None = None

    @property
    def failed(self) -> pd.DataFrame:
        """Runs that raised, with their error messages."""
        return self.runs[self.runs["status"] != OK]

    @property
    def complete(self) -> bool:
        """Every run of the sweep (or shard) finished and none failed."""
        return not self.missing and self.failed.empty

    def plot(self, kpi: str, factor: str, ax: Axes | None = None) -> Axes:
        """Mean of ``kpi`` against ``factor`` with its 95 % CI (see :func:`sim.plotting.plot_sweep`)."""
        return plot_sweep(self.aggregate, kpi, factor, ax=ax)


def parse_shard(text: str) -> tuple[int, int]:
    """``"i/n"`` -> (i, n), with 0 <= i < n: the shard runs the indices with index % n == i."""
    try:
        i, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise ScenarioError(f"--shard {text}: expected i/n, e.g. 0/3") from None
    if n < 1 or not 0 <= i < n:
        raise ScenarioError(f"--shard {text}: needs n >= 1 and 0 <= i < n")
    return i, n


def shard_indices(total: int, shard: tuple[int, int]) -> list[int]:
    """The run indices that belong to a shard: a deterministic round-robin split."""
    i, n = shard
    return [index for index in range(total) if index % n == i]


def sweep_folder(spec: SweepSpec, out: Path, shard: tuple[int, int]) -> Path:
    """``out/<name>``, or ``out/<name>-shard-i-of-n`` for one shard."""
    i, n = shard
    check_name(spec.name, f"{spec.path}: name")
    return out / (spec.name if n == 1 else f"{spec.name}-shard-{i}-of-{n}")


def sweep_tasks(spec: SweepSpec, indices: Iterable[int], folder: Path, keep: Keep) -> list[RunTask]:
    """Run ``index`` is replication ``index % replications`` of point ``index // replications``.

    Every point uses the same seed, so replication r of every point shares its
    random numbers with the others (common random numbers across the sweep).
    """
    tasks = []
    for index in indices:
        point = spec.points[index // spec.replications]
        tasks.append(RunTask(
            index=index, scenario=point.scenario, seed=spec.seed, replication=index % spec.replications,
            point=point.index, factors=point.values,
            write_root=str(folder / "runs") if keep == "runs" else None, run_id=f"run-{index:06d}",
        ))
    return tasks


def run_sweep(
    spec: SweepSpec | Scenario | str | Path,
    executor: Executor | None = None,
    *,
    factors: dict[str, Any] | None = None,
    design: Any = None,
    replications: int | None = None,
    seed: int | None = None,
    name: str | None = None,
    client: Any = None,
    jobs: int | None = None,
    out: str | Path = DEFAULT_OUT,
    folder: str | Path | None = None,
    overrides: Iterable[str] = (),
    shard: tuple[int, int] = (0, 1),
    resume: bool = False,
    keep: Keep = "summaries",
    plots: bool = True,
    progress: bool | None = None,
) -> SweepResult:
    """Run a sweep and write its folder (see :mod:`sim.experiments.store`); return its tables.

    ``spec`` is a checked :class:`SweepSpec` or the path of a sweep file (then
    ``overrides`` apply to its base scenario). With ``factors`` or ``design``,
    ``spec`` is instead the base scenario (a :class:`Scenario` or a scenario
    file) of a sweep described in Python, with no sweep file: see
    :mod:`sim.experiments.build` (``replications`` default 1, ``seed`` the
    scenario's, ``name`` the folder's). Runs go to ``executor`` (any
    ``concurrent.futures.Executor``, which the caller owns), to a Dask
    ``client`` (``client.get_executor()``), or to a local process pool of ``jobs``
    workers (default: one per CPU; ``jobs=1`` runs in this process). ``shard``
    ``(i, n)`` runs only the indices with ``index % n == i``. ``resume``
    continues an interrupted sweep in the same folder: runs that succeeded are
    skipped, missing and failed ones are run.
    A failing run is recorded and the sweep goes on; Ctrl-C keeps every run
    finished so far and raises KeyboardInterrupt.
    """
    if keep not in ("summaries", "runs"):
        raise ScenarioError(f"--keep {keep}: allowed: summaries, runs")
    if isinstance(spec, Scenario) or factors is not None or design is not None:
        if isinstance(spec, SweepSpec):
            raise ValueError("factors and design describe a sweep of a base scenario, not of a SweepSpec")
        from sim.experiments.build import sweep_spec

        spec = sweep_spec(spec, factors, "grid" if design is None else design, replications or 1, seed,
                          name=name, overrides=overrides)
    elif not isinstance(spec, SweepSpec):
        spec = load_sweep(spec, overrides)
    if keep == "runs":  # each run's folder is runs/<scenario name>/<run>
        for point in spec.points:
            check_name(point.scenario.name, f"{spec.path}: point {point.index}: name")
    target = Path(folder) if folder is not None else sweep_folder(spec, Path(out), shard)
    description = store.prepare(target, spec, shard, keep, resume)
    indices = shard_indices(spec.runs, shard)
    done = store.finished_ok(target) if resume else set()
    todo = [i for i in indices if i not in done]
    with workers_for(executor, client, jobs, len(todo)) as workers:
        run_indices(spec, target, todo, workers, keep, progress)
    result = finish(target, description, indices, plots)
    result.executed, result.skipped = len(todo), len(indices) - len(todo)
    return result


def run_indices(spec: SweepSpec, folder: Path, indices: list[int], workers: Workers, keep: Keep = "summaries",
                progress: bool | None = None) -> None:
    """Run the runs ``indices`` of a prepared sweep folder on ``workers``, each recorded in its run file.

    Callers that run a sweep in stages (a sequential procedure deciding which
    runs come next) call this once per stage with the same workers, so that
    every stage reuses the same warm worker processes.
    """
    bar = Progress(len(indices), spec.name, progress)
    try:
        run_all(sweep_tasks(spec, indices, folder, keep), workers, lambda r: store.write_marker(folder, r), bar)
    finally:
        bar.close()


def finish(folder: Path, description: dict[str, Any], indices: Iterable[int], plots: bool = True) -> SweepResult:
    """Assemble the tables and plots of a sweep folder from its run files (and a Sobol'/Morris sweep's indices)."""
    runs, aggregate, missing = store.assemble(folder, description, indices)
    written: list[Path] = []
    unknown: list[str] = []
    kind = (description.get("design") or {}).get("kind")  # folders written before sensitivity designs may lack it
    if plots and not aggregate.empty and kind not in SENSITIVITY:
        # A sampling design's points scatter over every factor at once: the indices' bars say more.
        written, unknown = write_sweep_figures(aggregate, description["factors"], description["plot_kpis"],
                                             folder / "plots")
    table = None
    if kind in SENSITIVITY and not missing and not aggregate.empty:
        from sim.experiments.indices import write_indices

        table, figures = write_indices(folder, description, aggregate, plots)
        written += figures
        unknown = [k for k in description["plot_kpis"] if k not in set(aggregate["kpi"])]
    return SweepResult(folder, runs, aggregate, missing=missing, plots=written, unknown_plot_kpis=unknown,
                       indices=table)


def merge_sweeps(folders: Iterable[str | Path], out: str | Path | None = None, plots: bool = True) -> SweepResult:
    """Combine shard folders of one sweep into ``out`` (default: ``<parent of the first>/<sweep name>``).

    The result holds exactly the tables one unsharded run would have written.
    """
    sources = [Path(f) for f in folders]
    if not sources:
        raise ScenarioError("merge: give at least one sweep folder")
    descriptions = [store.read_description(f) for f in sources]
    first = descriptions[0]
    for source, description in zip(sources, descriptions, strict=True):
        if description.get("fingerprint") != first.get("fingerprint"):
            raise ScenarioError(f"{source}: is a shard of a different sweep than {sources[0]} "
                                "(scenario, factors, seed or replications differ)")
    target = Path(out) if out is not None else sources[0].parent / first["name"]
    if target.resolve() in {s.resolve() for s in sources}:
        raise ScenarioError(f"{target}: is one of the folders to merge; choose another --out")
    if target.exists() and not target.is_dir():
        raise ScenarioError(f"{target}: is a file, not a folder; choose another --out")
    if target.exists() and any(target.iterdir()):
        raise ScenarioError(f"{target}: already exists; choose another --out")
    shards = [store.read_markers(source) for source in sources]  # every record checked before anything is copied
    (target / "runs").mkdir(parents=True, exist_ok=True)
    for source, records in zip(sources, shards, strict=True):
        _copy_runs(source, records, target)
        for name in ("scenario.toml", "design.csv"):
            if not (target / name).exists() and (source / name).exists():
                shutil.copy2(source / name, target / name)
    merged = {**first, "shard": [0, 1], "merged_from": [str(s) for s in sources]}
    write_json(target / store.SWEEP_FILE, merged)
    result = finish(target, merged, range(int(first["runs_total"])), plots)
    result.skipped = len(result.runs)
    return result


def _copy_runs(source: Path, records: dict[int, dict[str, Any]], target: Path) -> None:
    """Copy a shard's run files (and run folders); a run present twice keeps its successful record.

    Every path comes from ``store.read_markers``, which accepts only run folders
    inside the sweep folder: nothing outside ``target/runs`` is ever removed.
    """
    existing = store.read_markers(target)
    for index, record in records.items():
        if index in existing and existing[index]["status"] == OK:
            continue
        folder = record.get("folder")
        if folder:
            origin = store.run_folder(source, folder, source / "runs" / store.marker_name(index))
            destination = store.run_folder(target, folder, target / "runs" / store.marker_name(index))
            if not origin.is_dir():
                raise ScenarioError(f"{source / 'runs' / store.marker_name(index)}: folder = {folder!r}: "
                                    "no such run folder in the shard")
            if destination.exists():
                shutil.rmtree(destination)
            # Links are copied as links: a shard's run folder cannot make the merge read files outside it.
            shutil.copytree(origin, destination, symlinks=True)
        write_json(target / "runs" / store.marker_name(index), record)
