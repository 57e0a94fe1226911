"""The protocol document: the versioned agreement every party signs, read, validated and normalised.

One document says who the parties are (with their Ed25519 public keys and 24-hour points of
contact), which separation minima apply where, the look-ahead and alert thresholds, the distress
frequencies and codes and what a party must do on receipt, the rules of the air in force, which
pairs are watched, and which aircraft fly in formation. The format is given in full, with an
example, in ``docs/protocol.md``. Aviation units live in the document (the unit is in each field
name); :attr:`ProtocolDocument.rules` gives the engine its :class:`SafetyProtocol` in SI units.

Validation refuses unknown fields and names the offending field in every message, as a path:
``minima.volumes[0].polygon_deg: needs at least 3 distinct points, got 2``. The normalised form
(:meth:`ProtocolDocument.to_mapping`) writes every default out, so what a party signs does not
depend on the defaults of the airdecon version that reads it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

import numpy as np

from airdecon.errors import ProtocolError
from airdecon.protocol._advisories import AdvisoryRules
from airdecon.protocol._canonical import canonical_bytes, digest_of, read_text
from airdecon.protocol._limits import DisclosureRules, Quotas
from airdecon.protocol._pairs import (
    AirspaceVolume,
    AltitudeBand,
    FormationSpec,
    PairPolicy,
    PartyWatch,
    unwrap_lons,
)
from airdecon.protocol._rules import RulesOfTheAir, SafetyProtocol
from airdecon.protocol._signing import parse_public_key
from airdecon.units import FT, KT, NM

__all__ = [
    "ADSB_EMERGENCY_VALUES",
    "FORMAT",
    "Alerting",
    "AltitudeBandMinima",
    "Contact",
    "DistressRules",
    "Formation",
    "Minima",
    "Party",
    "ProtocolDocument",
    "VolumeMinima",
]

FORMAT = "airdecon.protocol/1"
"""The value of the ``format`` field this version of airdecon reads and writes."""
PLAN_BUFFER_S = 300.0  # the default time buffer between planned operations' windows (s)

Role = Literal["party", "coalition", "civil"]
ROLES: tuple[str, ...] = ("party", "coalition", "civil")
PARTY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
"""What a party id may be (it also names files in a protocol directory)."""
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_SQUAWK = re.compile(r"^[0-7]{4}$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ().-]{4,}$")


# ---------------------------------------------------------------------------------------------------
# A small strict reader: each helper names the field path in its error.
class _Obj:
    """Fields of one JSON object at *path*; :meth:`done` refuses any field that was not read."""

    def __init__(self, value: object, path: str) -> None:
        if not isinstance(value, Mapping):
            raise ProtocolError(f"{path or '<document>'}: must be an object, got {_kind(value)}")
        for key in value:
            if not isinstance(key, str):
                raise ProtocolError(f"{path or '<document>'}: field names must be strings, got {key!r}")
        self.m = value
        self.path = path
        self.seen: set[str] = set()

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def has(self, key: str) -> bool:
        return key in self.m and self.m[key] is not None

    def get(self, key: str, default: Any = None, *, required: bool = False) -> Any:
        self.seen.add(key)
        if key not in self.m or self.m[key] is None:
            if required:
                raise ProtocolError(f"{self.at(key)}: missing")
            return default
        return self.m[key]

    def done(self) -> None:
        unknown = sorted(set(self.m) - self.seen)
        if unknown:
            where = self.path or "<document>"
            raise ProtocolError(f"{where}: unknown field(s) {unknown}; known fields are {sorted(self.seen)}")


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _number(
    value: object,
    path: str,
    *,
    gt: float | None = None,
    ge: float | None = None,
    le: float | None = None,
    lt: float | None = None,
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProtocolError(f"{path}: must be a number, got {value!r}")
    x = float(value)
    if not math.isfinite(x):
        raise ProtocolError(f"{path}: must be finite, got {value!r}")
    if gt is not None and not x > gt:
        raise ProtocolError(f"{path}: must be > {gt:g}, got {value!r}")
    if ge is not None and not x >= ge:
        raise ProtocolError(f"{path}: must be >= {ge:g}, got {value!r}")
    if le is not None and not x <= le:
        raise ProtocolError(f"{path}: must be <= {le:g}, got {value!r}")
    if lt is not None and not x < lt:
        raise ProtocolError(f"{path}: must be < {lt:g}, got {value!r}")
    return x


def _int(value: object, path: str, *, ge: int | None = None, le: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProtocolError(f"{path}: must be an integer, got {value!r}")
    if ge is not None and value < ge:
        raise ProtocolError(f"{path}: must be >= {ge}, got {value}")
    if le is not None and value > le:
        raise ProtocolError(f"{path}: must be <= {le}, got {value}")
    return value


def _text(value: object, path: str, *, pattern: re.Pattern[str] | None = None, what: str = "") -> str:
    if not isinstance(value, str) or not value.strip():
        raise ProtocolError(f"{path}: must be a non-empty string, got {value!r}")
    if pattern is not None and not pattern.match(value):
        raise ProtocolError(f"{path}: {what or 'invalid value'}, got {value!r}")
    return value


def _bool(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise ProtocolError(f"{path}: must be true or false, got {value!r}")
    return value


def _list(value: object, path: str, *, min_len: int = 0) -> list[Any]:
    if not isinstance(value, list):
        raise ProtocolError(f"{path}: must be a list, got {_kind(value)}")
    if len(value) < min_len:
        raise ProtocolError(f"{path}: needs at least {min_len} item(s), got {len(value)}")
    return value


def _unique(items: list[Any], path: str, what: str, key: Callable[[Any], object] = lambda x: x) -> None:
    seen: dict[object, int] = {}
    for n, item in enumerate(items):
        k = key(item)
        if k in seen:
            raise ProtocolError(f"{path}[{n}]: duplicate {what} {k!r} (also at [{seen[k]}])")
        seen[k] = n


def _plain(value: Any) -> Any:
    """A section given as objects (Party, Minima, RulesOfTheAir, tuples of them) as plain mappings."""
    if isinstance(value, RulesOfTheAir):
        return _rules_of_the_air_mapping(value)
    if hasattr(value, "to_mapping"):
        return value.to_mapping()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


# ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Contact:
    """A 24-hour point of contact: who to call, on what."""

    name: str
    phone: str
    email: str | None = None

    @classmethod
    def parse(cls, value: object, path: str) -> Contact:
        """Read one contact object (fields ``name``, ``phone``, optional ``email``)."""
        o = _Obj(value, path)
        name = _text(o.get("name", required=True), o.at("name"))
        phone = _text(
            o.get("phone", required=True), o.at("phone"), pattern=_PHONE, what="must be a phone number"
        )
        email = o.get("email")
        if email is not None:
            email = _text(email, o.at("email"))
            if "@" not in email:
                raise ProtocolError(f"{o.at('email')}: must be an e-mail address, got {email!r}")
        o.done()
        return cls(name=name, phone=phone, email=email)

    def to_mapping(self) -> dict[str, Any]:
        """Normalised mapping."""
        return _drop_none({"name": self.name, "phone": self.phone, "email": self.email})


@dataclass(frozen=True)
class Party:
    """One party to the protocol.

    Attributes
    ----------
    id : str
        The party id, as aircraft carry it in ``Fleet.party``.
    name : str
        Human-readable name.
    role : {"party", "coalition", "civil"}
        ``coalition``: a member adhering under a lead party (``lead``); ``civil``: civil traffic,
        each aircraft its own operator.
    signing_key : str
        Ed25519 public key, ``ed25519:<base64>``.
    contacts : tuple of Contact
        24-hour points of contact (at least one).
    lead : str or None
        For a coalition member, the lead party's id.
    watch_own_pairs : bool
        Whether pairs of this party's own aircraft are watched (default false).
    """

    id: str
    name: str
    role: Role
    signing_key: str
    contacts: tuple[Contact, ...]
    lead: str | None = None
    watch_own_pairs: bool = False

    @classmethod
    def parse(cls, value: object, path: str) -> Party:
        """Read one party object."""
        o = _Obj(value, path)
        pid = _text(
            o.get("id", required=True),
            o.at("id"),
            pattern=PARTY_ID,
            what="must be 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit",
        )
        name = _text(o.get("name", required=True), o.at("name"))
        role = o.get("role", required=True)
        if role not in ROLES:
            raise ProtocolError(f"{o.at('role')}: must be one of {list(ROLES)}, got {role!r}")
        key = o.get("signing_key", required=True)
        parse_public_key(key, where=o.at("signing_key"))
        contacts_raw = _list(o.get("contacts", required=True), o.at("contacts"), min_len=1)
        contacts = tuple(Contact.parse(c, f"{o.at('contacts')}[{n}]") for n, c in enumerate(contacts_raw))
        lead = o.get("lead")
        if role == "coalition":
            lead = _text(o.get("lead", required=True), o.at("lead"))
        elif lead is not None:
            raise ProtocolError(f"{o.at('lead')}: only a coalition member names a lead (role is {role!r})")
        watch_own = _bool(o.get("watch_own_pairs", False), o.at("watch_own_pairs"))
        o.done()
        return cls(
            id=pid,
            name=name,
            role=role,
            signing_key=key,
            contacts=contacts,
            lead=lead,
            watch_own_pairs=watch_own,
        )

    def to_mapping(self) -> dict[str, Any]:
        """Normalised mapping."""
        return _drop_none(
            {
                "id": self.id,
                "name": self.name,
                "role": self.role,
                "lead": self.lead,
                "signing_key": self.signing_key,
                "contacts": [c.to_mapping() for c in self.contacts],
                "watch_own_pairs": self.watch_own_pairs,
            }
        )


def _band_limits(o: _Obj) -> tuple[float | None, float | None]:
    floor = o.get("floor_ft")
    ceiling = o.get("ceiling_ft")
    f = None if floor is None else _number(floor, o.at("floor_ft"), ge=-2000.0, le=200_000.0)
    c = None if ceiling is None else _number(ceiling, o.at("ceiling_ft"), ge=-2000.0, le=200_000.0)
    if f is not None and c is not None and not f < c:
        raise ProtocolError(f"{o.at('ceiling_ft')}: must be above floor_ft ({f:g}), got {c:g}")
    return f, c


def _override_minima(o: _Obj) -> tuple[float | None, float | None]:
    h = o.get("horizontal_nm")
    v = o.get("vertical_ft")
    hn = None if h is None else _number(h, o.at("horizontal_nm"), gt=0.0)
    vf = None if v is None else _number(v, o.at("vertical_ft"), gt=0.0)
    if hn is None and vf is None:
        raise ProtocolError(f"{o.path}: sets neither horizontal_nm nor vertical_ft")
    return hn, vf


@dataclass(frozen=True)
class AltitudeBandMinima:
    """Minima over an altitude band ``floor_ft < altitude <= ceiling_ft`` (either side may be open)."""

    name: str
    floor_ft: float | None
    ceiling_ft: float | None
    horizontal_nm: float | None
    vertical_ft: float | None

    @classmethod
    def parse(cls, value: object, path: str) -> AltitudeBandMinima:
        """Read one altitude-band override."""
        o = _Obj(value, path)
        name = _text(o.get("name", required=True), o.at("name"))
        floor, ceiling = _band_limits(o)
        if floor is None and ceiling is None:
            raise ProtocolError(f"{path}: an altitude band needs floor_ft or ceiling_ft")
        h, v = _override_minima(o)
        o.done()
        return cls(name, floor, ceiling, h, v)

    def to_mapping(self) -> dict[str, Any]:
        """Normalised mapping."""
        return _drop_none(
            {
                "name": self.name,
                "floor_ft": self.floor_ft,
                "ceiling_ft": self.ceiling_ft,
                "horizontal_nm": self.horizontal_nm,
                "vertical_ft": self.vertical_ft,
            }
        )

    def to_si(self) -> AltitudeBand:
        """The engine's view, in metres."""
        return AltitudeBand(
            floor_m=None if self.floor_ft is None else self.floor_ft * FT,
            ceiling_m=None if self.ceiling_ft is None else self.ceiling_ft * FT,
            horizontal_m=None if self.horizontal_nm is None else self.horizontal_nm * NM,
            vertical_m=None if self.vertical_ft is None else self.vertical_ft * FT,
        )


