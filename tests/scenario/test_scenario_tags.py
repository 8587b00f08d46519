"""Union tags: written once, in the models' Literal tag fields, and the loader uses exactly those."""

from __future__ import annotations

from typing import Any, get_args

from sim.scenario import loader
from sim.scenario.disruptions import DISRUPTION_KINDS, Disruption
from sim.scenario.inventory import POLICY_TAGS, InventoryPolicy
from sim.scenario.linehaul import Dispatch


def _defaults(union: Any, tag: str) -> list[str]:
    """The tag each member of an ``Annotated`` union gets by default (its only allowed value)."""
    members = get_args(get_args(union)[0])
    return [member.model_fields[tag].default for member in members]


def test_inventory_policy_tags() -> None:
    assert POLICY_TAGS == ("sS", "base_stock", "RQ", "TS", "TQ")
    assert list(POLICY_TAGS) == _defaults(InventoryPolicy, "policy")


def test_disruption_kinds() -> None:
    assert DISRUPTION_KINDS == ("factory_outage", "linehaul_delay", "warehouse_closure", "demand_surge")
    assert list(DISRUPTION_KINDS) == _defaults(Disruption, "kind")


def test_the_loader_skips_the_schemas_policy_and_disruption_tags() -> None:
    assert set(_defaults(InventoryPolicy, "policy")) | set(_defaults(Disruption, "kind")) == loader.UNION_TAGS


def test_tags_are_unique_across_the_unions() -> None:
    tags = [*POLICY_TAGS, *DISRUPTION_KINDS, *_defaults(Dispatch, "policy")]
    assert len(tags) == len(set(tags))


def test_key_paths_leave_out_the_tags() -> None:
    data = {"disruptions": [{"kind": "demand_surge"}], "inventory": {"policy": "RQ"}}
    assert loader._key_path(("disruptions", 0, "demand_surge", "factor"), data) == "disruptions[0].factor"
    assert loader._key_path(("inventory", "RQ", "function-after[_level_forms()]"), data) == "inventory"
