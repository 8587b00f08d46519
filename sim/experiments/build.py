"""Sweeps described in Python instead of a sweep file: a base scenario, factors and a design.

::

    from sim.experiments import run_sweep
    result = run_sweep(base, factors={"last_mile.max_attempts": [1, 2, 3],
                                      "regional_warehouses.metro.area.absence_probability": (0.05, 0.3)},
                       design={"kind": "lhs", "n": 8, "seed": 1}, replications=5)
    result.runs, result.aggregate        # tidy DataFrames: one row per run, one per (point, KPI)

A factor is a list of values, a ``(low, high)`` pair (a continuous range for
floats, every integer in between for ints), a :class:`~sim.experiments.design.Range`
or a range table ``{"start": .., "stop": .., "num"/"step": ..}``. A design is a
kind (``"grid"``, ``"lhs"``, ``"sobol"``, ``"morris"``), a ``[design]`` table as
a dict, or explicit points: a DataFrame or a list of dicts whose columns are the
factors (a SALib sample, a design from another tool). The checks and the messages
are those of a sweep file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sim.errors import ScenarioError
from sim.experiments.design import Range
from sim.experiments.spec import DEFAULT_PLOT_KPIS, SweepSpec, build_spec, design_of
from sim.scenario.loader import apply_overrides, read_scenario_data, scenario_to_dict
from sim.scenario.schema import Scenario

SOURCE = Path("<python>")  # names the sweep in messages, where a sweep file would name the file


def python_factor(key: str, value: Any) -> Any:
    """A factor given in Python as a sweep file would give it (a ``(low, high)`` pair becomes a range)."""
    if isinstance(value, tuple):
        if len(value) != 2:
            raise ScenarioError(f"{SOURCE}: factors.{key} = {value!r}: a range is a pair (low, high)")
        low, high = (_plain(v) for v in value)
        return Range(low, high)
    if isinstance(value, Range | dict):
        return value
    if isinstance(value, Iterable) and not isinstance(value, str):
        return [_plain(v) for v in value]
    raise ScenarioError(f"{SOURCE}: factors.{key} = {value!r}: expected a list of values, a (low, high) pair "
                        "or a range")


def _plain(value: Any) -> Any:
    # numpy scalars (from a DataFrame or a sample) as Python numbers, so they print as TOML values.
    return value.item() if hasattr(value, "item") and not isinstance(value, list | dict) else value


def _points(design: Any) -> list[dict[str, Any]] | None:
    """Explicit points from a DataFrame or a list of dicts, else None."""
    if hasattr(design, "to_dict") and hasattr(design, "columns"):
        rows = design.to_dict("records")
    elif isinstance(design, list | tuple) and all(isinstance(row, Mapping) for row in design):
        rows = [dict(row) for row in design]
    else:
        return None
    rows = [{str(k): _plain(v) for k, v in row.items() if str(k) != "point"} for row in rows]
    if rows and any(row.keys() != rows[0].keys() for row in rows):
        raise ScenarioError(f"{SOURCE}: design: every point needs the same factors")
    return rows


def sweep_spec(
    base: Scenario | str | Path,
    factors: Mapping[str, Any] | None = None,
    design: Any = "grid",
    replications: int = 1,
    seed: int | None = None,
    *,
    name: str | None = None,
    description: str = "",
    overrides: Iterable[str] = (),
    plot_kpis: Iterable[str] = DEFAULT_PLOT_KPIS,
    meta: Mapping[str, Any] | None = None,
) -> SweepSpec:
    """A checked sweep from a base scenario (or scenario file), factors and a design; see the module docstring.

    ``seed`` is the simulation's (default: the base scenario's); a sampling
    design's own seed goes in the design table (``{"kind": "lhs", "n": 8, "seed": 3}``).
    """
    if replications < 1:
        raise ScenarioError(f"{SOURCE}: replications = {replications}: must be at least 1")
    if isinstance(base, Scenario):
        base_data = apply_overrides(scenario_to_dict(base), list(overrides), source=f"scenario {base.name!r}")
        scenario_path = Path(f"<scenario {base.name}>")
    else:
        scenario_path = Path(base)
        if not scenario_path.is_file():
            raise ScenarioError(f"{SOURCE}: base = {str(base)!r}: no such scenario file")
        base_data = apply_overrides(read_scenario_data(scenario_path), list(overrides), source=str(scenario_path))
    rows = _points(design)
    if rows is not None:
        checked = design_of({"kind": "points"}, SOURCE)
    elif isinstance(design, str):
        checked = design_of({"kind": design}, SOURCE)
    elif isinstance(design, Mapping):
        checked = design_of(design, SOURCE)
    else:
        raise ScenarioError(f"{SOURCE}: design = {design!r}: expected a kind, a design table (dict) or points "
                            "(a DataFrame or a list of dicts)")
    if checked.kind == "points" and rows is None:
        raise ScenarioError(f"{SOURCE}: design: pass explicit points as a DataFrame or a list of dicts "
                            "(their columns are the factors)")
    given = {key: python_factor(key, value) for key, value in (factors or {}).items()}
    label = name or f"{base_data.get('name', 'sweep')}-{checked.kind}"
    return build_spec(
        path=SOURCE, name=label, description=description, scenario_path=scenario_path, base_data=base_data,
        overrides=tuple(overrides), seed=seed, replications=replications, design=checked, factors=given,
        plot_kpis=plot_kpis, rows=rows, meta=meta,
    )