def _polygon(o: _Obj) -> tuple[tuple[float, float], ...]:
    """The ``polygon_deg`` of a volume: ``[lat, lon]`` points in degrees, at least 3 distinct,
    spanning less than 180 degrees of longitude."""
    where = o.at("polygon_deg")
    raw = _list(o.get("polygon_deg", required=True), where)
    points: list[tuple[float, float]] = []
    for n, pt in enumerate(raw):
        if not isinstance(pt, list) or len(pt) != 2:
            raise ProtocolError(f"{where}[{n}]: must be a [lat, lon] pair, got {pt!r}")
        lat = _number(pt[0], f"{where}[{n}][0] (latitude)", ge=-90.0, le=90.0)
        lon = _number(pt[1], f"{where}[{n}][1] (longitude)", ge=-180.0, le=180.0)
        points.append((lat, lon))
    if len(set(points)) < 3:
        raise ProtocolError(f"{where}: needs at least 3 distinct points, got {len(set(points))}")
    lons = unwrap_lons(np.array([p[1] for p in points]))
    if float(lons.max() - lons.min()) >= 180.0:
        raise ProtocolError(f"{where}: must span less than 180 degrees of longitude")
    return tuple(points)


@dataclass(frozen=True)
class VolumeMinima:
    """Minima inside an airspace volume: a lat/lon polygon and an optional altitude band."""

    name: str
    polygon_deg: tuple[tuple[float, float], ...]
    floor_ft: float | None
    ceiling_ft: float | None
    horizontal_nm: float | None
    vertical_ft: float | None

    @classmethod
    def parse(cls, value: object, path: str) -> VolumeMinima:
        """Read one volume override; ``polygon_deg`` is a list of ``[lat, lon]`` in degrees."""
        o = _Obj(value, path)
        name = _text(o.get("name", required=True), o.at("name"))
        points = _polygon(o)
        floor, ceiling = _band_limits(o)
        h, v = _override_minima(o)
        o.done()
        return cls(name, points, floor, ceiling, h, v)

    def to_mapping(self) -> dict[str, Any]:
        """Normalised mapping."""
        return _drop_none(
            {
                "name": self.name,
                "polygon_deg": [[lat, lon] for lat, lon in self.polygon_deg],
                "floor_ft": self.floor_ft,
                "ceiling_ft": self.ceiling_ft,
                "horizontal_nm": self.horizontal_nm,
                "vertical_ft": self.vertical_ft,
            }
        )

    def to_si(self) -> AirspaceVolume:
        """The engine's view, in metres."""
        return AirspaceVolume(
            polygon_deg=self.polygon_deg,
            floor_m=None if self.floor_ft is None else self.floor_ft * FT,
            ceiling_m=None if self.ceiling_ft is None else self.ceiling_ft * FT,
            horizontal_m=None if self.horizontal_nm is None else self.horizontal_nm * NM,
            vertical_m=None if self.vertical_ft is None else self.vertical_ft * FT,
        )


