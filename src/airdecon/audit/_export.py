"""Incident exports for the working group, and the standalone offline verifier of an export.

An export is one JSON document::

    {"format": "airdecon-incident/1",
     "window": {"from": T0, "to": T1}, "parties": ["A", "B"] | null,
     "anchor": {"seq": n0 - 1, "hash": H},          # chain hash just before the first entry
     "entries": [                                   # every seq from n0 to the covering checkpoint
        {"seq", "at", "kind", "origin", "audience", "payload", "idempotency_key", "hash"},   # disclosed
        {"seq", "redacted": true, "digest", "hash"},  # outside the window or the parties' view
     ],
     "checkpoints": [{"seq", "hash", "at", "key_id", "signature"}, ...],
     "party_anchors": {"A": {"n", "hash"}, ...}}    # with parties: each one's fold before n0

The ``party_anchors`` let a party's saved signed heads (:mod:`airdecon.audit._heads`) be checked
against a window that does not start at entry 1: each party's fold is continued over the disclosed
entries it may see. An anchor is the exporter's claim: only heads *after* it are proven, so to
prove a party's whole record, export from the start (``--from 0``), where no anchor is needed.
Heads are checked on the assumption that entry times do not go backwards (the hub's clock).

The entries run without gaps from the first one in the window to the first signed checkpoint at or
after the last one, so the verifier can recompute the chain from the anchor up to a signature:
that proves every disclosed entry is exactly what the hub recorded, in that order, while entries
the parties may not see are shown only as digests.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from airdecon.audit._canonical import GENESIS, entry_digest, link
from airdecon.audit._heads import HeadChecker, HeadsReport, PartyHead, fold_party
from airdecon.audit._keys import load_public_key
from airdecon.audit._verify import PublicKeySource, check_checkpoint
from airdecon.documents import MAX_DEPTH, load_json
from airdecon.errors import InputError, IntegrityError

if TYPE_CHECKING:
    from airdecon.store._protocol import Store

__all__ = ["EXPORT_DEPTH", "EXPORT_FORMAT", "ExportReport", "export_incident", "verify_export"]

EXPORT_FORMAT = "airdecon-incident/1"

#: Levels of nesting an export may have: each entry's payload, as deep as the hub accepts a body
#: (:data:`~airdecon.documents.MAX_DEPTH`), sits three levels down (``$.entries[i].payload``).
EXPORT_DEPTH = MAX_DEPTH + 3

_DISCLOSED = ("seq", "at", "kind", "origin", "audience", "payload", "idempotency_key")


def export_incident(
    store: Store, t_from: float, t_to: float, parties: Collection[str] | None = None
) -> dict[str, object]:
    """The record of an incident: entries with ``t_from <= at <= t_to`` (sent or seen by one of
    *parties*, when given), with their chain hashes and the checkpoints covering them.

    Entries after the last checkpoint are included but unsigned: make a checkpoint first
    (``store.checkpoint(at=now)``) for a fully verifiable export.

    Returns
    -------
    dict
        A JSON-ready document (see the module docstring); verify it with :func:`verify_export`.
    """
    selected = store.events_between(t_from, t_to, parties=parties)
    doc: dict[str, object] = {
        "format": EXPORT_FORMAT,
        "window": {"from": t_from, "to": t_to},
        "parties": None if parties is None else sorted(parties),
        "anchor": None,
        "entries": [],
        "checkpoints": [],
        "party_anchors": {},
    }
    if not selected:
        return doc
    first, last = selected[0].seq, selected[-1].seq
    covering = store.checkpoints(after_seq=last - 1)
    end = covering[0].seq if covering else store.head().seq
    if first == 1:
        anchor = GENESIS
    else:
        before = store.events_after(first - 2, limit=1)
        if not before or before[0].seq != first - 1:
            raise IntegrityError(first - 1, "entry missing: cannot anchor the export")
        anchor = before[0].hash
    disclosed = {ev.seq for ev in selected}
    entries: list[dict[str, object]] = []
    seq = first - 1
    while seq < end and (batch := store.events_after(seq, limit=1000)):
        for ev in batch:
            if ev.seq > end:
                break
            fields = ev.chain_fields()
            if ev.seq in disclosed:
                entries.append({**fields, "hash": ev.hash})
            else:
                digest = entry_digest(fields)
                entries.append({"seq": ev.seq, "redacted": True, "digest": digest, "hash": ev.hash})
        seq = batch[-1].seq
    doc["anchor"] = {"seq": first - 1, "hash": anchor}
    doc["entries"] = entries
    doc["checkpoints"] = [cp.to_json() for cp in store.checkpoints(after_seq=first - 1) if cp.seq <= end]
    if parties is not None:
        folds = {p: fold_party(store, p, through_seq=first - 1) for p in sorted(parties)}
        doc["party_anchors"] = {p: {"n": f.n, "hash": f.hash} for p, f in folds.items()}
    return doc


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
            digest = entry_digest({k: e[k] for k in _DISCLOSED})
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
