"""``verify_chain``: re-derive every chain hash from a store and check every signed checkpoint."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from airdecon.audit._canonical import GENESIS, checkpoint_message, entry_digest, link
from airdecon.audit._heads import HeadChecker, HeadsReport, PartyHead
from airdecon.audit._keys import key_id, load_public_key, verify_signature
from airdecon.errors import IntegrityError

if TYPE_CHECKING:
    from airdecon.store._protocol import Store
    from airdecon.store._records import Checkpoint

__all__ = [
    "DEFAULT_MAX_UNSIGNED",
    "DEFAULT_MAX_UNSIGNED_S",
    "ChainReport",
    "check_checkpoint",
    "verify_chain",
]

#: ``airdecon audit verify``'s limits on the unsigned tail: the hub's default ``checkpoint_every``,
#: and a dozen of its default ``checkpoint_s`` (a hub signs on its clock and at shutdown).
DEFAULT_MAX_UNSIGNED = 1000
DEFAULT_MAX_UNSIGNED_S = 60.0

PublicKeySource = Ed25519PublicKey | bytes | str | Path


@dataclass(frozen=True)
class ChainReport:
    """What :func:`verify_chain` established.

    Attributes
    ----------
    entries : int
        Entries verified (1..``head_seq``, no gaps).
    head_seq : int
        Last entry.
    head_hash : str
        Its chain hash.
    checkpoints : int
        Checkpoints checked against the chain.
    signed_through : int
        Highest entry covered by a checkpoint (0 if none): entries after it are chained but not
        yet signed, so deleting them would go unnoticed.
    signatures_checked : bool
        False when no public key was given: checkpoint hashes were compared, signatures were not.
    heads : HeadsReport or None
        The parties' signed heads checked against the record, when some were given.
    """

    entries: int
    head_seq: int
    head_hash: str
    checkpoints: int
    signed_through: int
    signatures_checked: bool
    heads: HeadsReport | None = None

    @property
    def unsigned_tail(self) -> int:
        """Entries after the last checkpoint."""
        return self.head_seq - self.signed_through


def check_checkpoint(cp: Checkpoint | Mapping[str, object], chain_hash: str,
                     public: Ed25519PublicKey | None) -> None:
    """Check one checkpoint against the chain hash recomputed at its ``seq`` and, with *public*, its
    signature; raise :class:`~airdecon.errors.IntegrityError` naming the checkpoint's ``seq``."""
    if isinstance(cp, Mapping):
        seq, h, kid, sig = int(str(cp["seq"])), str(cp["hash"]), str(cp["key_id"]), str(cp["signature"])
    else:
        seq, h, kid, sig = cp.seq, cp.hash, cp.key_id, cp.signature
    if h != chain_hash:
        raise IntegrityError(seq, "checkpoint hash differs from the chain: entries up to here were altered "
                                  "and the chain rewritten, or the checkpoint was edited")
    if public is None:
        return
    if kid != key_id(public):
        raise IntegrityError(seq, f"checkpoint signed by key {kid}, not by the trusted key {key_id(public)}")
    if not verify_signature(public, checkpoint_message(seq, h), sig):
        raise IntegrityError(seq, "checkpoint signature is invalid")