@dataclass(frozen=True)
class Minima:
    """Separation minima: a default and overrides by altitude band and by airspace volume."""

    horizontal_nm: float = 5.0
    vertical_ft: float = 1000.0
    altitude_bands: tuple[AltitudeBandMinima, ...] = ()
    volumes: tuple[VolumeMinima, ...] = ()
    #: the time buffer between planned operations' windows (s); written only when not 300, so
    #: that documents signed before it existed keep their canonical bytes
    plan_buffer_s: float = PLAN_BUFFER_S

    @classmethod
    def parse(cls, value: object, path: str) -> Minima:
        """Read the ``minima`` object (``default``, ``altitude_bands``, ``volumes``)."""
        o = _Obj(value, path)
        d = _Obj(o.get("default", {}), o.at("default"))
        h = _number(d.get("horizontal_nm", 5.0), d.at("horizontal_nm"), gt=0.0)
        v = _number(d.get("vertical_ft", 1000.0), d.at("vertical_ft"), gt=0.0)
        d.done()
        bands_raw = _list(o.get("altitude_bands", []), o.at("altitude_bands"))
        bands = [
            AltitudeBandMinima.parse(b, f"{o.at('altitude_bands')}[{n}]") for n, b in enumerate(bands_raw)
        ]
        _unique(bands, o.at("altitude_bands"), "name", lambda b: b.name)
        vols_raw = _list(o.get("volumes", []), o.at("volumes"))
        vols = [VolumeMinima.parse(b, f"{o.at('volumes')}[{n}]") for n, b in enumerate(vols_raw)]
        _unique(vols, o.at("volumes"), "name", lambda b: b.name)
        buffer = _number(o.get("plan_buffer_s", PLAN_BUFFER_S), o.at("plan_buffer_s"), ge=0.0, le=86400.0)
        o.done()
        return cls(h, v, tuple(bands), tuple(vols), buffer)

    def to_mapping(self) -> dict[str, Any]:
        """Normalised mapping."""
        return {
            "default": {"horizontal_nm": self.horizontal_nm, "vertical_ft": self.vertical_ft},
            "altitude_bands": [b.to_mapping() for b in self.altitude_bands],
            "volumes": [b.to_mapping() for b in self.volumes],
            **({"plan_buffer_s": self.plan_buffer_s} if self.plan_buffer_s != PLAN_BUFFER_S else {}),
        }


