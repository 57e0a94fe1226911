"""Scenario files: the engine's input contract (JSON or YAML), read and validated in one place.

::

    {"protocol": {"horizontal_nm": 5.0, "vertical_ft": 1000.0, "lookahead_s": 300.0},
     "aircraft": [{"id": "BLUE-01", "party": "BLUE", "lat": 35.1, "lon": 38.2,
                   "alt_ft": 25000, "gs_kt": 450, "trk_deg": 90, "vs_fpm": 0}]}

``protocol`` is optional (defaults: 5 NM, 1000 ft, 300 s). The text is read by the strict reader of
:mod:`airdecon.documents`: duplicate keys in an object are refused (a JSON parser would otherwise
silently keep the last one), and so are nesting beyond 32 levels, lone surrogates, integers of
more than 19 digits, NaN and infinities, and YAML's aliases beyond a bound, dates and non-string
keys; YAML files are limited to 1 MiB (larger fleets belong in JSON). Aircraft records are checked by
:func:`~airdecon.scenario._records.record_problems` first: unknown fields refused (with the nearest
known name), every problem listed at once with the values as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from airdecon.documents import load_json, load_yaml
from airdecon.errors import InputError, MalformedInput, ScenarioError
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


def parse_scenario(text: str | bytes, *, fmt: str = "json", source: str | None = None) -> Scenario:
    """Parse scenario text (``fmt`` is ``"json"`` or ``"yaml"``) into a :class:`Scenario`.

    The text is read by the strict reader of :mod:`airdecon.documents` (duplicate keys, depth,
    lone surrogates, huge or non-finite numbers, YAML aliases and dates: all refused).

    Raises
    ------
    ScenarioError
        Naming *source*, and the rule and where for text the reader refuses.
    """
    if fmt not in ("json", "yaml"):
        raise ScenarioError(f"unknown scenario format {fmt!r}", path=source)
    try:
        doc = load_json(text) if fmt == "json" else load_yaml(text)
    except MalformedInput as exc:
        raise ScenarioError(str(exc), path=source) from exc
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
        data = p.read_bytes()
    except OSError as exc:
        raise ScenarioError(f"cannot read: {exc.strerror or exc}", path=str(p)) from None
    if p.suffix.lower() == ".scn":
        from airdecon.scenario._bluesky import load_bluesky_scn

        fleet, protocol = load_bluesky_scn(p)
        return Scenario(fleet=fleet, protocol=protocol, source=str(p))
    fmt = "yaml" if p.suffix.lower() in {".yaml", ".yml"} else "json"
    return parse_scenario(data, fmt=fmt, source=str(p))


def demo_scenario_path() -> Path:
    """Path of the bundled demo scenario (three parties over the eastern Mediterranean)."""
    return Path(str(resources.files("airdecon.data").joinpath("demo_scenario.json")))
