"""Incident exports for the working group, written page by page (verified by
:mod:`airdecon.audit._export_check`).

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

:func:`write_incident` streams the document: it reads the store a page at a time (the window's
selection, filtered in the store, merged with the chain around it), so its memory does not grow
with the window; :func:`export_incident` builds the same document as a dict for library callers.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from airdecon.audit._canonical import GENESIS, entry_digest
from airdecon.audit._heads import fold_party
from airdecon.documents import MAX_DEPTH
from airdecon.errors import IntegrityError

if TYPE_CHECKING:
    from airdecon.store._protocol import Store

__all__ = ["DISCLOSED_FIELDS", "EXPORT_DEPTH", "EXPORT_FORMAT", "export_incident", "write_incident"]

EXPORT_FORMAT = "airdecon-incident/1"

#: Levels of nesting an export may have: each entry's payload, as deep as the hub accepts a body
#: (:data:`~airdecon.documents.MAX_DEPTH`), sits three levels down (``$.entries[i].payload``).
EXPORT_DEPTH = MAX_DEPTH + 3

#: The fields of a disclosed entry that its chain digest covers.
DISCLOSED_FIELDS = ("seq", "at", "kind", "origin", "audience", "payload", "idempotency_key")

#: Entries read from the store at a time.
PAGE = 500


@dataclass(frozen=True)
class _Span:
    """Where an export's entries run: from *first* (anchored at *anchor*) to *end*."""

    first: int
    end: int
    anchor: str
    checkpoints: list[dict[str, object]]
    party_anchors: dict[str, dict[str, object]]


def export_incident(
    store: Store, t_from: float, t_to: float, parties: Collection[str] | None = None
) -> dict[str, object]:
    """The record of an incident: entries with ``t_from <= at <= t_to`` (sent or seen by one of
    *parties*, when given), with their chain hashes and the checkpoints covering them.

    Entries after the last checkpoint are included but unsigned: make a checkpoint first
    (``store.checkpoint(at=now)``) for a fully verifiable export. The document is built in memory:
    for a long window, :func:`write_incident` writes the same document a page at a time.

    Returns
    -------
    dict
        A JSON-ready document (see the module docstring); verify it with
        :func:`~airdecon.audit.verify_export`.
    """
    span = _span(store, t_from, t_to, parties)
    doc = _head(t_from, t_to, parties, span)
    doc["entries"] = [] if span is None else list(_entries(store, span, t_from, t_to, parties))
    return doc


def write_incident(
    store: Store, out: TextIO, t_from: float, t_to: float, parties: Collection[str] | None = None
) -> int:
    """Write :func:`export_incident`'s document to *out* as JSON, one entry a line, reading the
    store :data:`PAGE` entries at a time; returns the number of entries written."""
    span = _span(store, t_from, t_to, parties)
    head = _head(t_from, t_to, parties, span)
    out.write("{\n")
    for key in sorted(head):
        if key > "entries":
            break
        out.write(f" {json.dumps(key)}: {_dumps(head[key])},\n")
    out.write(' "entries": [')
    n = 0
    if span is not None:
        for entry in _entries(store, span, t_from, t_to, parties):
            out.write(("\n  " if n == 0 else ",\n  ") + _dumps(entry))
            n += 1
    out.write("\n ]" if n else "]")
    for key in sorted(head):
        if key > "entries":
            out.write(f",\n {json.dumps(key)}: {_dumps(head[key])}")
    out.write("\n}\n")
    return n


def _dumps(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ": "))


def _head(t_from: float, t_to: float, parties: Collection[str] | None,
          span: _Span | None) -> dict[str, object]:
    """Every field of the document but ``entries``."""
    return {
        "format": EXPORT_FORMAT,
        "window": {"from": t_from, "to": t_to},
        "parties": None if parties is None else sorted(parties),
        "anchor": None if span is None else {"seq": span.first - 1, "hash": span.anchor},
        "checkpoints": [] if span is None else span.checkpoints,
        "party_anchors": {} if span is None else span.party_anchors,
    }


def _selected(store: Store, t_from: float, t_to: float, parties: Collection[str] | None,
              after: int = 0) -> Iterator[int]:
    """Sequence numbers of the window's entries (filtered by the store), a page at a time."""
    while True:
        batch = store.events_between(t_from, t_to, parties=parties, limit=PAGE, after_seq=after)
        yield from (ev.seq for ev in batch)
        if len(batch) < PAGE:
            return
        after = batch[-1].seq


def _span(store: Store, t_from: float, t_to: float, parties: Collection[str] | None) -> _Span | None:
    """The span of the export (``None``: nothing in the window), from one paged pass."""
    first = last = None
    for seq in _selected(store, t_from, t_to, parties):
        first = seq if first is None else first
        last = seq
    if first is None or last is None:
        return None
    covering = store.checkpoints(after_seq=last - 1)
    end = covering[0].seq if covering else store.head().seq
    if first == 1:
        anchor = GENESIS
    else:
        before = store.events_after(first - 2, limit=1)
        if not before or before[0].seq != first - 1:
            raise IntegrityError(first - 1, "entry missing: cannot anchor the export")
        anchor = before[0].hash
    checkpoints = [cp.to_json() for cp in store.checkpoints(after_seq=first - 1) if cp.seq <= end]
    anchors: dict[str, dict[str, object]] = {}
    if parties is not None:
        for p in sorted(parties):
            fold = fold_party(store, p, through_seq=first - 1)
            anchors[p] = {"n": fold.n, "hash": fold.hash}
    return _Span(first, end, anchor, checkpoints, anchors)


def _entries(store: Store, span: _Span, t_from: float, t_to: float,
             parties: Collection[str] | None) -> Iterator[dict[str, object]]:
    """Every entry from ``span.first`` to ``span.end``: in full when selected, else redacted. The
    chain is read a page at a time and merged with the store's own selection of the window."""
    selected = _selected(store, t_from, t_to, parties, after=span.first - 1)
    nxt = next(selected, None)
    seq = span.first - 1
    while seq < span.end and (batch := store.events_after(seq, limit=PAGE)):
        for ev in batch:
            if ev.seq > span.end:
                return
            while nxt is not None and nxt < ev.seq:
                nxt = next(selected, None)
            fields = ev.chain_fields()
            if nxt == ev.seq:
                yield {**fields, "hash": ev.hash}
            else:
                yield {"seq": ev.seq, "redacted": True, "digest": entry_digest(fields), "hash": ev.hash}
        seq = batch[-1].seq
