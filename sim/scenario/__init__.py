"""Scenario files: the frozen schema and the loader that validates TOML into it."""

from sim.scenario.loader import apply_overrides, load_scenario, scenario_to_dict, validate_scenario
from sim.scenario.schema import Scenario

__all__ = ["Scenario", "apply_overrides", "load_scenario", "scenario_to_dict", "validate_scenario"]
