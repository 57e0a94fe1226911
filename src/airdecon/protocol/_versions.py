"""The negotiation's records: versions, signatures, the history's events, and where a version stands.

Each record has the plain form a :class:`ProtocolStore` writes (``to_mapping``/``from_mapping``,
canonical JSON) and is checked field by field when read back, so a file edited by hand is refused with
the field's name rather than trusted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from airdecon.errors import ProtocolError
from airdecon.protocol._canonical import canonical_bytes, digest_of
from airdecon.protocol._document import ProtocolDocument

__all__ = [
    "ACTIONS",
    "Action",
    "Event",
    "Signature",
    "Version",
    "VersionStatus",
    "signature_bytes",
    "timestamp",
]

Action = Literal["propose", "counter", "amend", "accept"]
ACTIONS: tuple[str, ...] = ("propose", "counter", "amend", "accept")
_EVENT_FIELDS = ("seq", "at", "action", "party", "version", "parent")
_TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")


def timestamp(at: datetime) -> str:
    """An aware datetime as the ISO 8601 UTC text kept in the files (``2026-11-25T15:30:00Z``).

    Raises
    ------
    ProtocolError
        For a naive datetime (no time zone: its instant is unknown).
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise ProtocolError(f"timestamp {at!r} has no time zone")
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _check_ts(value: object, where: str) -> str:
    if not isinstance(value, str) or not _TS.match(value):
        raise ProtocolError(f"{where}: must be an ISO 8601 UTC time like 2026-11-25T15:30:00Z, got {value!r}")
    return value


@dataclass(frozen=True)
class Version:
    """One version of the protocol: the document and its canonical bytes."""

    document: ProtocolDocument
    data: bytes

    @property
    def digest(self) -> str:
        """``sha256:<hex>`` of the canonical bytes: the version's name."""
        return digest_of(self.data)

    @property
    def short(self) -> str:
        """A short name for people: revision and the first 12 hex digits, e.g. ``r2 3f2a9c0177de``."""
        return f"r{self.document.revision} {self.digest[7:19]}"

    @classmethod
    def of(cls, document: ProtocolDocument) -> Version:
        """The version of a validated document."""
        return cls(document=document, data=document.canonical_bytes())

    @classmethod
    def from_bytes(cls, data: bytes, *, source: str = "<version>") -> Version:
        """Read a version from its stored bytes, which must be exactly canonical.

        Raises
        ------
        ProtocolError
            When the bytes are not a valid document, or not in canonical form (edited by hand).
        """
        doc = ProtocolDocument.parse(data, fmt="json", source=source)
        if doc.canonical_bytes() != data:
            raise ProtocolError(f"{source}: not in canonical form (the file was edited after it was stored)")
        return cls(document=doc, data=data)


@dataclass(frozen=True)
class Signature:
    """One party's Ed25519 signature over one version's canonical bytes.

    ``public_key`` and ``signed_at`` are informative; verification uses the key the protocol
    designates (see the module docstring), and the signature covers only the version's bytes.
    """

    party: str
    version: str
    public_key: str
    signature: str
    signed_at: str

    def to_mapping(self) -> dict[str, str]:
        """Mapping as stored."""
        return {
            "party": self.party,
            "version": self.version,
            "public_key": self.public_key,
            "signature": self.signature,
            "signed_at": self.signed_at,
        }

    @classmethod
    def from_mapping(cls, value: object, *, source: str = "<signature>") -> Signature:
        """Read a stored signature record (shape only; validity is :meth:`Negotiation.verify`'s job)."""
        if not isinstance(value, Mapping):
            raise ProtocolError(f"{source}: must be an object")
        fields = ("party", "version", "public_key", "signature", "signed_at")
        unknown = sorted(set(value) - set(fields))
        if unknown:
            raise ProtocolError(f"{source}: unknown field(s) {unknown}")
        for f in fields:
            if not isinstance(value.get(f), str):
                raise ProtocolError(f"{source}.{f}: must be a string, got {value.get(f)!r:.80}")
        _check_ts(value["signed_at"], f"{source}.signed_at")
        return cls(**{f: value[f] for f in fields})


@dataclass(frozen=True)
class Event:
    """One line of the negotiation history."""

    seq: int
    at: str
    action: Action
    party: str
    version: str
    parent: str | None = None

    def to_mapping(self) -> dict[str, Any]:
        """Mapping as stored (one JSON line)."""
        return {
            "seq": self.seq,
            "at": self.at,
            "action": self.action,
            "party": self.party,
            "version": self.version,
            "parent": self.parent,
        }

    @classmethod
    def from_mapping(cls, value: object, *, source: str = "<event>") -> Event:
        """Read a stored history line."""
        if not isinstance(value, Mapping) or set(value) != set(_EVENT_FIELDS):
            raise ProtocolError(f"{source}: must be an object with seq, at, action, party, version, parent")
        if not isinstance(value["seq"], int) or isinstance(value["seq"], bool):
            raise ProtocolError(f"{source}.seq: must be an integer")
        if value["action"] not in ACTIONS:
            raise ProtocolError(f"{source}.action: must be one of {list(ACTIONS)}, got {value['action']!r}")
        for f in ("party", "version"):
            if not isinstance(value[f], str):
                raise ProtocolError(f"{source}.{f}: must be a string")
        if value["parent"] is not None and not isinstance(value["parent"], str):
            raise ProtocolError(f"{source}.parent: must be a string or null")
        return cls(
            seq=value["seq"],
            at=_check_ts(value["at"], f"{source}.at"),
            action=value["action"],
            party=value["party"],
            version=value["version"],
            parent=value["parent"],
        )


@dataclass(frozen=True)
class VersionStatus:
    """Where one version stands.

    Attributes
    ----------
    state : {"in force", "superseded", "open", "stale"}
        ``in force``: signed by every party and not superseded; ``superseded``: signed by every
        party, then replaced by an amendment in force; ``open``: still collecting signatures;
        ``stale``: not fully signed, and a version in force is not its ancestor (it can no longer
        come into force).
    signed : tuple of str
        Parties whose signature verifies.
    missing : tuple of str
        Parties whose valid signature is missing.
    """

    digest: str
    state: Literal["in force", "superseded", "open", "stale"]
    signed: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def fully_signed(self) -> bool:
        """Whether every party has signed (in force now, or superseded since)."""
        return not self.missing


def signature_bytes(signature: Signature) -> bytes:
    """The stored form of a signature record (canonical JSON)."""
    return canonical_bytes(signature.to_mapping())
