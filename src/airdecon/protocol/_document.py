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

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from airdecon.errors import ProtocolError
from airdecon.protocol._advisories import AdvisoryRules
from airdecon.protocol._canonical import canonical_bytes, digest_of, read_text
from airdecon.protocol._limits import DisclosureRules, Quotas
from airdecon.protocol._minima import AltitudeBandMinima, Minima, VolumeMinima
from airdecon.protocol._pairs import FormationSpec, PairPolicy, PartyWatch
from airdecon.protocol._parties import Contact, Party
from airdecon.protocol._reader import _int, _list, _Obj, _text, _unique
from airdecon.protocol._rules import RulesOfTheAir, SafetyProtocol
from airdecon.protocol._sections import (
    ADSB_EMERGENCY_VALUES,
    Alerting,
    DistressRules,
    Formation,
    _parse_rules_of_the_air,
    _rules_of_the_air_mapping,
)
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
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


def _plain(value: Any) -> Any:
    """A section given as objects (Party, Minima, RulesOfTheAir, tuples of them) as plain mappings."""
    if isinstance(value, RulesOfTheAir):
        return _rules_of_the_air_mapping(value)
    if hasattr(value, "to_mapping"):
        return value.to_mapping()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


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
            turn_rate_dps=self.advisories.turn_rate_dps,
        )
