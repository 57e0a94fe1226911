"""Logic every store implementation shares: building chained events, replays, tokens, checkpoints.

Implementations differ only in where rows live; what an append *means* is decided here once.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING

from airdecon.audit._canonical import canonical_bytes, checkpoint_message, link
from airdecon.errors import InputError, WriteConflict
from airdecon.store._records import AircraftState, Appended, Checkpoint, Event, NewEvent, audience_json

if TYPE_CHECKING:
    from airdecon.audit._keys import Signer

__all__ = [
    "DEFAULT_CHECKPOINT_EVERY",
    "build_event",
    "check_owners",
    "due",
    "new_token",
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
