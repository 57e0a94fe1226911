"""The protocol's smaller sections: alerting thresholds, distress rules, rules of the air, formations."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from airdecon.errors import ProtocolError
from airdecon.protocol._reader import _bool, _int, _list, _number, _Obj, _text, _unique
from airdecon.protocol._rules import RulesOfTheAir

__all__ = ["ADSB_EMERGENCY_VALUES", "Alerting", "DistressRules", "Formation"]

_SQUAWK = re.compile(r"^[0-7]{4}$")


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
