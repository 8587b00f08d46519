"""Reading scenario files and ``--set`` overrides into a validated :class:`Scenario`.

All user-facing failures become :class:`ScenarioError` with one line that names
the file, the key path, the bad value and what is allowed, so the CLI can print
it without a traceback.
"""

from __future__ import annotations

import copy
import difflib
import os
import re
import stat
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from sim.errors import ScenarioError
from sim.scenario.geo_data import check_data_files, fill_from_data, resolve_data_paths
from sim.scenario.names import NAME_ALLOWED, NAME_PATTERN
from sim.scenario.roads import anchor_distance_paths
from sim.scenario.schema import DISRUPTION_KINDS, POLICY_TAGS, Scenario

# Inventory-policy and disruption tags: pydantic puts the tag of a union member in an error's location,
# and these are left out of the key paths in messages, which name only keys the user wrote.
UNION_TAGS = frozenset((*POLICY_TAGS, *DISRUPTION_KINDS))


# Limits of what is read: a scenario is a few kilobytes; these stop a wrong path (a device, a huge file,
# a chain that never ends) before it costs memory or time.
MAX_FILE_BYTES = 1 << 20  # 1 MiB per scenario or sweep file
MAX_EXTENDS_DEPTH = 32  # files in one extends chain, the first included
MAX_NESTING = 32  # tables and lists inside each other
MAX_PATH_CHARS = 1024  # an extends path; each part of it at most NAME_MAX bytes
NAME_MAX = 255


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
    """The plain data of a scenario file, with its ``extends`` chain resolved.

    ``seen`` holds the files that extend this one (resolved), for the cycle and
    depth checks. Every file of a chain has its named lists checked (see
    :func:`check_named_lists`), so a duplicate in a parent is not merged away.
    """
    data = anchor_distance_paths(read_toml(path), path)
    resolve_data_paths(data, path.parent)  # a data path means what it meant in the file that wrote it
    parent = data.pop("extends", None)
    if parent is None:
        if seen:
            check_named_lists(data, str(path))
        return data
    check_named_lists(data, str(path))
    _check_extends_value(path, parent)
    if len(seen) + 1 >= MAX_EXTENDS_DEPTH:
        raise ScenarioError(f"{path}: extends = {parent!r}: the chain of extends is longer than "
                            f"{MAX_EXTENDS_DEPTH} files (is it endless?)")
    try:
        here = path.resolve()
        parent_path = (path.parent / parent).resolve()
    except (OSError, RuntimeError, ValueError) as exc:  # RuntimeError: a symlink loop (Python < 3.13)
        raise ScenarioError(f"{path}: extends = {parent!r}: cannot be resolved: {_reason(exc)}") from None
    if parent_path in seen or parent_path == here:
        raise ScenarioError(f"{path}: extends = {parent!r}: the files extend each other in a cycle")
    base = read_scenario_data(parent_path, (*seen, here))
    return merge_scenarios(base, data, source=str(path))


def _check_extends_value(path: Path, parent: Any) -> None:
    """An ``extends`` value is a plain relative or absolute path of sane length."""
    allowed = "allowed: a path to another scenario file"
    if not isinstance(parent, str) or not parent.strip():
        raise ScenarioError(f"{path}: extends = {_show(parent)}: {allowed}")
    if "\0" in parent:
        raise ScenarioError(f"{path}: extends = {_show(parent)}: a path cannot hold a null character; {allowed}")
    too_long = len(parent) > MAX_PATH_CHARS or any(len(part.encode()) > NAME_MAX for part in parent.split("/"))
    if too_long:
        raise ScenarioError(f"{path}: extends = {_show(parent)}: too long for a path ({len(parent)} characters; "
                            f"at most {MAX_PATH_CHARS}, and {NAME_MAX} bytes per folder or file name)")


def check_named_lists(data: Mapping[str, Any], source: str, where: str = "") -> None:
    """Refuse, in one file of an extends chain, a list of named tables with a duplicate or non-string name.

    Such lists (the factories, the warehouses) merge by name, so a duplicate
    would be merged away silently and never validated.
    """
    for key, value in data.items():
        path = f"{where}.{key}" if where else str(key)
        if isinstance(value, dict):
            check_named_lists(value, source, path)
        elif _named_tables(value):
            names: list[str] = []
            for i, item in enumerate(value):
                name = item["name"]
                if not isinstance(name, str):
                    raise ScenarioError(f"{source}: {path}[{i}].name = {_show(name)}: allowed: a string")
                if name in names:
                    raise ScenarioError(f"{source}: {path}[{i}].name = {name!r}: a second table of that name "
                                        "(each name may appear once in a list; they merge by name)")
                names.append(name)
                check_named_lists(item, source, f"{path}[{i}]")