@dataclass(frozen=True)
class Alerting:
    """Look-ahead, alert thresholds, track staleness and uncertainty (maps onto SafetyProtocol)."""

    lookahead_s: float = 300.0
    caution_s: float = 120.0
    warning_s: float = 60.0
    stale_s: float = 15.0
    drop_s: float = 60.0
    position_error_nm: float = 0.0
    velocity_error_kt: float = 0.0

    @classmethod
    def parse(cls, value: object, path: str) -> Alerting:
        """Read the ``alerting`` object."""
        o = _Obj(value, path)
        d = cls()
        kw: dict[str, float] = {}
        for name in ("lookahead_s", "caution_s", "warning_s", "stale_s", "drop_s"):
            kw[name] = _number(o.get(name, getattr(d, name)), o.at(name), gt=0.0)
        for name in ("position_error_nm", "velocity_error_kt"):
            kw[name] = _number(o.get(name, getattr(d, name)), o.at(name), ge=0.0)
        o.done()
        if kw["warning_s"] > kw["caution_s"]:
            raise ProtocolError(f"{o.at('warning_s')}: must not exceed caution_s ({kw['caution_s']:g})")
        if kw["stale_s"] > kw["drop_s"]:
            raise ProtocolError(f"{o.at('stale_s')}: must not exceed drop_s ({kw['drop_s']:g})")
        return cls(**kw)

    def to_mapping(self) -> dict[str, Any]:
        """Normalised mapping."""
        return {
            "lookahead_s": self.lookahead_s,
            "caution_s": self.caution_s,
            "warning_s": self.warning_s,
            "stale_s": self.stale_s,
            "drop_s": self.drop_s,
            "position_error_nm": self.position_error_nm,
            "velocity_error_kt": self.velocity_error_kt,
        }


