"""Sweep files: read, check and expand into validated points before any run starts.

A sweep file is TOML (see ``scenarios/sweeps/absence_vs_fleet.toml``)::

    scenario = "../baseline.toml"     # relative to the sweep file
    seed = 1
    replications = 2
    set = ["horizon.days=14"]         # optional, applied to every point
    plot_kpis = ["last_mile_share"]   # optional
    [design]                          # optional: kind = "grid" (default), "lhs" (n, seed), "sobol" (n, seed,
                                      # second_order), "morris" (n, seed, levels) or "points" (file)
    [factors]
    "regional_warehouses.metro.area.absence_probability" = [0.05, 0.1, 0.2]
    "regional_warehouses.metro.fleet.vehicles" = { start = 9, stop = 13, step = 2 }

Every problem becomes one :class:`ScenarioError` line naming the file and the key.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.errors import ScenarioError
from sim.experiments.design import (
    Factor,
    Range,
    factor_values,
    grid_points,
    lhs_points,
    morris_sample,
    parse_cell,
    sobol_sample,
    unit_points,
)
from sim.experiments.tables import RESERVED
from sim.scenario.loader import apply_overrides, read_scenario_data, read_toml, scenario_to_dict, validate_scenario
from sim.scenario.names import NAME_ALLOWED, NAME_PATTERN, is_safe_name
from sim.scenario.schema import Scenario

DEFAULT_PLOT_KPIS = ("last_mile_share", "cost_per_parcel.last_mile")
RANGE_KEYS = frozenset({"start", "stop", "num", "step"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Range(_Strict):
    start: int | float
    stop: int | float
    num: int | None = None
    step: int | float | None = None


DesignKind = Literal["grid", "lhs", "sobol", "morris", "points"]
SAMPLED = ("lhs", "sobol", "morris")  # designs that draw n points (or trajectories) from the factors' ranges
SENSITIVITY = ("sobol", "morris")     # designs whose runs SALib analyses into sensitivity indices


class _Design(_Strict):
    kind: DesignKind = "grid"
    n: int | None = Field(default=None, ge=1)
    seed: int = Field(default=0, ge=0)
    levels: int | None = Field(default=None, ge=2)  # morris: the grid's levels (default 4)
    second_order: bool | None = None                # sobol: also the second-order indices (more runs)
    file: str | None = None                         # points: the CSV of points, relative to the sweep file


class _SweepFile(_Strict):
    name: str | None = Field(default=None, pattern=NAME_PATTERN)
    description: str = ""
    scenario: str
    seed: int | None = Field(default=None, ge=0)
    replications: int = Field(default=1, ge=1)
    set: list[str] = Field(default_factory=list)
    plot_kpis: list[str] = Field(default_factory=lambda: list(DEFAULT_PLOT_KPIS))
    design: _Design = Field(default_factory=_Design)
    factors: dict[str, Any] = Field(default_factory=dict)


@dataclass(frozen=True)
class Point:
    """One design point: its number, its factor values and the validated scenario they give."""

    index: int
    values: dict[str, Any]
    scenario: Scenario


@dataclass(frozen=True)
class SweepSpec:
    """A checked sweep: every point's scenario has been validated, so no run can fail on input."""

    path: Path
    name: str
    description: str
    scenario_path: Path
    seed: int
    replications: int
    overrides: tuple[str, ...]
    design: str
    lhs_n: int | None
    lhs_seed: int
    factors: dict[str, Factor]
    plot_kpis: tuple[str, ...]
    base: Scenario
    points: tuple[Point, ...]
    # Options of the sobol, morris and points designs (levels, second_order, file); empty for grid and lhs.
    design_options: dict[str, Any] = field(default_factory=dict)
    # What a caller built on the sweep engine records about itself in sweep.json (e.g. the strategies table).
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def runs(self) -> int:
        """Number of runs: points x replications."""
        return len(self.points) * self.replications

    @property
    def fingerprint(self) -> str:
        """A hash of everything that decides the runs' results (resume and merge check it)."""
        payload = {
            "factors": list(self.factors),
            "seed": self.seed,
            "replications": self.replications,
            "points": [[p.values, scenario_to_dict(p.scenario)] for p in self.points],
        }
        text = json.dumps(payload, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def toml_literal(value: Any) -> str:
    """``value`` written as a TOML value, so it can travel as a ``--set key=value`` override."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # JSON string escapes are valid TOML basic-string escapes
    if isinstance(value, list):
        return "[" + ", ".join(toml_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(str(k))} = {toml_literal(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} as a TOML value")


def assignments(values: Mapping[str, Any]) -> list[str]:
    """A point's factor values as ``key.path=value`` overrides."""
    return [f"{key}={toml_literal(value)}" for key, value in values.items()]


def load_sweep(path: str | Path, overrides: Iterable[str] = ()) -> SweepSpec:
    """Read and check a sweep file; ``overrides`` (``--set``) apply to the base scenario of every point."""
    path = Path(path)
    raw = read_toml(path, "sweep file")
    factors_table = raw.get("factors")
    if isinstance(factors_table, dict):
        raw = {**raw, "factors": _flatten_factors(factors_table, path)}
    try:
        spec = _SweepFile.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(_first_error(exc, path)) from None
    if spec.name is None and not is_safe_name(path.stem):  # the default name is the file's: the same rule
        raise ScenarioError(f"{path}: name: none given, and the file name's {path.stem!r} cannot be the sweep's "
                            f"name: {NAME_ALLOWED}; set name = \"...\" in the file")
    scenario_path = path.parent / spec.scenario
    if not scenario_path.is_file():
        raise ScenarioError(f"{path}: scenario = {spec.scenario!r}: no such scenario file ({scenario_path})")
    all_sets = (*spec.set, *overrides)
    base_data = apply_overrides(read_scenario_data(scenario_path), all_sets, source=str(scenario_path))
    rows = _read_points(spec.design, path) if spec.design.kind == "points" else None
    return build_spec(
        path=path, name=spec.name or path.stem, description=spec.description, scenario_path=scenario_path,
        base_data=base_data, overrides=all_sets, seed=spec.seed, replications=spec.replications,
        design=spec.design, factors=spec.factors, plot_kpis=spec.plot_kpis, rows=rows,
    )


def design_of(options: Mapping[str, Any], source: Path) -> _Design:
    """A ``[design]`` table (kind, n, seed, levels, second_order, file) checked as in a sweep file."""
    try:
        return _Design.model_validate(dict(options))
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        key = ".".join(str(part) for part in ("design", *err["loc"]))
        if err["type"] == "extra_forbidden":
            raise ScenarioError(f"{source}: {key}: unknown key (allowed: {', '.join(_Design.model_fields)})") from None
        message = str(err["msg"]).replace("Input should be", "allowed:")
        raise ScenarioError(f"{source}: {key} = {err.get('input')!r}: {message}") from None


def build_spec(
    *, path: Path, name: str, description: str, scenario_path: Path, base_data: Mapping[str, Any],
    overrides: Iterable[str], seed: int | None, replications: int, design: _Design, factors: Mapping[str, Any],
    plot_kpis: Iterable[str], rows: list[dict[str, Any]] | None = None, meta: Mapping[str, Any] | None = None,
) -> SweepSpec:
    """Check a sweep given as data (from a file or from Python) and expand its design into validated points.

    ``rows`` are the points of a ``points`` design (their keys are the factors);
    ``path`` names the sweep in every message.
    """
    base = _validate(base_data, f"{scenario_path} (with the sweep's set)")
    if design.kind == "points":
        if factors:
            raise ScenarioError(f"{path}: factors: a points design takes its factors from the columns of "
                                "its points; leave [factors] out")
        if not rows:
            raise ScenarioError(f"{path}: design.file: the points file holds no points")
        factors = {key: _distinct(row[key] for row in rows) for key in rows[0]}
    checked = {key: _factor(key, value, path) for key, value in factors.items()}
    if not checked:
        raise ScenarioError(f"{path}: factors: give at least one factor")
    _check_design(design, checked, path)
    for key, factor in checked.items():
        _check_factor(key, factor, base_data, path, design.kind)
    values = _expand(design, checked, rows, path)
    points = tuple(_point(i, v, base_data, path) for i, v in enumerate(values))
    options = {k: v for k, v in (("levels", design.levels), ("second_order", design.second_order),
                                 ("file", design.file)) if v is not None}
    if design.kind == "morris":
        options.setdefault("levels", 4)
    if design.kind == "sobol":
        options.setdefault("second_order", False)
    return SweepSpec(
        path=path, name=name, description=description, scenario_path=scenario_path,
        seed=base.seed if seed is None else seed, replications=replications,
        overrides=tuple(overrides), design=design.kind, lhs_n=design.n, lhs_seed=design.seed,
        factors=checked, plot_kpis=tuple(plot_kpis), base=base, points=points, design_options=options,
        meta=dict(meta or {}),
    )


def _distinct(values: Iterable[Any]) -> list[Any]:
    seen: list[Any] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen


def _expand(design: _Design, factors: Mapping[str, Factor], rows: list[dict[str, Any]] | None,
            path: Path) -> list[dict[str, Any]]:
    """The points of a design, in the order the runs are numbered (SALib's analysers read them in this order)."""
    names = list(factors)
    try:
        if design.kind == "grid":
            return grid_points(factors)
        if design.kind == "lhs":
            return lhs_points(factors, design.n or 0, design.seed)
        if design.kind == "sobol":
            return unit_points(factors, sobol_sample(names, design.n or 0, design.seed, bool(design.second_order)))
        if design.kind == "morris":
            return unit_points(factors, morris_sample(names, design.n or 0, design.seed, design.levels or 4))
    except ValueError as exc:
        key = "design.levels" if "levels" in str(exc) else "design.n"
        raise ScenarioError(f"{path}: {key}: {exc}") from None
    return [dict(row) for row in rows or []]


def _read_points(design: _Design, path: Path) -> list[dict[str, Any]]:
    """The rows of a points design's CSV: a header of factor key paths, one point per line, TOML-literal cells."""
    import csv

    if design.file is None:
        raise ScenarioError(f"{path}: design.file: a points design needs the CSV file of its points")
    source = path.parent / design.file
    try:
        with source.open(newline="") as handle:
            table = list(csv.reader(handle))
    except OSError as exc:
        raise ScenarioError(f"{path}: design.file = {design.file!r}: cannot be read ({exc.strerror})") from None
    if not table or not [c for c in table[0] if c.strip()]:
        raise ScenarioError(f"{source}: empty; expected a header of factor key paths and one point per line")
    header = [c.strip() for c in table[0]]
    if len(set(header)) != len(header) or "" in header:
        raise ScenarioError(f"{source}: header {table[0]!r}: every column needs a distinct factor key path")
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise ScenarioError(f"{source}: line {number}: {len(cells)} cells, the header has {len(header)}")
        rows.append({key: parse_cell(cell) for key, cell in zip(header, cells, strict=True)})
    return rows


def _flatten_factors(table: dict[str, Any], path: Path, prefix: str = "") -> dict[str, Any]:
    # Unquoted dotted keys (a.b.c = [...]) arrive as nested tables; a table with
    # a range key (start, stop, num, step) is a leaf, any other table goes deeper.
    flat: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and not (RANGE_KEYS & value.keys()):
            nested = _flatten_factors(value, path, name + ".")
        else:
            nested = {name: value}
        for leaf in nested:
            if leaf in flat:
                raise ScenarioError(f"{path}: factors.{leaf}: given twice")
        flat.update(nested)
    return flat


def _first_error(exc: ValidationError, path: Path) -> str:
    err = exc.errors(include_url=False)[0]
    key = ".".join(str(part) for part in err["loc"])
    if err["type"] == "extra_forbidden":
        model = _Range if "factors" in key else (_Design if key.startswith("design") else _SweepFile)
        allowed = ", ".join(model.model_fields)
        return f"{path}: {key}: unknown key (allowed: {allowed})"
    if err["type"] == "missing":
        return f"{path}: {key}: required key is missing"
    if err["type"] == "string_pattern_mismatch" and err.get("ctx", {}).get("pattern") == NAME_PATTERN:
        return f"{path}: {key} = {err.get('input')!r}: {NAME_ALLOWED}"
    message = str(err["msg"]).removeprefix("Value error, ").replace("Input should be", "allowed:")
    return f"{path}: {key} = {err.get('input')!r}: {message}"


def _factor(key: str, value: Any, path: Path) -> Factor:
    if key in RESERVED or key == "seed":
        raise ScenarioError(f"{path}: factors.{key}: the sweep sets '{key}' itself; it cannot be a factor")
    if isinstance(value, Range):  # from Python (sim.experiments.build)
        return value
    if isinstance(value, list):
        if not value:
            raise ScenarioError(f"{path}: factors.{key} = []: empty list of values")
        return list(value)
    if isinstance(value, dict):
        try:
            checked = _Range.model_validate(value)
        except ValidationError as exc:
            err = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in err["loc"])
            reason = ("unknown key (allowed: start, stop, num, step)" if err["type"] == "extra_forbidden"
                      else str(err["msg"]).replace("Input should be", "allowed:"))
            raise ScenarioError(f"{path}: factors.{key}.{where}: {reason}") from None
        return Range(checked.start, checked.stop, checked.num, checked.step)
    raise ScenarioError(f"{path}: factors.{key} = {value!r}: expected a list of values or a range table "
                        "{start, stop, num} or {start, stop, step}")