def merge_scenarios(base: Mapping[str, Any], changes: Mapping[str, Any], source: str = "<scenario>") -> dict[str, Any]:
    """Deep-merge ``changes`` (from the file ``source``, named in errors) into ``base``.

    Tables merge key by key, except a table whose ``policy`` tag changes (an
    inventory policy of another kind), which is replaced whole. Lists of tables that all have a ``name`` (the
    warehouses, the factories) merge element by element on the name, and new
    names are appended; a duplicate or non-string name in either list is refused.
    Every other value, lists included, is replaced.
    """
    merged = copy.deepcopy(dict(base))
    for key, value in changes.items():
        old = merged.get(key)
        if isinstance(old, dict) and isinstance(value, dict) and not _policy_changes(old, value):
            merged[key] = merge_scenarios(old, value, source)
        elif isinstance(old, list) and _named_tables(old) and _named_tables(value):
            check_named_lists({key: old}, f"{source} (extended file)")
            check_named_lists({key: value}, source)
            by_name = {item["name"]: i for i, item in enumerate(old)}
            for item in value:
                if item["name"] in by_name:
                    old[by_name[item["name"]]] = merge_scenarios(old[by_name[item["name"]]], item, source)
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
    """Parse a TOML file (``what`` names it in messages), turning every reading problem into ScenarioError.

    Only a regular file of at most :data:`MAX_FILE_BYTES` of UTF-8 is read: a
    FIFO or a device is refused before a byte is read, so it can neither hang
    nor fill memory. Tables and lists nested deeper than :data:`MAX_NESTING`
    are refused too (they would exhaust the recursion of what reads them).
    """
    text = _read_text(path, what)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ScenarioError(f"{path}: not valid TOML: values nested too deeply") from None
    depth = _nesting(data)
    if depth > MAX_NESTING:
        raise ScenarioError(f"{path}: tables and lists are nested {depth} deep; at most {MAX_NESTING}")
    return data


def _read_text(path: Path, what: str) -> str:
    """The UTF-8 text of a regular file of bounded size (see :func:`read_toml`)."""
    try:
        # O_NONBLOCK: opening a FIFO returns at once; it is then refused by its type, unread.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such {what}") from None
    except IsADirectoryError:
        raise ScenarioError(f"{path}: is a directory, expected a {what} (.toml)") from None
    except (OSError, ValueError) as exc:
        raise ScenarioError(f"{path}: cannot be read: {_reason(exc)}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise ScenarioError(f"{path}: is a directory, expected a {what} (.toml)")
        if not stat.S_ISREG(mode):
            raise ScenarioError(f"{path}: not a regular file (a FIFO, device or socket): a {what} must be a file")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot be read: {_reason(exc)}") from None
    finally:
        os.close(fd)
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError(f"{path}: larger than {MAX_FILE_BYTES // 1024} KiB: not a {what}")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ScenarioError(f"{path}: not UTF-8 text: byte {raw[exc.start]:#04x} at line {line} "
                            f"(offset {exc.start}); save the file as UTF-8") from None


def _reason(exc: BaseException) -> str:
    """The reason of an I/O error without the path (which the message names already)."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    if isinstance(exc, ValueError) and "null" in str(exc):
        return "the path holds a null character"
    return str(exc) or type(exc).__name__


def _nesting(data: Any) -> int:
    """How deep tables and lists are nested in ``data`` (iterative: the input may be deep)."""
    deepest = 0
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_NESTING:
            return depth
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


def validate_scenario(data: Mapping[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate a plain dict into a frozen Scenario, with readable one-line errors.

    What the scenario's data files give is filled in first, and the files are read and checked
    after (see :mod:`sim.scenario.geo_data`); a scenario without data files is validated as is.
    """
    data = fill_from_data(dict(data))
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(exc, data, source)) from None
    check_data_files(scenario)
    return scenario


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


