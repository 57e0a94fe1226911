"""Scenario files: the engine's input contract (JSON or YAML), read and validated in one place.

::

    {"protocol": {"horizontal_nm": 5.0, "vertical_ft": 1000.0, "lookahead_s": 300.0},
     "aircraft": [{"id": "BLUE-01", "party": "BLUE", "lat": 35.1, "lon": 38.2,
                   "alt_ft": 25000, "gs_kt": 450, "trk_deg": 90, "vs_fpm": 0}]}

``protocol`` is optional (defaults: 5 NM, 1000 ft, 300 s). Duplicate keys in an object are refused
(a JSON parser would otherwise silently keep the last one). Aircraft records are checked by
:func:`~airdecon.scenario._records.record_problems` first: unknown fields refused (with the nearest
known name), every problem listed at once with the values as written.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from airdecon.errors import InputError, ScenarioError
from airdecon.protocol import SafetyProtocol
from airdecon.scenario._records import record_problems
from airdecon.state import Fleet

__all__ = ["Scenario", "demo_scenario_path", "load_scenario", "parse_scenario"]

MAX_SCENARIO_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Scenario:
    """A fleet and the protocol to judge it by."""

    fleet: Fleet
    protocol: SafetyProtocol
    source: str | None = None


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ScenarioError(f"duplicate key {key!r} in an object")
        out[key] = value
    return out


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses duplicate mapping keys."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    pairs = loader.construct_pairs(node, deep=True)
    return _no_duplicates(pairs)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_scenario(text: str, *, fmt: str = "json", source: str | None = None) -> Scenario:
    """Parse scenario text (``fmt`` is ``"json"`` or ``"yaml"``) into a :class:`Scenario`."""
    try:
        if fmt == "json":
            doc = json.loads(text, object_pairs_hook=_no_duplicates)
        elif fmt == "yaml":
            doc = yaml.load(text, Loader=_UniqueKeyLoader)
        else:
            raise ScenarioError(f"unknown scenario format {fmt!r}", path=source)
    except ScenarioError as exc:
        raise ScenarioError(str(exc), path=source) from None
    except json.JSONDecodeError as exc:
        raise ScenarioError(f"invalid JSON: {exc}", path=source) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"invalid YAML: {exc}", path=source) from None
    if not isinstance(doc, Mapping):
        raise ScenarioError("a scenario must be an object with an 'aircraft' list", path=source)
    unknown = sorted(set(doc) - {"protocol", "aircraft"})
    if unknown:
        raise ScenarioError(f"unknown top-level field(s) {unknown}", path=source)
    if "aircraft" not in doc:
        raise ScenarioError("missing field 'aircraft'", path=source)
    aircraft = doc["aircraft"]
    if not isinstance(aircraft, list):
        raise ScenarioError("'aircraft' must be a list", path=source)
    problems, total = record_problems(aircraft)
    if total == 1:
        raise ScenarioError(problems[0], path=source)
    if total:
        more = f"\n  ... and {total - len(problems)} more" if total > len(problems) else ""
        listed = "".join(f"\n  {p}" for p in problems)
        raise ScenarioError(f"{total} problems in the aircraft records:{listed}{more}", path=source)
    try:
        protocol = SafetyProtocol.from_mapping(doc.get("protocol"))
        fleet = Fleet.from_records(aircraft)
    except InputError as exc:
        raise ScenarioError(str(exc), path=source) from exc
    except ValueError as exc:  # ProtocolError
        raise ScenarioError(str(exc), path=source) from exc
    return Scenario(fleet=fleet, protocol=protocol, source=source)


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario file; ``.yaml``/``.yml`` are YAML, ``.scn`` a BlueSky scenario, else JSON.

    Raises
    ------
    ScenarioError
        When the file cannot be read or parsed; with the record and field for a bad aircraft.
    """
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_SCENARIO_BYTES:
            raise ScenarioError(f"file too large ({size} bytes)", path=str(p))
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"cannot read: {exc.strerror or exc}", path=str(p)) from None
    except UnicodeDecodeError:
        raise ScenarioError("not UTF-8 text", path=str(p)) from None
    if p.suffix.lower() == ".scn":
        from airdecon.scenario._bluesky import load_bluesky_scn

        fleet, protocol = load_bluesky_scn(p)
        return Scenario(fleet=fleet, protocol=protocol, source=str(p))
    fmt = "yaml" if p.suffix.lower() in {".yaml", ".yml"} else "json"
    return parse_scenario(text, fmt=fmt, source=str(p))


def demo_scenario_path() -> Path:
    """Path of the bundled demo scenario (three parties over the eastern Mediterranean)."""
    return Path(str(resources.files("airdecon.data").joinpath("demo_scenario.json")))
