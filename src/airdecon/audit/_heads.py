"""Per-party signed heads: what each party keeps so that no one, not even the hub, can quietly
rewrite or truncate the record afterwards.

A checkpoint signs the *global* chain head, ``(seq, hash)``: its ``seq`` counts every party's
entries, so handing it to a party would tell it how busy the others are. A party instead receives
signed heads of **its own extract** of the record::

    q_0 = GENESIS
    q_k = SHA-256(q_{k-1} || hash_seq)      for the k-th entry the party may see (global entry seq)

    head = {"party": P, "n": k, "hash": q_k, "at": t,
            "key_id": …, "signature": Ed25519(PARTY_HEAD_DOMAIN || canonical({"at","hash","n","party"}))}

``n`` is the number of entries the party may see (it receives every one of them anyway); ``q_k``
folds the *global* chain hashes of those entries, each of which commits to the whole record
before it, other parties' entries included. To the party ``q_k`` is an opaque commitment it cannot
open (it never learns a global chain hash), so it learns nothing of the others from it; to a
verifier holding the record it pins the whole record up to the party's k-th entry. A hub that later
edits, drops or re-chains anything at or before that entry — and re-signs everything with its own
key — cannot make the recomputed ``q_k`` match the head the party already holds; one that deletes
entries finds the party holding a head for an entry the record no longer has.

:class:`HeadChecker` does the recomputation, fed entry by entry by :func:`~airdecon.audit.verify_chain`
(from a store) or :func:`~airdecon.audit.verify_export` (from an incident export).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from airdecon.audit._canonical import GENESIS, canonical_bytes, link
from airdecon.audit._keys import Signer, key_id, verify_signature
from airdecon.documents import load_json_lines
from airdecon.errors import InputError, IntegrityError

if TYPE_CHECKING:
    from airdecon.store._protocol import Store

__all__ = [
    "PARTY_HEAD_DOMAIN",
    "HeadChecker",
    "HeadsReport",
    "PartyFold",
    "PartyHead",
    "fold_parties",
    "fold_party",
    "load_heads",
    "party_head_message",
    "sign_party_head",
]

#: Domain-separation prefix of every signed party head (never valid as a checkpoint, and back).
PARTY_HEAD_DOMAIN = b"airdecon-party-head-v1\n"


def party_head_message(party: str, n: int, chain_hash: str, at: float) -> bytes:
    """The exact bytes a party head's signature covers."""
    fields = {"at": float(at), "hash": chain_hash, "n": int(n), "party": party}
    return PARTY_HEAD_DOMAIN + canonical_bytes(fields)


@dataclass(frozen=True)
class PartyHead:
    """A signed statement by the hub: "the first ``n`` entries *party* may see fold to ``hash``".

    Attributes
    ----------
    party : str
        The party it was issued to.
    n : int
        How many entries of the record that party may see (1, 2, …).
    hash : str
        The fold of their global chain hashes (hex), see the module docstring.
    at : float
        POSIX seconds when it was signed: every entry it covers was recorded at or before it.
    key_id, signature : str
        The signing key's id and the Ed25519 signature (hex) of :func:`party_head_message`.
    """

    party: str
    n: int
    hash: str
    at: float
    key_id: str
    signature: str

    def to_json(self) -> dict[str, object]:
        """As the stream sends it (``{"type": "head", …}``) and as a heads file keeps it."""
        return {"type": "head", "party": self.party, "n": self.n, "hash": self.hash, "at": self.at,
                "key_id": self.key_id, "signature": self.signature}

    @classmethod
    def from_json(cls, obj: object) -> PartyHead:
        """Read one head (``type`` optional); raises :class:`~airdecon.errors.InputError`."""
        if not isinstance(obj, Mapping):
            raise InputError("a head is a JSON object")
        try:
            party, n, h, at = obj["party"], obj["n"], obj["hash"], obj["at"]
            kid, sig = obj["key_id"], obj["signature"]
        except KeyError as exc:
            raise InputError(f"a head lacks {exc}") from None
        if (not isinstance(party, str) or isinstance(n, bool) or not isinstance(n, int) or n < 1
                or not isinstance(h, str) or isinstance(at, bool) or not isinstance(at, int | float)
                or not isinstance(kid, str) or not isinstance(sig, str)):
            raise InputError(f"malformed head: {dict(obj)!r:.200}")
        return cls(party, n, h, float(at), kid, sig)

    def check(self, public: Ed25519PublicKey) -> None:
        """Raise :class:`~airdecon.errors.IntegrityError` unless *public* signed this head."""
        if self.key_id != key_id(public):
            raise IntegrityError(0, f"{self.party}'s head {self.n} is signed by key {self.key_id}, "
                                    f"not by the trusted key {key_id(public)}")
        if not verify_signature(public, party_head_message(self.party, self.n, self.hash, self.at),
                                self.signature):
            raise IntegrityError(0, f"{self.party}'s head {self.n} has an invalid signature")


