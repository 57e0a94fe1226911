"""The protocol's ``advisories`` section: where no descent is advised, and where some pairs do not
alert. Signed like the rest of the document; aviation units here, SI in the engine.

``descent_floor_ft``
    No descent advisory for an aircraft below this altitude (default 1,500 ft; 0: none). TCAS
    inhibits descend RAs below 1,100 ft AGL and increase-descent below 1,450 ft; the line has no
    terrain model, so its floor is an altitude the parties agree on, higher by volume where the
    ground is (``floors``).
``floors``
    Higher (or lower) floors inside volumes: ``{name, polygon_deg, floor_ft?, ceiling_ft?,
    descent_floor_ft}``, e.g. a terminal area around an airport at 1,100 ft. Inside several, the
    largest applies.
``inhibitions``
    STCA-style inhibition volumes: ``{name, polygon_deg, floor_ft?, ceiling_ft?, pairs}``. A pair
    with both aircraft inside does not alert: two civil aircraft (``pairs: civil``, the default,
    e.g. parallel approaches) or any pair (``pairs: all``). At most 62 volumes.
``joint_max_aircraft``
    The largest cluster of aircraft in conflict whose manoeuvres are always searched jointly
    (default 12, 2–64); a larger one is searched jointly when the worst case of that search fits
    within its fair share of the search budget, and coordinated pair by pair, most urgent first,
    otherwise.
``response_delay_s``
    How long after an advisory its pilots are expected to fly it (default 0, at most 60 s): each
    manoeuvre is verified from then on, every aircraft on its current velocity until then.
``turn_rate_dps``
    The rate at which its pilots are expected to turn onto an advised track (default 0: at once;
    0.5-10 deg/s, 3 being the standard rate): each turn is then verified along the arc it is
    flown on, not as an instant change of track.
``search_budget_s``
    The resolver's search budget per run (default 10 s, up to 600), counted in pair predictions
    at the reference rate so that the same picture always gets the same advice; encounters left
    when it is spent get no advisory and say why.

The section was added after the first documents were signed: the document writes it only when
it differs from the defaults, so versions signed before it keep their bytes and digests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from airdecon.errors import ProtocolError
from airdecon.protocol._minima import _band_limits, _polygon
from airdecon.protocol._pairs import FloorVolume, InhibitionVolume
from airdecon.protocol._reader import _list, _number, _Obj, _text, _unique
from airdecon.units import FT

__all__ = ["AdvisoryRules", "FloorArea", "InhibitionArea"]

MAX_INHIBITIONS = 62
_PAIRS = ("civil", "all")


Polygon = tuple[tuple[float, float], ...]


def _m(ft: float | None) -> float | None:
    return None if ft is None else ft * FT


def _area(value: object, path: str) -> tuple[Any, str, Polygon, float | None, float | None]:

    o = _Obj(value, path)
    name = _text(o.get("name", required=True), o.at("name"))
    return o, name, _polygon(o), *_band_limits(o)


def _band(d: dict[str, Any], floor: float | None, ceiling: float | None) -> dict[str, Any]:
    return {**d, **({"floor_ft": floor} if floor is not None else {}),
            **({"ceiling_ft": ceiling} if ceiling is not None else {})}


@dataclass(frozen=True)
class FloorArea:
    """A descent floor inside a volume (feet)."""

    name: str
    polygon_deg: Polygon
    floor_ft: float | None
    ceiling_ft: float | None
    descent_floor_ft: float

    @classmethod
    def parse(cls, value: object, path: str) -> FloorArea:
        """Read one floor volume."""

        o, name, polygon, floor, ceiling = _area(value, path)
        descent = _number(o.get("descent_floor_ft", required=True), o.at("descent_floor_ft"),
                          ge=0.0, le=60_000.0)
        o.done()
        return cls(name, polygon, floor, ceiling, descent)

    def to_mapping(self) -> dict[str, Any]:
        """Normalised mapping."""
        return _band({"name": self.name, "polygon_deg": [list(p) for p in self.polygon_deg],
                      "descent_floor_ft": self.descent_floor_ft}, self.floor_ft, self.ceiling_ft)

    def to_si(self) -> FloorVolume:
        """The engine's view, in metres."""
        floor = self.descent_floor_ft * FT
        return FloorVolume(self.polygon_deg, _m(self.floor_ft), _m(self.ceiling_ft), floor)


