"""The safety protocol: the rules detection enforces, and the signed agreement they come from."""

from airdecon.protocol._canonical import canonical_bytes, digest_of
from airdecon.protocol._diff import Change, diff_documents, format_diff
from airdecon.protocol._document import (
    FORMAT,
    Alerting,
    AltitudeBandMinima,
    Contact,
    DistressRules,
    Formation,
    Minima,
    Party,
    ProtocolDocument,
    VolumeMinima,
)
from airdecon.protocol._limits import COARSE, FULL, DisclosureRules, Precision, Quota, Quotas
from airdecon.protocol._negotiation import Event, Negotiation, Signature, Version, VersionStatus
from airdecon.protocol._pairs import AirspaceVolume, AltitudeBand, FormationSpec, PairPolicy, PartyWatch
from airdecon.protocol._rules import RulesOfTheAir, SafetyProtocol
from airdecon.protocol._signing import (
    fingerprint,
    generate_private_key,
    private_key_from_pem,
    private_key_to_pem,
    public_key_text,
)
from airdecon.protocol._store import ProtocolStore

__all__ = [
    "COARSE",
    "FORMAT",
    "FULL",
    "AirspaceVolume",
    "Alerting",
    "AltitudeBand",
    "AltitudeBandMinima",
    "Change",
    "Contact",
    "DisclosureRules",
    "DistressRules",
    "Event",
    "Formation",
    "FormationSpec",
    "Minima",
    "Negotiation",
    "PairPolicy",
    "Party",
    "PartyWatch",
    "Precision",
    "ProtocolDocument",
    "ProtocolStore",
    "Quota",
    "Quotas",
    "RulesOfTheAir",
    "SafetyProtocol",
    "Signature",
    "Version",
    "VersionStatus",
    "VolumeMinima",
    "canonical_bytes",
    "diff_documents",
    "digest_of",
    "fingerprint",
    "format_diff",
    "generate_private_key",
    "private_key_from_pem",
    "private_key_to_pem",
    "public_key_text",
]