def sign_party_head(signer: Signer, party: str, n: int, chain_hash: str, at: float) -> PartyHead:
    """A head of *party*'s extract signed by *signer* (the hub key)."""
    sig = signer.sign(party_head_message(party, n, chain_hash, at)).hex()
    return PartyHead(party, int(n), chain_hash, float(at), signer.key_id, sig)


@dataclass
class PartyFold:
    """A party's extract folded so far: ``n`` entries, fold ``hash`` (mutable, one per party)."""

    n: int = 0
    hash: str = GENESIS

    def add(self, chain_hash: str) -> None:
        """Fold in the next entry the party may see, by its global chain hash."""
        self.n += 1
        self.hash = link(self.hash, chain_hash)


def fold_party(store: Store, party: str, *, through_seq: int, page: int = 1000) -> PartyFold:
    """*party*'s fold over the entries it may see up to global entry *through_seq*, from the
    hashes *store* holds (verify them with :func:`~airdecon.audit.verify_chain`)."""
    fold, seq = PartyFold(), 0
    while seq < through_seq and (batch := store.events_after(seq, party=party, limit=page)):
        for ev in batch:
            if ev.seq > through_seq:
                return fold
            fold.add(ev.hash)
        seq = batch[-1].seq
    return fold


def fold_parties(store: Store, parties: Iterable[str], *, through_seq: int,
                 page: int = 1000) -> dict[str, PartyFold]:
    """Every one of *parties*' folds up to global entry *through_seq*, in one pass over the record
    (what :func:`fold_party` gives for each; a hub at start folds every party's extract at once)."""
    folds = {p: PartyFold() for p in parties}
    seq = 0
    while seq < through_seq and (batch := store.events_after(seq, limit=page)):
        for ev in batch:
            if ev.seq > through_seq:
                return folds
            for p, fold in folds.items():
                if ev.visible_to(p):
                    fold.add(ev.hash)
        seq = batch[-1].seq
    return folds


