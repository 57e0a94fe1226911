"""airdecon: a deconfliction line between parties that share an airspace but not their secrets.

The public library surface::

    import airdecon
    scenario = airdecon.load_scenario("scenario.json")
    conflicts = airdecon.detect(scenario.fleet, scenario.protocol)
    for c in conflicts:
        print(c.a, c.b, c.t_in_s)
    resolution = airdecon.resolve(scenario.fleet, conflicts, scenario.protocol)
    for cr in resolution:
        print(cr.level.label, [adv.reason for adv in cr.advisories])
"""

from airdecon.detection import Conflict, ConflictSet, detect
from airdecon.errors import (
    AirdeconError,
    InputError,
    InternalError,
    ProtocolError,
    RecordError,
    ScenarioError,
)
from airdecon.protocol import SafetyProtocol
from airdecon.resolution import Advisory, ConflictResolution, Resolution, resolve
from airdecon.scenario import Scenario, demo_scenario_path, load_scenario, parse_scenario
from airdecon.state import Fleet

__version__ = "0.1.0"

__all__ = [
    "Advisory",
    "AirdeconError",
    "Conflict",
    "ConflictResolution",
    "ConflictSet",
    "Fleet",
    "InputError",
    "InternalError",
    "ProtocolError",
    "RecordError",
    "Resolution",
    "SafetyProtocol",
    "Scenario",
    "ScenarioError",
    "__version__",
    "demo_scenario_path",
    "detect",
    "load_scenario",
    "parse_scenario",
    "resolve",
]