def verify_chain(
    store: Store,
    public_key: PublicKeySource | None = None,
    *,
    page: int = 1000,
    max_unsigned: int | None = None,
    max_unsigned_s: float | None = None,
    heads: Iterable[PartyHead] = (),
) -> ChainReport:
    """Verify the whole audit record of *store*.

    Recomputes every chain hash from entry 1 and compares it with the stored one, checks sequence
    numbers run 1, 2, 3… without gaps, checks the chain head against the last entry, and checks
    every checkpoint against the recomputed hash at its entry (and its Ed25519 signature when
    *public_key* is given). Detects an edited, reordered, inserted or deleted entry — an entry
    deleted from the unsigned tail only if the chain head was not rewritten too — and any bad
    checkpoint. With *max_unsigned* / *max_unsigned_s* it also detects checkpoints dropped to hide
    a re-chained edit; with the parties' *heads*, a truncation or a rewrite re-signed with the
    hub's own key.

    Parameters
    ----------
    store : Store
        The store to verify.
    public_key : Ed25519PublicKey, PEM bytes, 64 hex digits, PEM file path, or None
        The hub's public key. Without it signatures are not checked (the report says so).
    page : int
        Entries read per query.
    max_unsigned : int or None
        Most entries allowed after the last checkpoint. A hub signs a checkpoint in the same
        transaction as every ``checkpoint_every``-th entry, so a longer unsigned tail means
        checkpoints were dropped (to hide an edited and re-chained record). ``None``: no limit.
    max_unsigned_s : float or None
        Longest time allowed between the first entry after the last checkpoint and the last
        entry. A hub signs every ``checkpoint_s`` seconds and at shutdown, so a longer unsigned
        tail (even after a crash) means checkpoints were dropped. ``None``: no limit.
    heads : iterable of PartyHead
        Signed heads the parties saved from their streams (needs *public_key*): each must match
        the record recomputed, which no rewrite, truncation or re-signing after the head can
        achieve (see :mod:`airdecon.audit._heads`).

    Returns
    -------
    ChainReport

    Raises
    ------
    IntegrityError
        At the first problem, with the sequence number and the reason.
    """
    public = None if public_key is None else load_public_key(public_key)
    heads = list(heads)
    if heads and public is None:
        raise IntegrityError(0, "the parties' heads can be checked only against the hub's public key")
    checker = HeadChecker(heads, public) if heads and public is not None else None
    # Verify up to the head as it is now: appends made while we read are left for the next run, so
    # a live hub can be verified (append-only: everything up to this head is already committed).
    head = store.head()
    cps = {cp.seq: cp for cp in store.checkpoints() if cp.seq <= head.seq}
    beyond = [cp.seq for cp in store.checkpoints(after_seq=head.seq) if cp.seq not in cps]
    prev, expected, checked = GENESIS, 1, 0
    signed = max(cps, default=0)
    first_unsigned: float | None = None
    last_at = 0.0
    while expected <= head.seq and (batch := store.events_after(expected - 1, limit=page)):
        for ev in batch:
            if ev.seq > head.seq:
                break
            if ev.seq != expected:
                raise IntegrityError(expected, f"entry {expected} is missing (the next stored entry is "
                                               f"{ev.seq}): deleted")
            h = link(prev, entry_digest(ev.chain_fields()))
            if h != ev.hash:
                raise IntegrityError(ev.seq, "entry does not match its chain hash: edited, or entries "
                                             "reordered, inserted or deleted at or before it")
            if ev.seq in cps:
                check_checkpoint(cps[ev.seq], h, public)
                checked += 1
            if checker is not None:
                checker.feed(ev.seq, None if ev.audience == "all" else ev.audience, h)
            if first_unsigned is None and ev.seq > signed:
                first_unsigned = ev.at
            last_at = ev.at
            prev, expected = h, expected + 1
    last = expected - 1
    if (head.seq, head.hash) != (last, prev):
        raise IntegrityError(last + 1 if head.seq > last else head.seq,
                             f"the chain head records entry {head.seq} but the log ends at entry {last}: "
                             "entries deleted from the end, or the head rewritten")
    if beyond and not store.events_after(head.seq, limit=1):
        raise IntegrityError(min(beyond), f"a checkpoint covers entry {min(beyond)} but the log ends at "
                                          f"entry {last}: entries deleted from the end")
    if max_unsigned is not None and last - signed > max_unsigned:
        raise IntegrityError(signed + 1, f"entries {signed + 1} to {last} are not covered by a checkpoint "
                                         f"(more than {max_unsigned}): checkpoints were dropped")
    span = 0.0 if first_unsigned is None else last_at - first_unsigned
    if max_unsigned_s is not None and span > max_unsigned_s:
        raise IntegrityError(signed + 1, f"entries {signed + 1} to {last} span {span:.0f} s without a "
                                         f"checkpoint (more than {max_unsigned_s:g} s): checkpoints were "
                                         "dropped")
    return ChainReport(
        entries=last,
        head_seq=last,
        head_hash=prev,
        checkpoints=checked,
        signed_through=signed,
        signatures_checked=public is not None,
        heads=None if checker is None else checker.finish(complete=True),
    )