def load_heads(path: str | Path) -> list[PartyHead]:
    """The heads a party saved: a JSON lines file, one head a line (blank lines skipped), each
    line read by the strict reader of :mod:`airdecon.documents`.

    Raises
    ------
    InputError
        The file cannot be read, or a line is not a head (a
        :class:`~airdecon.errors.MalformedInput` naming ``file:line``, the rule and where, when the
        reader refuses it).
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read heads {path}: {exc.strerror or exc}") from None
    heads = []
    for i, obj in load_json_lines(data, source=str(path)):
        try:
            heads.append(PartyHead.from_json(obj))
        except InputError as exc:
            raise InputError(f"{path}:{i}: {exc}") from None
    return heads


@dataclass(frozen=True)
class HeadsReport:
    """What a :class:`HeadChecker` established.

    Attributes
    ----------
    checked : int
        Heads the record was recomputed against, each matching.
    uncovered : int
        Heads outside what was read (before an export's window, or after it), not checked.
    parties : tuple of str
        The parties whose heads were given.
    """

    checked: int
    uncovered: int
    parties: tuple[str, ...]


@dataclass
class _Party:
    fold: PartyFold
    pending: dict[int, list[PartyHead]] = field(default_factory=dict)


class HeadChecker:
    """Recompute each party's fold while a verifier walks the record, and compare it with the
    heads the parties hold.

    Parameters
    ----------
    heads : iterable of PartyHead
        Every party's saved heads (several parties at once is fine).
    public : Ed25519PublicKey
        The hub's key: every head's signature is checked first.
    anchors : mapping of party -> (n, hash), optional
        Folds before the first entry that will be fed (an export's ``party_anchors``), for a walk
        that does not start at entry 1; parties without one start at ``(0, GENESIS)``. An anchor
        is the exporter's claim, not signed: heads at or before it are not checked (reported
        *uncovered*), only those the walk reaches by folding.
    since : float, optional
        When the walk starts after entry 1: the time of its first entry. A head signed before it
        covers only entries before the walk, so it must lie at or before its party's anchor.
    """

    def __init__(self, heads: Iterable[PartyHead], public: Ed25519PublicKey,
                 anchors: Mapping[str, tuple[int, str]] | None = None, since: float | None = None) -> None:
        self._parties: dict[str, _Party] = {}
        self.checked = self.uncovered = self._last_seq = 0
        anchors = anchors or {}
        for head in heads:
            head.check(public)
            n0, h0 = anchors.get(head.party, (0, GENESIS))
            p = self._parties.setdefault(head.party, _Party(PartyFold(n0, h0)))
            if head.n <= p.fold.n:
                self.uncovered += 1  # before the walk: nothing read says what it was
                continue
            if since is not None and head.at < since:
                raise IntegrityError(0, f"{head.party} holds a head signed at {head.at:.0f} for its entry "
                                        f"{head.n}, before the export's first entry, but the export says "
                                        f"it had only {p.fold.n} entries then: its anchor is false")
            p.pending.setdefault(head.n, []).append(head)

    @property
    def parties(self) -> tuple[str, ...]:
        """The parties whose heads are checked."""
        return tuple(sorted(self._parties))

    def _compare(self, head: PartyHead, fold_hash: str, seq: int) -> None:
        if head.hash != fold_hash:
            raise IntegrityError(seq, f"{head.party}'s signed head {head.n} (signed at {head.at:.0f}) does "
                                      f"not match the record: entries at or before entry {seq} were "
                                      "altered, deleted or re-chained since that head was issued")
        self.checked += 1

    def feed(self, seq: int, visible_to: Iterable[str] | None, chain_hash: str) -> None:
        """The next entry of the walk: its ``seq``, who may see it (``None``: every party), and its
        recomputed chain hash."""
        self._last_seq = seq
        names = self._parties if visible_to is None else [p for p in visible_to if p in self._parties]
        for name in names:
            p = self._parties[name]
            p.fold.add(chain_hash)
            for head in p.pending.pop(p.fold.n, ()):
                self._compare(head, p.fold.hash, seq)

    def finish(self, *, complete: bool, until: float | None = None) -> HeadsReport:
        """End the walk. A head past what was read is a truncation when the walk read the whole
        record (*complete*), or, for an export whose window ends at *until*, when the head was
        signed within the window (every entry it covers was then recorded within it too)."""
        for name, p in sorted(self._parties.items()):
            for n in sorted(p.pending):
                for head in p.pending[n]:
                    if complete or (until is not None and head.at <= until):
                        raise IntegrityError(
                            self._last_seq + 1,
                            f"{name} holds a head signed at {head.at:.0f} for its entry {n}, but the record "
                            f"shows only {p.fold.n} entries it may see by then: entries were deleted",
                        )
                    self.uncovered += 1
            p.pending.clear()
        return HeadsReport(self.checked, self.uncovered, self.parties)
