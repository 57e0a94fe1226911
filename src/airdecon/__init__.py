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

    store = airdecon.open_store("hub.db")            # the hub's record: SQLite, PostgreSQL, memory://
    airdecon.verify_chain(store)                     # raises IntegrityError naming the broken entry
"""

from airdecon._memory import keep_freed_memory
from airdecon.audit import HubKey, export_incident, verify_chain, verify_export, write_incident
from airdecon.detection import Conflict, ConflictSet, detect
from airdecon.errors import (
    AirdeconError,
    InputError,
    IntegrityError,
    InternalError,
    MalformedInput,
    NotFound,
    ProtocolError,
    RecordError,
    ScenarioError,
    StoreError,
    WriteConflict,
)
from airdecon.protocol import Negotiation, ProtocolDocument, ProtocolStore, SafetyProtocol
from airdecon.resolution import Advisory, ConflictResolution, Resolution, resolve
from airdecon.scenario import Scenario, demo_scenario_path, load_scenario, parse_scenario
from airdecon.state import Fleet
from airdecon.store import Event, NewEvent, Store, open_store

__version__ = "0.1.0"

__all__ = [
    "Advisory",
    "AirdeconError",
    "Conflict",
    "ConflictResolution",
    "ConflictSet",
    "Event",
    "Fleet",
    "HubKey",
    "InputError",
    "IntegrityError",
    "InternalError",
    "MalformedInput",
    "Negotiation",
    "NewEvent",
    "NotFound",
    "ProtocolDocument",
    "ProtocolError",
    "ProtocolStore",
    "RecordError",
    "Resolution",
    "SafetyProtocol",
    "Scenario",
    "ScenarioError",
    "Store",
    "StoreError",
    "WriteConflict",
    "__version__",
    "demo_scenario_path",
    "detect",
    "export_incident",
    "keep_freed_memory",
    "load_scenario",
    "open_store",
    "parse_scenario",
    "resolve",
    "verify_chain",
    "verify_export",
    "write_incident",
]
