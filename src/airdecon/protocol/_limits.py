"""The protocol's need-to-know terms: disclosure precision, track maturity, and per-party quotas.

Two sections of the protocol document, signed like the rest:

``disclosure``
    How precisely another party's aircraft is shown when an alert requires it (``precision``:
    position to 0.1 NM, altitude to 100 ft, track to 1°, speed to 5 kt, times to 1 s by default),
    how coarsely while the reader's own track is still new (``coarse_precision``: 5 NM, 1,000 ft,
    10°, 50 kt, 10 s), and how long a track must have flown a consistent path before its alerts
    disclose at full precision (``maturity_s``, 20 s), and whether notices of plan against plan
    and area alerts name the other party (``plans_name_party``, true; written only when false).
``quotas``
    What one party may put on the line: the most aircraft airborne at once, the largest batch of
    reports, and the fastest plausible motion between two reports of one aircraft. ``force``
    applies to parties of role ``party`` and ``coalition``, ``civil`` to civil feeds; ``parties``
    overrides either for named parties.

Both sections were added after the first documents were signed: :meth:`to_mapping` of the
document writes them only when they differ from these defaults, so versions signed before them
keep their bytes and digests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from airdecon.errors import ProtocolError
from airdecon.protocol._reader import _bool, _int, _number, _Obj

__all__ = ["COARSE", "FULL", "DisclosureRules", "Precision", "Quota", "Quotas"]


@dataclass(frozen=True)
class Precision:
    """Steps to which a disclosed value is rounded (aviation units, named in each field)."""

    position_nm: float = 0.1
    altitude_ft: float = 100.0
    track_deg: float = 1.0
    speed_kt: float = 5.0
    time_s: float = 1.0

    @classmethod
    def parse(cls, value: object, path: str, default: Precision) -> Precision:
        """Read a precision object; missing fields keep *default*'s."""

        o = _Obj(value, path)
        kw = {}
        for f in fields(cls):
            kw[f.name] = _number(o.get(f.name, getattr(default, f.name)), o.at(f.name), gt=0.0)
        o.done()
        if kw["position_nm"] > 60.0:
            raise ProtocolError(f"{o.at('position_nm')}: at most 60 NM, got {kw['position_nm']:g}")
        return cls(**kw)

    def to_mapping(self) -> dict[str, float]:
        """Normalised mapping."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @property
    def label(self) -> str:
        """``full`` or ``coarse`` for the two defaults, else the position step (``0.5 NM``)."""
        if self == FULL:
            return "full"
        if self == COARSE:
            return "coarse"
        return f"{self.position_nm:g} NM"


FULL = Precision()
COARSE = Precision(position_nm=5.0, altitude_ft=1000.0, track_deg=10.0, speed_kt=50.0, time_s=10.0)


@dataclass(frozen=True)
class DisclosureRules:
    """How another party's aircraft is shown when an alert or a distress requires it."""

    precision: Precision = FULL
    coarse_precision: Precision = COARSE
    maturity_s: float = 20.0
    #: whether notices of plan against plan, and area alerts of another party's active volume,
    #: name the other party (false: "another party"); written only when false, so that versions
    #: signed before it existed keep their canonical bytes
    plans_name_party: bool = True

    @classmethod
    def parse(cls, value: object, path: str) -> DisclosureRules:
        """Read the ``disclosure`` section."""

        o = _Obj(value, path)
        d = cls()
        precision = Precision.parse(o.get("precision", {}), o.at("precision"), d.precision)
        coarse = Precision.parse(o.get("coarse_precision", {}), o.at("coarse_precision"), d.coarse_precision)
        maturity = _number(o.get("maturity_s", d.maturity_s), o.at("maturity_s"), ge=0.0, le=3600.0)
        named = _bool(o.get("plans_name_party", d.plans_name_party), o.at("plans_name_party"))
        o.done()
        if coarse.position_nm < precision.position_nm:
            raise ProtocolError(f"{o.at('coarse_precision')}.position_nm: must not be finer than precision")
        return cls(precision, coarse, maturity, named)

    def to_mapping(self) -> dict[str, Any]:
        """Normalised mapping."""
        return {
            "precision": self.precision.to_mapping(),
            "coarse_precision": self.coarse_precision.to_mapping(),
            "maturity_s": self.maturity_s,
            **({} if self.plans_name_party else {"plans_name_party": False}),
        }