@dataclass(frozen=True)
class InhibitionArea:
    """A volume where pairs of a kind (``civil`` or ``all``) with both aircraft inside do not alert."""

    name: str
    polygon_deg: Polygon
    floor_ft: float | None
    ceiling_ft: float | None
    pairs: str = "civil"

    @classmethod
    def parse(cls, value: object, path: str) -> InhibitionArea:
        """Read one inhibition volume."""
        o, name, polygon, floor, ceiling = _area(value, path)
        pairs = o.get("pairs", "civil")
        if pairs not in _PAIRS:
            raise ProtocolError(f"{o.at('pairs')}: must be one of {list(_PAIRS)}, got {pairs!r:.80}")
        o.done()
        return cls(name, polygon, floor, ceiling, str(pairs))

    def to_mapping(self) -> dict[str, Any]:
        """Normalised mapping."""
        return _band({"name": self.name, "polygon_deg": [list(p) for p in self.polygon_deg],
                      "pairs": self.pairs}, self.floor_ft, self.ceiling_ft)

    def to_si(self) -> InhibitionVolume:
        """The engine's view, in metres."""
        return InhibitionVolume(self.polygon_deg, _m(self.floor_ft), _m(self.ceiling_ft), self.pairs)


@dataclass(frozen=True)
class AdvisoryRules:
    """The ``advisories`` section (see the module docstring)."""

    descent_floor_ft: float = 1500.0
    floors: tuple[FloorArea, ...] = ()
    inhibitions: tuple[InhibitionArea, ...] = ()
    joint_max_aircraft: int = 12
    search_budget_s: float = 10.0
    response_delay_s: float = 0.0
    turn_rate_dps: float = 0.0

    @classmethod
    def parse(cls, value: object, path: str) -> AdvisoryRules:
        """Read the section; missing fields take the defaults."""

        o = _Obj(value, path)
        floor = _number(o.get("descent_floor_ft", 1500.0), o.at("descent_floor_ft"), ge=0.0, le=60_000.0)
        floors = [FloorArea.parse(f, f"{o.at('floors')}[{n}]")
                  for n, f in enumerate(_list(o.get("floors", []), o.at("floors")))]
        _unique(floors, o.at("floors"), "name", lambda f: f.name)
        raw = _list(o.get("inhibitions", []), o.at("inhibitions"))
        if len(raw) > MAX_INHIBITIONS:
            raise ProtocolError(f"{o.at('inhibitions')}: at most {MAX_INHIBITIONS} volumes, got {len(raw)}")
        inhibitions = [InhibitionArea.parse(f, f"{o.at('inhibitions')}[{n}]") for n, f in enumerate(raw)]
        _unique(inhibitions, o.at("inhibitions"), "name", lambda f: f.name)
        joint = o.get("joint_max_aircraft", 12)
        if isinstance(joint, bool) or not isinstance(joint, int) or not 2 <= joint <= 64:
            raise ProtocolError(f"{o.at('joint_max_aircraft')}: must be a whole number from 2 to 64, "
                                f"got {joint!r:.80}")
        budget = _number(o.get("search_budget_s", 10.0), o.at("search_budget_s"), ge=0.1, le=600.0)
        delay = _number(o.get("response_delay_s", 0.0), o.at("response_delay_s"), ge=0.0, le=60.0)
        rate = _number(o.get("turn_rate_dps", 0.0), o.at("turn_rate_dps"), ge=0.0, le=10.0)
        if 0.0 < rate < 0.5:
            raise ProtocolError(f"{o.at('turn_rate_dps')}: must be 0 (at once) or at least 0.5, got {rate!r}")
        o.done()
        return cls(floor, tuple(floors), tuple(inhibitions), joint, budget, delay, rate)

    def to_mapping(self) -> dict[str, Any]:
        """Normalised mapping (the search settings only when they differ from the defaults, so
        the documents signed before they existed keep their bytes)."""
        out: dict[str, Any] = {"descent_floor_ft": self.descent_floor_ft,
                               "floors": [f.to_mapping() for f in self.floors],
                               "inhibitions": [f.to_mapping() for f in self.inhibitions]}
        if self.joint_max_aircraft != 12:
            out["joint_max_aircraft"] = self.joint_max_aircraft
        if self.search_budget_s != 10.0:
            out["search_budget_s"] = self.search_budget_s
        if self.response_delay_s != 0.0:
            out["response_delay_s"] = self.response_delay_s
        if self.turn_rate_dps != 0.0:
            out["turn_rate_dps"] = self.turn_rate_dps
        return out
