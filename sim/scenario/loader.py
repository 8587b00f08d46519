"""Reading scenario files and ``--set`` overrides into a validated :class:`Scenario`.

All user-facing failures become :class:`ScenarioError` with one line that names
the file, the key path, the bad value and what is allowed, so the CLI can print
it without a traceback.
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.errors import ScenarioError
from sim.scenario.schema import DISRUPTION_KINDS, POLICY_TAGS, Scenario

# Inventory-policy and disruption tags: pydantic puts the tag of a union member in an error's location,
# and these are left out of the key paths in messages, which name only keys the user wrote.
UNION_TAGS = frozenset((*POLICY_TAGS, *DISRUPTION_KINDS))


def load_scenario(path: str | Path, overrides: Iterable[str] = ()) -> Scenario:
    """Read a TOML scenario file, apply ``key.path=value`` overrides and validate it.

    A file may start from another with ``extends = "other.toml"`` (a path relative
    to the file) and state only what differs; see :func:`merge_scenarios`.
    """
    path = Path(path)
    data = read_scenario_data(path)
    data = apply_overrides(data, overrides, source=str(path))
    return validate_scenario(data, source=str(path))


def read_scenario_data(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The plain data of a scenario file, with its ``extends`` chain resolved."""
    data = read_toml(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError(f"{path}: extends = {parent!r}: allowed: a path to another scenario file")
    parent_path = (path.parent / parent).resolve()
    if parent_path in seen or parent_path == path.resolve():
        raise ScenarioError(f"{path}: extends = {parent!r}: the files extend each other in a cycle")
    base = read_scenario_data(parent_path, (*seen, path.resolve()))
    return merge_scenarios(base, data)


def merge_scenarios(base: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge ``changes`` into ``base``.

    Tables merge key by key, except a table whose ``policy`` tag changes (an
    inventory policy of another kind), which is replaced whole. Lists of tables that all have a ``name`` (the
    warehouses, the factories) merge element by element on the name, and new
    names are appended. Every other value, lists included, is replaced.
    """
    merged = copy.deepcopy(dict(base))
    for key, value in changes.items():
        old = merged.get(key)
        if isinstance(old, dict) and isinstance(value, dict) and not _policy_changes(old, value):
            merged[key] = merge_scenarios(old, value)
        elif isinstance(old, list) and _named_tables(old) and _named_tables(value):
            by_name = {item["name"]: i for i, item in enumerate(old)}
            for item in value:
                if item["name"] in by_name:
                    old[by_name[item["name"]]] = merge_scenarios(old[by_name[item["name"]]], item)
                else:
                    old.append(copy.deepcopy(item))
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _policy_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Whether ``new`` switches a tagged table (an inventory policy) to another kind."""
    return "policy" in old and "policy" in new and old["policy"] != new["policy"]


def _named_tables(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(x, dict) and "name" in x for x in value)


def read_toml(path: Path, what: str = "scenario file") -> dict[str, Any]:
    """Parse a TOML file (``what`` names it in messages), turning I/O and syntax problems into ScenarioError."""
    if not path.exists():
        raise ScenarioError(f"{path}: no such {what}")
    if path.is_dir():
        raise ScenarioError(f"{path}: is a directory, expected a {what} (.toml)")
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot be read: {exc.strerror}") from None


def validate_scenario(data: Mapping[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate a plain dict into a frozen Scenario, with readable one-line errors."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(exc, data, source)) from None


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The resolved scenario as plain data (TOML- and JSON-serialisable)."""
    return scenario.model_dump(mode="json", exclude_none=True)


# --- overrides ---------------------------------------------------------------


def apply_overrides(data: Mapping[str, Any], overrides: Iterable[str], source: str) -> dict[str, Any]:
    """Return a copy of ``data`` with every ``key.path=value`` assignment applied.

    A path segment indexes a list either by position (``regional_warehouses.0``)
    or by the ``name`` of one of its tables (``regional_warehouses.metro``). The
    value is parsed as a TOML value (``0.2``, ``true``, ``[1, 2]``, ``"text"``);
    a bare word that is not valid TOML is taken as a string.
    """
    result = copy.deepcopy(dict(data))
    for item in overrides:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ScenarioError(f"--set {item!r}: expected key.path=value")
        _assign(result, key, parse_value(raw.strip()), source)
    return result


def parse_value(raw: str) -> Any:
    """Parse one override value as TOML, falling back to a plain string."""
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def _assign(data: dict[str, Any], key: str, value: Any, source: str) -> None:
    parts = key.split(".")
    node: Any = data
    walked: list[str] = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(node, list):
            index = _list_index(node, part)
            if index is None:
                names = [str(x.get("name")) for x in node if isinstance(x, dict)]
                raise ScenarioError(
                    f"{source}: --set {key}: '{part}' matches no element of {'.'.join(walked) or 'the list'} "
                    f"(use an index 0..{len(node) - 1} or a name: {names})"
                )
            if last:
                node[index] = value
            else:
                node = node[index]
        elif isinstance(node, dict):
            if last:
                node[part] = value
            else:
                node = node.setdefault(part, {})
        else:
            raise ScenarioError(f"{source}: --set {key}: '{'.'.join(walked)}' is a value, not a table")
        walked.append(part)


def _list_index(items: list[Any], part: str) -> int | None:
    if part.isdigit():
        index = int(part)
        return index if index < len(items) else None
    for key in ("name", "type"):  # warehouses by name, fleet units by vehicle type
        for index, item in enumerate(items):
            if isinstance(item, dict) and item.get(key) == part:
                return index
    return None


# --- error messages ----------------------------------------------------------


def format_validation_error(exc: ValidationError, data: Mapping[str, Any], source: str) -> str:
    """One line per problem (the first few), each naming file, key path, value and the rule."""
    lines = []
    errors = exc.errors(include_url=False)
    for err in errors[:5]:
        path = _key_path(err["loc"], data)
        message = _describe(err)
        if err["type"] in ("missing", "extra_forbidden") or path == "":
            lines.append(f"{source}: {path or '(top level)'}: {message}")
        else:
            lines.append(f"{source}: {path} = {_show(err.get('input'))}: {message}")
    if len(errors) > 5:
        lines.append(f"{source}: ... and {len(errors) - 5} more problems")
    return "\n".join(lines)


def _key_path(loc: tuple[int | str, ...], data: Mapping[str, Any]) -> str:
    """Dotted key path, with list elements shown by index and, when they have one, by name."""
    out = ""
    node: Any = data
    for part in loc:
        if isinstance(part, int):
            name = None
            if isinstance(node, list) and part < len(node) and isinstance(node[part], dict):
                name = node[part].get("name")
            out += f"[{part}]" + (f"({name})" if name else "")
            node = node[part] if isinstance(node, list) and part < len(node) else None
        elif part in UNION_TAGS or part.startswith(("function-", "tagged-union")):
            continue  # pydantic's names for union members and validators are not keys the user wrote
        else:
            out += ("." if out else "") + str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out


def _describe(err: Any) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return "unknown key (check the spelling; see scenarios/baseline.toml for every key)"
    if kind == "missing":
        return "required key is missing"
    message = str(err["msg"])
    message = message.removeprefix("Value error, ")
    return message.replace("Input should be", "allowed:")


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