_NEEDS_N = {"lhs": "a Latin hypercube needs the number of points n",
            "sobol": "a Sobol' design needs n, the base sample size (a power of two)",
            "morris": "a Morris design needs n, the number of trajectories"}
_ONLY_FOR = {"levels": "morris", "second_order": "sobol", "file": "points"}


def _check_design(design: _Design, factors: Mapping[str, Factor], path: Path) -> None:
    if design.kind in _NEEDS_N and design.n is None:
        raise ScenarioError(f"{path}: design.n: {_NEEDS_N[design.kind]}")
    if design.kind == "grid" and design.n is not None:
        raise ScenarioError(f"{path}: design.n: only for kind = \"lhs\" (a grid has one point per combination)")
    if design.kind == "points" and design.n is not None:
        raise ScenarioError(f"{path}: design.n: not for kind = \"points\" (the file gives the points)")
    for key, kind in _ONLY_FOR.items():
        if getattr(design, key) is not None and design.kind != kind:
            raise ScenarioError(f"{path}: design.{key}: only for kind = \"{kind}\"")


def _check_factor(key: str, factor: Factor, base: Mapping[str, Any], path: Path, kind: str) -> None:
    """Every value of one factor, applied alone to the base, must give a valid scenario."""
    try:
        values = ([factor.start, factor.stop] if isinstance(factor, Range) and factor.continuous and kind in SAMPLED
                  else factor_values(factor))
    except ValueError as exc:
        raise ScenarioError(f"{path}: factors.{key}: {exc}") from None
    for value in values:
        source = f"{path}: factors.{key} = {toml_literal(value)}"
        data = apply_overrides(base, [f"{key}={toml_literal(value)}"], source=source)
        _validate(data, source)


def _point(index: int, values: dict[str, Any], base: Mapping[str, Any], path: Path) -> Point:
    """Factors can be valid one by one and clash together (a reorder point above order-up-to)."""
    label = ", ".join(f"{k}={toml_literal(v)}" for k, v in values.items())
    source = f"{path}: point {index} ({label})"
    return Point(index, values, _validate(apply_overrides(base, assignments(values), source=source), source))


def _validate(data: Mapping[str, Any], source: str) -> Scenario:
    try:
        return validate_scenario(data, source=source)
    except ScenarioError as exc:
        # The loader lists up to five problems; one line, the first, is enough
        # to fix the sweep file and keeps the CLI's one-line error promise.
        raise ScenarioError(str(exc).splitlines()[0]) from None
