"""Scenario files (JSON/YAML): a fleet and its protocol, the engine's input contract."""

from airdecon.scenario._load import Scenario, demo_scenario_path, load_scenario, parse_scenario

__all__ = ["Scenario", "demo_scenario_path", "load_scenario", "parse_scenario"]