#: ADS-B emergency/priority status values that mean distress or urgency (STANDARDS §4.3):
#: 1 general emergency, 2 lifeguard/medical, 3 minimum fuel, 4 no communications,
#: 5 unlawful interference, 6 downed aircraft. 0 is "no emergency" and 7 is reserved.
ADSB_EMERGENCY_VALUES: tuple[int, ...] = (1, 2, 3, 4, 5, 6)


@dataclass(frozen=True)
class DistressRules:
    """Common distress frequencies, the codes that mean distress, and the duty on receipt.

    Attributes
    ----------
    frequencies_mhz : tuple of float
        Frequencies every party guards (default 121.5 and 243.0 MHz).
    squawk_codes : tuple of str
        SSR codes that mean distress (default 7500, 7600, 7700).
    adsb_emergency_status : tuple of int
        ADS-B emergency status values that mean distress (default 1-6).
    acknowledge_within_s : float
        A party receiving a distress indication about or near its aircraft acknowledges it on the
        line within this many seconds (default 30).
    escalate_after_s : float
        Without an acknowledgement, the line escalates to the parties' 24-hour points of contact
        after this many seconds (default 120; not less than ``acknowledge_within_s``).
    """

    frequencies_mhz: tuple[float, ...] = (121.5, 243.0)
    squawk_codes: tuple[str, ...] = ("7500", "7600", "7700")
    adsb_emergency_status: tuple[int, ...] = ADSB_EMERGENCY_VALUES
    acknowledge_within_s: float = 30.0
    escalate_after_s: float = 120.0

    @classmethod
    def parse(cls, value: object, path: str) -> DistressRules:
        """Read the ``distress`` object."""
        o = _Obj(value, path)
        d = cls()
        fw = o.at("frequencies_mhz")
        freqs = [
            _number(f, f"{fw}[{n}]", gt=0.0, le=1.0e5)
            for n, f in enumerate(_list(o.get("frequencies_mhz", list(d.frequencies_mhz)), fw, min_len=1))
        ]
        _unique(freqs, fw, "frequency")
        sw = o.at("squawk_codes")
        codes: list[str] = []
        for n, c in enumerate(_list(o.get("squawk_codes", list(d.squawk_codes)), sw)):
            if isinstance(c, int) and not isinstance(c, bool):
                c = f"{c:04d}"
            codes.append(_text(c, f"{sw}[{n}]", pattern=_SQUAWK, what="must be a 4-digit octal SSR code"))
        _unique(codes, sw, "code")
        aw = o.at("adsb_emergency_status")
        status = [
            _int(v, f"{aw}[{n}]", ge=1, le=6)
            for n, v in enumerate(_list(o.get("adsb_emergency_status", list(d.adsb_emergency_status)), aw))
        ]
        _unique(status, aw, "value")
        r = _Obj(o.get("on_receipt", {}), o.at("on_receipt"))
        ack = _number(
            r.get("acknowledge_within_s", d.acknowledge_within_s), r.at("acknowledge_within_s"), gt=0
        )
        esc = _number(r.get("escalate_after_s", d.escalate_after_s), r.at("escalate_after_s"), gt=0)
        r.done()
        if esc < ack:
            raise ProtocolError(
                f"{r.at('escalate_after_s')}: must not be less than acknowledge_within_s ({ack:g})"
            )
        o.done()
        return cls(tuple(sorted(freqs)), tuple(sorted(codes)), tuple(sorted(status)), ack, esc)

    def to_mapping(self) -> dict[str, Any]:
        """Normalised mapping."""
        return {
            "frequencies_mhz": list(self.frequencies_mhz),
            "squawk_codes": list(self.squawk_codes),
            "adsb_emergency_status": list(self.adsb_emergency_status),
            "on_receipt": {
                "acknowledge_within_s": self.acknowledge_within_s,
                "escalate_after_s": self.escalate_after_s,
            },
        }

    def means_distress(self, *, squawk: str | None = None, adsb_emergency_status: int | None = None) -> bool:
        """Whether a squawk code or an ADS-B emergency status value means distress under this protocol."""
        return (squawk is not None and squawk in self.squawk_codes) or (
            adsb_emergency_status is not None and adsb_emergency_status in self.adsb_emergency_status
        )


