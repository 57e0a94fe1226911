"""Logic every store implementation shares: building chained events, replays, tokens, checkpoints.

Implementations differ only in where rows live; what an append *means* is decided here once.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from airdecon.audit._canonical import canonical_bytes, checkpoint_message, link
from airdecon.errors import InputError, WriteConflict
from airdecon.store._records import (
    AircraftState,
    Appended,
    ChainHead,
    Checkpoint,
    Event,
    NewEvent,
    audience_json,
)

if TYPE_CHECKING:
    from airdecon.audit._keys import Signer

__all__ = [
    "DEFAULT_CHECKPOINT_EVERY",
    "Batch",
    "build_event",
    "check_owners",
    "check_through",
    "due",
    "new_token",
    "plan_batch",
    "replay",
    "sign_checkpoint",
    "token_hash",
]

#: Entries between two automatic checkpoints when the store has a signer.
DEFAULT_CHECKPOINT_EVERY = 1000


def token_hash(token: str) -> str:
    """SHA-256 (hex) of a bearer token: the only form in which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh ``(token_id, token)``: a 64-bit public id and a 256-bit secret, both random."""
    return secrets.token_hex(8), secrets.token_urlsafe(32)


def build_event(new: NewEvent, *, seq: int, at: float, prev_hash: str) -> Event:
    """The event *new* becomes as entry *seq* after an entry whose chain hash is *prev_hash*.

    The entry's canonical bytes are assembled around the payload text *new* already encoded
    (the payload can be large: a report batch), which equals ``canonical_bytes(chain_fields())``
    because ``at``, ``audience``, ``idempotency_key``, ``kind`` and ``origin`` sort before
    ``payload``, and ``seq`` after it. The verifiers recompute it the plain way.
    """
    head = canonical_bytes({
        "at": at,
        "audience": audience_json(new.audience),
        "idempotency_key": new.idempotency_key,
        "kind": new.kind,
        "origin": new.origin,
    })
    entry = head[:-1] + b',"payload":' + new.payload_text().encode("utf-8") + b',"seq":%d}' % seq
    return Event(
        seq=seq,
        at=at,
        kind=new.kind,
        origin=new.origin,
        audience=new.audience,
        payload=new.payload,
        idempotency_key=new.idempotency_key,
        hash=link(prev_hash, hashlib.sha256(entry).hexdigest()),
    )


@dataclass(frozen=True)
class Batch:
    """What an ``append_many`` call decided, before anything is written.

    Attributes
    ----------
    results : list of Appended
        One per event given, in order (replays included).
    new : list of (Event, NewEvent)
        The entries to write, in sequence order, each with the event it came from (whose payload
        text is already encoded).
    checkpoints : list of Checkpoint
        Automatic checkpoints due within the batch, already signed.
    head : ChainHead
        The chain head after the batch.
    """

    results: list[Appended]
    new: list[tuple[Event, NewEvent]]
    checkpoints: list[Checkpoint]
    head: ChainHead


def plan_batch(
    events: Sequence[NewEvent],
    *,
    at: float,
    head: ChainHead,
    stored: Callable[[str, str], Event | None],
    signer: Signer | None,
    every: int,
) -> Batch:
    """Decide an ``append_many``: sequence numbers, chain hashes, replays and due checkpoints.

    Every implementation calls this inside its write lock/transaction and then only persists the
    result, so what an append *means* is decided here once.

    Parameters
    ----------
    events : sequence of NewEvent
        The batch, in order.
    at : float
        The time given to every entry.
    head : ChainHead
        The chain head, read under the write lock.
    stored : callable
        ``stored(origin, idempotency_key)``: the stored event holding that key, or ``None``.
    signer : Signer or None
        Signs the checkpoints due every *every* entries.
    every : int
        Entries between automatic checkpoints (0: none).

    Raises
    ------
    WriteConflict
        An idempotency key reused with different content (the caller then writes nothing).
    """
    seq, prev = head.seq, head.hash
    results: list[Appended] = []
    new: list[tuple[Event, NewEvent]] = []
    checkpoints: list[Checkpoint] = []
    in_batch: dict[tuple[str, str], Event] = {}
    for ne in events:
        if ne.idempotency_key is not None:
            k = (ne.origin, ne.idempotency_key)
            earlier = in_batch.get(k) or stored(*k)
            if earlier is not None:
                results.append(replay(earlier, ne))
                continue
        seq += 1
        ev = build_event(ne, seq=seq, at=at, prev_hash=prev)
        prev = ev.hash
        if ne.idempotency_key is not None:
            in_batch[(ne.origin, ne.idempotency_key)] = ev
        if signer is not None and due(seq, every):
            checkpoints.append(sign_checkpoint(signer, seq=seq, chain_hash=ev.hash, at=at))
        new.append((ev, ne))
        results.append(Appended(ev, replayed=False))
    return Batch(results, new, checkpoints, ChainHead(seq, prev))


def replay(existing: Event, new: NewEvent) -> Appended:
    """The answer to re-appending *new* whose idempotency key is already held by *existing*.

    Raises
    ------
    WriteConflict
        If the content differs (kind, audience or payload).
    """
    if not existing.same_content(new):
        raise WriteConflict(
            "idempotency key",
            f"{new.origin}/{new.idempotency_key}",
            f"already used by event {existing.seq} with different content",
        )
    return Appended(existing, replayed=True)


def check_owners(states: Sequence[AircraftState], stored: Mapping[str, str]) -> None:
    """Raise :class:`~airdecon.errors.WriteConflict` if a state in *states* names a party other than
    the aircraft's owner (*stored* maps aircraft id to owner; the batch itself must agree too)."""
    owners = dict(stored)
    for st in states:
        owner = owners.setdefault(st.aircraft_id, st.party)
        if owner != st.party:
            raise WriteConflict("aircraft", st.aircraft_id, f"belongs to party {owner}, not {st.party}")


