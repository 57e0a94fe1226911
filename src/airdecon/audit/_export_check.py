"""The standalone offline verifier of an incident export (:mod:`airdecon.audit._export`): it needs
nothing but the document and the hub's public key, and a party's saved heads to prove more."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from airdecon.audit._canonical import entry_digest, link
from airdecon.audit._export import DISCLOSED_FIELDS, EXPORT_DEPTH, EXPORT_FORMAT
from airdecon.audit._heads import HeadChecker, HeadsReport, PartyHead
from airdecon.audit._keys import load_public_key
from airdecon.audit._verify import PublicKeySource, check_checkpoint
from airdecon.documents import load_json
from airdecon.errors import InputError, IntegrityError

__all__ = ["ExportReport", "verify_export"]

@dataclass(frozen=True)
class ExportReport:
    """What :func:`verify_export` established.

    Attributes
    ----------
    disclosed : int
        Entries shown in full, each verified.
    redacted : int
        Entries shown only as digests (chained through, content not seen).
    first_seq, last_seq : int
        The span of entries in the export (0, 0 when empty).
    signed_through : int
        Highest entry covered by a valid checkpoint (0 if none).
    heads : HeadsReport or None
        The parties' signed heads checked against the export, when some were given.
    """

    disclosed: int
    redacted: int
    first_seq: int
    last_seq: int
    signed_through: int
    heads: HeadsReport | None = None


def verify_export(
    doc: Mapping[str, object] | str | bytes,
    public_key: PublicKeySource,
    *,
    require_signed: bool = True,
    heads: Collection[PartyHead] = (),
    source: str = "",
) -> ExportReport:
    """Verify an incident export offline, with nothing but the document and the hub's public key.

    Parameters
    ----------
    doc : mapping, str or bytes
        The export, parsed or as JSON text (read by the strict reader of
        :mod:`airdecon.documents`, allowing :data:`EXPORT_DEPTH` levels).
    public_key : Ed25519PublicKey, PEM bytes, 64 hex digits or PEM file path
        The hub's public key, obtained independently of the export.
    require_signed : bool
        Fail if a disclosed entry is not covered by a valid checkpoint (default). With False, the
        report's ``signed_through`` says how far the signatures reach.
    heads : collection of PartyHead
        Signed heads a party saved from its stream: each one the export reaches must match the
        entries it discloses (a rewrite, even re-signed with the hub key, cannot), and a head
        signed within the window for entries the export does not have is a truncation.
    source : str
        The file the text comes from, named when the reader refuses it.

    Raises
    ------
    IntegrityError
        The first entry or checkpoint that does not verify, by sequence number.
    InputError
        The document is not an export (a :class:`~airdecon.errors.MalformedInput` naming the rule
        and where when the text is refused by the reader).
    """
    public = load_public_key(public_key)
    if isinstance(doc, str | bytes):
        doc = load_json(doc, max_depth=EXPORT_DEPTH, source=source)
    if not isinstance(doc, Mapping) or doc.get("format") != EXPORT_FORMAT:
        raise InputError(f"not an airdecon incident export (format {EXPORT_FORMAT!r} expected)")
    try:
        return _verify(doc, public, require_signed, heads)
    except (IntegrityError, InputError):
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"malformed export: {exc!r}") from exc


def _checker(doc: Mapping[str, object], public: Ed25519PublicKey, heads: Collection[PartyHead],
             first: Mapping[str, object] | None) -> HeadChecker | None:
    """The head checker of an export: anchored at genesis when it starts at entry 1, else at the
    export's ``party_anchors`` (and its first entry's time)."""
    if not heads:
        return None
    if first is None or _int(first["seq"]) == 1:
        return HeadChecker(heads, public)
    anchors = {}
    for party, a in _mapping(doc.get("party_anchors", {})).items():
        a = _mapping(a)
        anchors[party] = (_int(a["n"]), str(a["hash"]))
    window = _mapping(doc["window"])
    return HeadChecker(heads, public, anchors, since=float(str(window["from"])))


def _verify(doc: Mapping[str, object], public: Ed25519PublicKey, require_signed: bool,
            heads: Collection[PartyHead] = ()) -> ExportReport:
    entries = [_mapping(e) for e in _list(doc["entries"])]
    checker = _checker(doc, public, heads, entries[0] if entries else None)
    if not entries:
        report = None if checker is None else checker.finish(complete=False, until=_until(doc))
        return ExportReport(0, 0, 0, 0, 0, report)
    anchor = _mapping(doc["anchor"])
    prev, expected = str(anchor["hash"]), _int(anchor["seq"]) + 1
    hashes: dict[int, str] = {}
    disclosed: list[int] = []
    redacted = 0
    for e in entries:
        seq = _int(e["seq"])
        if seq != expected:
            raise IntegrityError(expected, f"entry {expected} is missing from the export (found {seq})")
        if e.get("redacted") is True:
            digest = str(e["digest"])
            redacted += 1
        else:
            digest = entry_digest({k: e[k] for k in DISCLOSED_FIELDS})
            disclosed.append(seq)
        h = link(prev, digest)
        if h != e["hash"]:
            raise IntegrityError(seq, "entry does not match its chain hash: edited, reordered or inserted")
        if checker is not None and e.get("redacted") is not True:
            audience = e["audience"]
            checker.feed(seq, None if audience == "all" else [str(p) for p in _list(audience)], h)
        hashes[seq] = h
        prev, expected = h, expected + 1
    signed = 0
    for cp in map(_mapping, _list(doc["checkpoints"])):
        seq = _int(cp["seq"])
        if seq not in hashes:
            raise IntegrityError(seq, "checkpoint refers to an entry outside the export")
        check_checkpoint(dict(cp), hashes[seq], public)
        signed = max(signed, seq)
    if require_signed and disclosed and disclosed[-1] > signed:
        raise IntegrityError(disclosed[-1], f"entry {disclosed[-1]} is not covered by a signed checkpoint "
                                            f"(signatures reach entry {signed})")
    report = None if checker is None else checker.finish(complete=False, until=_until(doc))
    return ExportReport(len(disclosed), redacted, _int(entries[0]["seq"]), expected - 1, signed, report)


def _until(doc: Mapping[str, object]) -> float:
    return float(str(_mapping(doc["window"])["to"]))


def _list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise InputError(f"malformed export: expected a list, got {type(value).__name__}")
    return value


def _mapping(value: object) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise InputError(f"malformed export: expected an object, got {type(value).__name__}")
    return value


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"malformed export: expected an integer, got {value!r}")
    return value