@dataclass(frozen=True)
class Quota:
    """What one party may put on the line.

    Attributes
    ----------
    max_aircraft : int
        Most aircraft the party may have airborne at once; reports of further new aircraft are
        refused (the ones it already has go on).
    max_batch : int
        Largest number of reports in one batch.
    max_gs_kt, max_vs_fpm : float
        Fastest plausible motion: a report that moves an aircraft faster than this since its
        previous report (or claims such a speed) is refused for that aircraft.
    max_own_pairs : int
        Most conflicts between two of the party's own aircraft alerted in one cycle (those of a
        party with ``watch_own_pairs``, and civil traffic, whose aircraft are each their own
        operator): the most urgent are kept. Two hundred co-located aircraft make 19,900 such
        pairs; this bounds what one party's own fleet costs everyone else's alerts.
    """

    max_aircraft: int = 200
    max_batch: int = 200
    max_gs_kt: float = 2000.0
    max_vs_fpm: float = 60_000.0
    max_own_pairs: int = 200

    @classmethod
    def parse(cls, value: object, path: str, default: Quota) -> Quota:
        """Read a quota object; missing fields keep *default*'s."""

        o = _Obj(value, path)
        kw: dict[str, Any] = {}
        for name in ("max_aircraft", "max_batch", "max_own_pairs"):
            kw[name] = _int(o.get(name, getattr(default, name)), o.at(name), ge=1, le=1_000_000)
        for name in ("max_gs_kt", "max_vs_fpm"):
            kw[name] = _number(o.get(name, getattr(default, name)), o.at(name), gt=0.0, le=1e6)
        o.done()
        return cls(**kw)

    def to_mapping(self) -> dict[str, Any]:
        """Normalised mapping."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


_CIVIL = Quota(max_aircraft=20_000, max_batch=10_000, max_own_pairs=2_000)


@dataclass(frozen=True)
class Quotas:
    """Quotas by role, with per-party overrides."""

    force: Quota = field(default_factory=Quota)
    civil: Quota = _CIVIL
    parties: tuple[tuple[str, Quota], ...] = ()

    @classmethod
    def parse(cls, value: object, path: str) -> Quotas:
        """Read the ``quotas`` section."""

        o = _Obj(value, path)
        d = cls()
        force = Quota.parse(o.get("force", {}), o.at("force"), d.force)
        civil = Quota.parse(o.get("civil", {}), o.at("civil"), d.civil)
        raw = o.get("parties", {})
        if not isinstance(raw, Mapping):
            raise ProtocolError(f"{o.at('parties')}: must be an object of party id -> quota")
        parties = tuple(
            (str(pid), Quota.parse(q, f"{o.at('parties')}.{pid}", Quota())) for pid, q in sorted(raw.items())
        )
        o.done()
        return cls(force, civil, parties)

    def for_party(self, party: str, role: str) -> Quota:
        """The quota of *party* (of *role*): its override, else its role's."""
        base = self.civil if role == "civil" else self.force
        for pid, q in self.parties:
            if pid == party:
                return q
        return base

    def with_party(self, party: str, quota: Quota) -> Quotas:
        """These quotas with *party*'s replaced."""
        rest = tuple((p, q) for p, q in self.parties if p != party)
        return replace(self, parties=tuple(sorted((*rest, (party, quota)))))

    def to_mapping(self) -> dict[str, Any]:
        """Normalised mapping."""
        return {
            "force": self.force.to_mapping(),
            "civil": self.civil.to_mapping(),
            "parties": {p: q.to_mapping() for p, q in self.parties},
        }