def due(seq: int, every: int) -> bool:
    """True when entry *seq* gets an automatic checkpoint (every *every* entries; 0 disables)."""
    return every > 0 and seq % every == 0


def sign_checkpoint(signer: Signer, *, seq: int, chain_hash: str, at: float) -> Checkpoint:
    """A checkpoint over ``(seq, chain_hash)`` signed by *signer*."""
    return Checkpoint(
        seq=seq,
        hash=chain_hash,
        at=at,
        key_id=signer.key_id,
        signature=signer.sign(checkpoint_message(seq, chain_hash)).hex(),
    )


def check_page(seq: int, limit: int) -> tuple[int, int]:
    """Validate ``events_after`` arguments: an integer *seq* and an integer *limit* >= 1."""
    for name, v, low in (("seq", seq, 0), ("limit", limit, 1)):
        if isinstance(v, bool) or not isinstance(v, int) or v < low:
            raise InputError(f"{name} must be an integer >= {low}, got {v!r}")
    return seq, limit


def check_kinds(kinds: Collection[str] | None) -> frozenset[str] | None:
    """Validate an ``events_after`` kinds filter: ``None`` (every kind) or a non-empty collection."""
    if kinds is None:
        return None
    if isinstance(kinds, str) or not kinds or not all(isinstance(k, str) for k in kinds):
        raise InputError(f"kinds must be a non-empty collection of event kinds, got {kinds!r}")
    return frozenset(kinds)


def check_every(every: int) -> int:
    """Validate the ``checkpoint_every`` setting."""
    if isinstance(every, bool) or not isinstance(every, int) or every < 0:
        raise InputError(f"checkpoint_every must be an integer >= 0, got {every!r}")
    return every


def check_through(through_seq: int | None) -> int | None:
    """Validate ``save_states(through_seq=…)``: None or an integer >= 0."""
    if through_seq is None:
        return None
    if isinstance(through_seq, bool) or not isinstance(through_seq, int) or through_seq < 0:
        raise InputError(f"through_seq must be an integer >= 0, got {through_seq!r}")
    return through_seq