# Pydantic's names for the members of a union and for validators, which it puts in error locations
# (``constrained-int``, ``dict[str,constrained-float]``, ``function-after[...]``): not keys the user wrote.
_PYDANTIC_LABEL = re.compile(r"^(constrained-\w+|int|float|str|bool|none|[\w-]+\[.*\])$")


def format_validation_error(exc: ValidationError, data: Mapping[str, Any], source: str) -> str:
    """One line: the first problem, naming file, key path, value and the rule, then how many more there are.

    A value that fails every member of a union (one number or a table per
    product) gives one error per member at the same key path; those count once.
    """
    errors = exc.errors(include_url=False)
    first = errors[0]
    path = _key_path(first["loc"], data)
    if first["type"].endswith("_type"):
        # A table where one number would do, or the reverse: the member that matches the value's
        # shape reports a problem deeper down (``initial_stock_units.standard``); that one says more.
        deeper = [err for err in errors if _key_path(err["loc"], data).startswith((f"{path}.", f"{path}["))]
        if deeper:
            first = deeper[0]
            path = _key_path(first["loc"], data)
    message = _describe(first)
    if first["type"] == "extra_forbidden":
        message = unknown_key_message(first["loc"])
    whole_table = first["type"] in ("missing", "extra_forbidden", "size_limit") or isinstance(first.get("input"), dict)
    if whole_table or path == "":
        line = f"{source}: {path or '(top level)'}: {message}"
    else:
        line = f"{source}: {path} = {_show(first.get('input'))}: {message}"
    # Other key paths with a problem; a prefix of this one is the union member that was not chosen.
    others = sorted({q for err in errors if not path.startswith(q := _key_path(err["loc"], data))})
    if others:
        shown = ", ".join(p or "(top level)" for p in others[:3]) + (", ..." if len(others) > 3 else "")
        line += f" (and {len(others)} more problem{'s' if len(others) > 1 else ''}: {shown})"
    return line


def unknown_key_message(loc: tuple[int | str, ...]) -> str:
    """What to say about the unknown key at ``loc``: the closest known key there, if one is close (difflib)."""
    key = str(loc[-1])
    known = known_keys(loc[:-1])
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        return f"unknown key: did you mean '{close[0]}'?"
    if known and len(known) <= 12:
        return f"unknown key (known here: {', '.join(known)})"
    return "unknown key (check the spelling; see scenarios/baseline.toml or `sim schema` for every key)"


def known_keys(loc: tuple[int | str, ...]) -> list[str]:
    """The keys a table at pydantic's location ``loc`` may hold (of every union member that could be there).

    A part of ``loc`` that is a field of a model there leads into the field's
    type; any other part (a list index, a product name, a union tag) stays at
    the same models.
    """
    models: list[type[BaseModel]] = [Scenario]
    for part in loc:
        fields = [model.model_fields[part] for model in models if isinstance(part, str) and part in model.model_fields]
        if fields:
            models = [m for field in fields for m in _models_in(field.annotation)]
    return list(dict.fromkeys(name for model in models for name in model.model_fields))


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models anywhere in a type (inside unions, tuples, dicts and Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in get_args(annotation) for model in _models_in(arg)]


def _key_path(loc: tuple[int | str, ...], data: Mapping[str, Any]) -> str:
    """Dotted key path, with list elements shown by index and, when they have one, by name."""
    out = ""
    node: Any = data
    for part in loc:
        if isinstance(part, int):
            name = None
            if isinstance(node, list) and part < len(node) and isinstance(node[part], dict):
                name = node[part].get("name")
            out += f"[{part}]" + (f"({name})" if isinstance(name, str) and name else "")
            node = node[part] if isinstance(node, list) and part < len(node) else None
        elif part in UNION_TAGS or part.startswith(("function-", "tagged-union")):
            continue  # pydantic's names for union members and validators are not keys the user wrote
        elif _PYDANTIC_LABEL.match(part) and not (isinstance(node, dict) and part in node):
            continue
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
    if kind == "string_pattern_mismatch" and err.get("ctx", {}).get("pattern") == NAME_PATTERN:
        return NAME_ALLOWED  # the rule in words, not the regular expression
    message = str(err["msg"])
    message = message.removeprefix("Value error, ")
    return message.replace("Input should be", "allowed:")


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