def _parse_rules_of_the_air(value: object, path: str) -> RulesOfTheAir:
    o = _Obj(value, path)
    d = RulesOfTheAir()
    r = RulesOfTheAir(
        head_on_deg=_number(o.get("head_on_deg", d.head_on_deg), o.at("head_on_deg"), gt=0.0, lt=90.0),
        overtaking_deg=_number(
            o.get("overtaking_deg", d.overtaking_deg), o.at("overtaking_deg"), gt=0.0, le=90.0
        ),
        vertical_advisories=_bool(
            o.get("vertical_advisories", d.vertical_advisories), o.at("vertical_advisories")
        ),
        follow_tcas=_bool(o.get("follow_tcas", d.follow_tcas), o.at("follow_tcas")),
    )
    o.done()
    return r


def _rules_of_the_air_mapping(r: RulesOfTheAir) -> dict[str, Any]:
    return {
        "head_on_deg": r.head_on_deg,
        "overtaking_deg": r.overtaking_deg,
        "vertical_advisories": r.vertical_advisories,
        "follow_tcas": r.follow_tcas,
    }


@dataclass(frozen=True)
class Formation:
    """Aircraft a party declares as flying together.

    Members are never alerted against each other; any other aircraft is kept clear of the formation
    as a whole: a pair with a member gets ``extent_nm`` added to its horizontal minimum and
    ``extent_ft`` to its vertical minimum (every member flies within that distance of the others;
    defaults 1 NM and 100 ft, the standard formation of the FAA Pilot/Controller Glossary).
    """

    id: str
    party: str
    aircraft: tuple[str, ...]
    extent_nm: float = 1.0
    extent_ft: float = 100.0

    @classmethod
    def parse(cls, value: object, path: str) -> Formation:
        """Read one formation object."""
        o = _Obj(value, path)
        fid = _text(o.get("id", required=True), o.at("id"))
        party = _text(o.get("party", required=True), o.at("party"))
        aw = o.at("aircraft")
        aircraft = [_text(a, f"{aw}[{n}]") for n, a in enumerate(_list(o.get("aircraft", required=True), aw))]
        if len(aircraft) < 2:
            raise ProtocolError(f"{aw}: a formation needs at least 2 aircraft, got {len(aircraft)}")
        _unique(aircraft, aw, "aircraft")
        ext_nm = _number(o.get("extent_nm", 1.0), o.at("extent_nm"), ge=0.0, le=50.0)
        ext_ft = _number(o.get("extent_ft", 100.0), o.at("extent_ft"), ge=0.0, le=10_000.0)
        o.done()
        return cls(fid, party, tuple(aircraft), ext_nm, ext_ft)

    def to_mapping(self) -> dict[str, Any]:
        """Normalised mapping."""
        return {
            "id": self.id,
            "party": self.party,
            "aircraft": list(self.aircraft),
            "extent_nm": self.extent_nm,
            "extent_ft": self.extent_ft,
        }


# ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProtocolDocument:
    """One version of the protocol, validated and normalised.

    Build with :meth:`parse` (text) or :meth:`from_mapping`; the constructor does not validate.
    Two documents with the same meaning have the same :meth:`canonical_bytes` and :attr:`digest`.

    Attributes
    ----------
    title : str
        What the agreement is called.
    revision : int
        1 for a first proposal; a version derived from another has its parent's revision + 1.
    parent : str or None
        Digest (``sha256:...``) of the version this one counters or amends.
    parties, minima, alerting, distress, rules_of_the_air, formations, disclosure, quotas, advisories
        The sections of the document (see ``docs/protocol.md``).
    """

    title: str
    parties: tuple[Party, ...]
    minima: Minima = field(default_factory=Minima)
    alerting: Alerting = field(default_factory=Alerting)
    distress: DistressRules = field(default_factory=DistressRules)
    rules_of_the_air: RulesOfTheAir = field(default_factory=RulesOfTheAir)
    formations: tuple[Formation, ...] = ()
    revision: int = 1
    parent: str | None = None
    disclosure: DisclosureRules = field(default_factory=DisclosureRules)
    quotas: Quotas = field(default_factory=Quotas)
    advisories: AdvisoryRules = field(default_factory=AdvisoryRules)

    # ---- reading --------------------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str | bytes, *, fmt: str = "auto", source: str = "<document>") -> ProtocolDocument:
        """Read and validate document text (JSON or YAML, by the strict reader of
        :mod:`airdecon.documents`: duplicate keys, depth, huge numbers, YAML aliases refused).

        Raises
        ------
        ProtocolError
            Naming *source* and the field path (or line) of the first problem.
        """
        raw = read_text(text, fmt=fmt, source=source)
        try:
            return cls.from_mapping(raw)
        except ProtocolError as exc:
            raise ProtocolError(f"{source}: {exc}") from None

    @classmethod
    def from_mapping(cls, value: object) -> ProtocolDocument:
        """Validate a parsed document (a mapping as read from JSON/YAML).

        Raises
        ------
        ProtocolError
            Naming the field path of the first problem.
        """
        o = _Obj(value, "")
        fmt = o.get("format", required=True)
        if fmt != FORMAT:
            raise ProtocolError(f"format: must be {FORMAT!r}, got {fmt!r}")
        title = _text(o.get("title", required=True), "title")
        revision = _int(o.get("revision", 1), "revision", ge=1)
        parent = o.get("parent")
        if parent is not None:
            parent = _text(
                parent, "parent", pattern=_DIGEST, what="must be 'sha256:' and 64 lowercase hex digits"
            )
        if revision == 1 and parent is not None:
            raise ProtocolError("revision: a version with a parent has revision >= 2")
        if revision > 1 and parent is None:
            raise ProtocolError(
                f"parent: missing (revision {revision} must name the version it derives from)"
            )

        parties_raw = _list(o.get("parties", required=True), "parties", min_len=2)
        parties = [Party.parse(p, f"parties[{n}]") for n, p in enumerate(parties_raw)]
        _unique(parties, "parties", "party id", lambda p: p.id)
        _unique(parties, "parties", "signing key", lambda p: p.signing_key)
        roles = {p.id: p.role for p in parties}
        for n, p in enumerate(parties):
            if p.lead is not None:
                if p.lead not in roles:
                    raise ProtocolError(f"parties[{n}].lead: unknown party {p.lead!r}")
                if roles[p.lead] != "party":
                    raise ProtocolError(
                        f"parties[{n}].lead: the lead must have role 'party', {p.lead!r} is {roles[p.lead]!r}"
                    )

        minima = Minima.parse(o.get("minima", {}), "minima")
        alerting = Alerting.parse(o.get("alerting", {}), "alerting")
        distress = DistressRules.parse(o.get("distress", {}), "distress")
        rules = _parse_rules_of_the_air(o.get("rules_of_the_air", {}), "rules_of_the_air")
        forms_raw = _list(o.get("formations", []), "formations")
        formations = [Formation.parse(f, f"formations[{n}]") for n, f in enumerate(forms_raw)]
        _unique(formations, "formations", "formation id", lambda f: f.id)
        owner: dict[str, str] = {}
        for n, f in enumerate(formations):
            if f.party not in roles:
                raise ProtocolError(f"formations[{n}].party: unknown party {f.party!r}")
            for k, a in enumerate(f.aircraft):
                if a in owner:
                    raise ProtocolError(
                        f"formations[{n}].aircraft[{k}]: {a!r} is already in formation {owner[a]!r}"
                    )
                owner[a] = f.id
        disclosure = DisclosureRules.parse(o.get("disclosure", {}), "disclosure")
        quotas = Quotas.parse(o.get("quotas", {}), "quotas")
        advisories = AdvisoryRules.parse(o.get("advisories", {}), "advisories")
        for pid, _ in quotas.parties:
            if pid not in roles:
                raise ProtocolError(f"quotas.parties.{pid}: unknown party {pid!r}")
        o.done()
        return cls(
            title=title,
            parties=tuple(parties),
            disclosure=disclosure,
            quotas=quotas,
            advisories=advisories,
            minima=minima,
            alerting=alerting,
            distress=distress,
            rules_of_the_air=rules,
            formations=tuple(formations),
            revision=revision,
            parent=parent,
        )

    # ---- writing --------------------------------------------------------------------------------
    def to_mapping(self) -> dict[str, Any]:
        """The normalised document, every default written out (what is signed, before canonical bytes)."""
        return {
            "format": FORMAT,
            "title": self.title,
            "revision": self.revision,
            "parent": self.parent,
            "parties": [p.to_mapping() for p in self.parties],
            "minima": self.minima.to_mapping(),
            "alerting": self.alerting.to_mapping(),
            "distress": self.distress.to_mapping(),
            "rules_of_the_air": _rules_of_the_air_mapping(self.rules_of_the_air),
            "formations": [f.to_mapping() for f in self.formations],
            # sections added after the first signed versions: written only when not the defaults,
            # so that those versions keep their canonical bytes (see airdecon.protocol._limits)
            **({"disclosure": self.disclosure.to_mapping()} if self.disclosure != DisclosureRules() else {}),
            **({"quotas": self.quotas.to_mapping()} if self.quotas != Quotas() else {}),
            **({"advisories": self.advisories.to_mapping()} if self.advisories != AdvisoryRules() else {}),
        }

    def canonical_bytes(self) -> bytes:
        """The bytes every party signs (see :func:`canonical_bytes`)."""
        return canonical_bytes(self.to_mapping())

    @property
    def digest(self) -> str:
        """The version's content address, ``sha256:<hex>`` of :meth:`canonical_bytes`."""
        return digest_of(self.canonical_bytes())

    def derive(self, **changes: Any) -> ProtocolDocument:
        """A new version derived from this one: ``parent`` = this digest, ``revision`` + 1.

        Keyword arguments replace sections (``minima=...``, ``parties=...``), given as mappings
        or as the section objects; the result is re-validated through :meth:`from_mapping`.
        """
        base = self.to_mapping()
        for key, value in changes.items():
            optional = key in {"disclosure", "quotas", "advisories"}  # written only when not the defaults
            if (key not in base and not optional) or key in {"format", "parent", "revision"}:
                raise ProtocolError(f"{key}: cannot be replaced when deriving a version")
            base[key] = _plain(value)
        base["parent"] = self.digest
        base["revision"] = self.revision + 1
        return ProtocolDocument.from_mapping(base)

    # ---- questions ------------------------------------------------------------------------------
    def party(self, party_id: str) -> Party:
        """The party with this id.

        Raises
        ------
        ProtocolError
            When the document has no such party.
        """
        for p in self.parties:
            if p.id == party_id:
                return p
        raise ProtocolError(f"unknown party {party_id!r}; parties are {[p.id for p in self.parties]}")

    @property
    def party_ids(self) -> tuple[str, ...]:
        """Every party id, in document order (every one of them must sign)."""
        return tuple(p.id for p in self.parties)

    @cached_property
    def rules(self) -> SafetyProtocol:
        """The :class:`SafetyProtocol` the detection engine uses for this document (SI units)."""
        a = self.alerting
        policy = PairPolicy(
            bands=tuple(b.to_si() for b in self.minima.altitude_bands),
            volumes=tuple(v.to_si() for v in self.minima.volumes),
            parties=tuple(
                (p.id, PartyWatch(civil=p.role == "civil", watch_own_pairs=p.watch_own_pairs))
                for p in self.parties
            ),
            formations=tuple(
                FormationSpec(f.party, f.aircraft, f.extent_nm * NM, f.extent_ft * FT)
                for f in self.formations
            ),
            inhibitions=tuple(v.to_si() for v in self.advisories.inhibitions),
            floors=tuple(v.to_si() for v in self.advisories.floors),
        )
        return SafetyProtocol(
            horizontal_m=self.minima.horizontal_nm * NM,
            vertical_m=self.minima.vertical_ft * FT,
            lookahead_s=a.lookahead_s,
            caution_s=a.caution_s,
            warning_s=a.warning_s,
            stale_s=a.stale_s,
            drop_s=a.drop_s,
            position_error_m=a.position_error_nm * NM,
            velocity_error_mps=a.velocity_error_kt * KT,
            rules=self.rules_of_the_air,
            policy=policy,
            descent_floor_m=self.advisories.descent_floor_ft * FT,
            max_joint_aircraft=self.advisories.joint_max_aircraft,
            search_budget_s=self.advisories.search_budget_s,
            response_delay_s=self.advisories.response_delay_s,
        )
