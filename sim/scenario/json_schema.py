"""The JSON Schema of a scenario file, for editors (taplo, Even Better TOML) and for ``sim schema``.

Pydantic writes the schema of :class:`Scenario`; this module makes it describe
a *file* rather than the validated model:

- every property carries a description with its unit: the ones written on the
  fields, or, for an optional value (``X | None``) or a nested table, the one
  of the value's type (its unit and range, or the table's docstring);
- a file may hold ``extends = "other.toml"`` and then state only what differs,
  so no key is required in it, and a partial table (one warehouse's fleet, one
  key of an inventory policy) is fine: such a file is checked against the
  *partial* schema (every table with its keys and types, nothing required),
  a file without ``extends`` against the full one as well (unless it names ``facilities`` or a
  ``history``, whose files fill in lane distances, capacities and coordinates).

The shipped ``scenarios/scenario.schema.json`` is this schema, written by
``sim schema --out``; a test keeps the two equal.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from sim.scenario.schema import Scenario

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_FILE = "scenario.schema.json"  # its name in scenarios/ (the #:schema line of each shipped scenario)
PARTIAL = "Partial"  # the suffix of the partial variant of each table's definition
EXTENDS_DESCRIPTION = ("path of a scenario file (relative to this file) to start from: this file then states only "
                       "what differs; tables merge key by key, lists of named tables by name, other values replace")


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario TOML file, ``extends`` included."""
    generated = Scenario.model_json_schema()
    definitions: dict[str, Any] = generated.pop("$defs")
    definitions["Scenario"] = generated
    for definition in definitions.values():
        _describe_properties(definition, definitions)
    partial = {name + PARTIAL: _partial(definition) for name, definition in definitions.items()}
    top = partial["Scenario" + PARTIAL]
    properties = {"extends": {"type": "string", "minLength": 1, "description": EXTENDS_DESCRIPTION},
                  **top["properties"]}
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": "https://github.com/sim-supply-chain/sim/scenarios/" + SCHEMA_FILE,
        "title": "sim scenario",
        "description": (generated.get("description", "") + " Units: hours (_h, _hours), minutes (_min), km (_km), "
                        "km/h (_kmh), m3 (_m3), kg (_kg); money in the scenario's currency."),
        "type": "object",
        # Completion and checking of every key, in files that extend another too.
        "properties": properties,
        "additionalProperties": False,
        # A file that extends no other is a whole scenario: every required key, in every table; unless its
        # data files (facilities, history) fill some in (distances, capacities: see sim.scenario.geo_data).
        "if": {"anyOf": [{"required": ["extends"]}, {"required": ["facilities"]}, {"required": ["history"]}]},
        "else": {"$ref": "#/$defs/Scenario"},
        "$defs": {**dict(sorted(definitions.items())), **dict(sorted(partial.items()))},
    }


def schema_text() -> str:
    """The schema as ``sim schema`` prints it and ``scenarios/scenario.schema.json`` holds it."""
    return json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"


def _describe_properties(definition: dict[str, Any], definitions: dict[str, Any]) -> None:
    """Give every property of ``definition`` a description, from its value's type when the field has none."""
    for prop in definition.get("properties", {}).values():
        if "description" not in prop:
            text = _type_description(prop, definitions)
            if text:
                prop["description"] = text


def _type_description(node: dict[str, Any], definitions: dict[str, Any]) -> str:
    """The description of a value's type: its own, a referenced table's first paragraph, or a union's parts."""
    if "description" in node:
        return str(node["description"])
    if "$ref" in node:
        target = definitions[node["$ref"].rsplit("/", 1)[-1]]
        return str(target.get("description", "")).split("\n\n")[0].replace("\n", " ")
    members = node.get("anyOf") or node.get("oneOf") or []
    parts = [text for member in members if member.get("type") != "null"
             if (text := _type_description(member, definitions))]
    if parts:
        optional = " (optional)" if any(member.get("type") == "null" for member in members) else ""
        return " | ".join(dict.fromkeys(parts)) + optional
    return ""


def _partial(node: Any) -> Any:
    """A copy of a schema node that requires nothing, refers to partial definitions and accepts any union member.

    ``oneOf`` becomes ``anyOf``: a partial inventory table (without its
    ``policy`` tag) matches several policies, which is fine when it is merged
    into a parent's. ``if``/``then`` are not used below the top level.
    """
    if isinstance(node, list):
        return [_partial(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "required":
            continue
        if key == "$ref":
            out[key] = value + PARTIAL
        elif key == "oneOf":
            out["anyOf"] = _partial(value)
        elif key == "discriminator":
            continue  # an OpenAPI hint that names the full definitions
        elif key in ("properties", "$defs"):
            out[key] = {name: _partial(item) for name, item in value.items()}
        elif key in ("default", "examples", "const", "enum"):
            out[key] = copy.deepcopy(value)
        else:
            out[key] = _partial(value)
    return out
