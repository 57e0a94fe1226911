"""``memory://``: the in-process store, shipped for tests and demos (nothing survives the process).

One re-entrant lock serialises every call, so it is thread-safe; it keeps the same hash chain and
checkpoints as the durable stores, so the audit tools work on it too.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from airdecon.audit._canonical import GENESIS
from airdecon.errors import NotFound, StoreError
from airdecon.store._core import (
    DEFAULT_CHECKPOINT_EVERY,
    check_every,
    check_kinds,
    check_owners,
    check_page,
    check_through,
    new_token,
    plan_batch,
    sign_checkpoint,
    token_hash,
)
from airdecon.store._records import (
    AircraftState,
    Appended,
    ChainHead,
    Checkpoint,
    Event,
    IssuedToken,
    NewEvent,
    Party,
    check_party_name,
    finite,
)

if TYPE_CHECKING:
    from airdecon.audit._keys import Signer

__all__ = ["MemoryStore"]


class _Token:
    __slots__ = ("party", "revoked", "sha256")

    def __init__(self, party: str, sha256: str) -> None:
        self.party = party
        self.sha256 = sha256
        self.revoked = False


class MemoryStore:
    """A :class:`~airdecon.store.Store` held in Python objects.

    Parameters
    ----------
    signer : Signer or None
        Signs a checkpoint every *checkpoint_every* entries, and on demand.
    checkpoint_every : int
        Entries between automatic checkpoints (0: only on demand).
    """

    def __init__(self, *, signer: Signer | None = None,
                 checkpoint_every: int = DEFAULT_CHECKPOINT_EVERY) -> None:
        self.url = "memory://"
        self._signer = signer
        self._every = check_every(checkpoint_every)
        self._lock = threading.RLock()
        self._parties: dict[str, Party] = {}
        self._tokens: dict[str, _Token] = {}  # by token id
        self._by_hash: dict[str, str] = {}  # token sha256 -> token id
        self._events: list[Event] = []  # events[seq - 1]
        self._keys: dict[tuple[str, str], int] = {}  # (origin, idempotency key) -> seq
        self._checkpoints: dict[int, Checkpoint] = {}
        self._states: dict[str, AircraftState] = {}
        self._through = 0
        self._closed = False

    def _open(self) -> None:
        if self._closed:
            raise StoreError("the store is closed")

    # -- parties and credentials -----------------------------------------------------------------
    def add_party(self, name: str, *, at: float) -> Party:
        """See :meth:`Store.add_party`."""
        check_party_name(name)
        with self._lock:
            self._open()
            return self._parties.setdefault(name, Party(name, finite(at)))

    def get_party(self, name: str) -> Party:
        """See :meth:`Store.get_party`."""
        with self._lock:
            self._open()
            try:
                return self._parties[name]
            except KeyError:
                raise NotFound("party", name) from None

    def parties(self) -> list[Party]:
        """See :meth:`Store.parties`."""
        with self._lock:
            self._open()
            return [self._parties[n] for n in sorted(self._parties)]

    def issue_token(self, party: str, *, at: float) -> IssuedToken:
        """See :meth:`Store.issue_token`."""
        finite(at)
        with self._lock:
            self.get_party(party)
            token_id, token = new_token()
            self._tokens[token_id] = _Token(party, token_hash(token))
            self._by_hash[token_hash(token)] = token_id
            return IssuedToken(token_id, party, token)

    def authenticate(self, token: str) -> Party | None:
        """See :meth:`Store.authenticate`."""
        with self._lock:
            self._open()
            token_id = self._by_hash.get(token_hash(token))
            if token_id is None or self._tokens[token_id].revoked:
                return None
            return self._parties[self._tokens[token_id].party]

    def revoke_token(self, token_id: str, *, at: float) -> None:
        """See :meth:`Store.revoke_token`."""
        finite(at)
        with self._lock:
            self._open()
            if token_id not in self._tokens:
                raise NotFound("token", token_id)
            self._tokens[token_id].revoked = True

    # -- the event log ---------------------------------------------------------------------------
    def append(self, event: NewEvent, *, at: float) -> Appended:
        """See :meth:`Store.append`."""
        return self.append_many([event], at=at)[0]

    def append_many(self, events: Sequence[NewEvent], *, at: float) -> list[Appended]:
        """See :meth:`Store.append_many`."""
        at = finite(at)
        with self._lock:
            self._open()
            batch = plan_batch(events, at=at, head=self.head(), stored=self._stored, signer=self._signer,
                               every=self._every)
            # nothing raised: commit the batch
            for ev, _ in batch.new:
                self._events.append(ev)
                if ev.idempotency_key is not None:
                    self._keys[(ev.origin, ev.idempotency_key)] = ev.seq
            for cp in batch.checkpoints:
                self._checkpoints[cp.seq] = cp
            return batch.results

    def _stored(self, origin: str, key: str) -> Event | None:
        seq = self._keys.get((origin, key))
        return None if seq is None else self._events[seq - 1]

    def events_after(
        self, seq: int, *, party: str | None = None, kinds: Collection[str] | None = None, limit: int = 1000
    ) -> list[Event]:
        """See :meth:`Store.events_after`."""
        seq, limit = check_page(seq, limit)
        wanted = check_kinds(kinds)
        with self._lock:
            self._open()
            out: list[Event] = []
            for ev in self._events[seq:]:
                if len(out) >= limit:
                    break
                if (party is None or ev.visible_to(party)) and (wanted is None or ev.kind in wanted):
                    out.append(ev)
            return out

    def events_between(
        self,
        t_from: float,
        t_to: float,
        *,
        parties: Collection[str] | None = None,
        limit: int | None = None,
        after_seq: int = 0,
    ) -> list[Event]:
        """See :meth:`Store.events_between`."""
        t_from, t_to = finite(t_from, "t_from"), finite(t_to, "t_to")
        after_seq, cap = check_page(after_seq, 1 if limit is None else limit)
        out: list[Event] = []
        with self._lock:
            self._open()
            for i in range(after_seq, len(self._events)):  # events[seq - 1]: seq after_seq + 1 on
                if limit is not None and len(out) >= cap:
                    break
                ev = self._events[i]
                if t_from <= ev.at <= t_to and (
                    parties is None or ev.origin in parties or any(ev.visible_to(p) for p in parties)
                ):
                    out.append(ev)
        return out

    def head(self) -> ChainHead:
        """See :meth:`Store.head`."""
        with self._lock:
            self._open()
            if not self._events:
                return ChainHead(0, GENESIS)
            return ChainHead(self._events[-1].seq, self._events[-1].hash)

    # -- checkpoints -----------------------------------------------------------------------------
    def checkpoint(self, *, at: float) -> Checkpoint:
        """See :meth:`Store.checkpoint`."""
        at = finite(at)
        with self._lock:
            head = self.head()
            if self._signer is None:
                raise StoreError("this store has no signing key: cannot make a checkpoint")
            if head.seq == 0:
                raise StoreError("the log is empty: nothing to checkpoint")
            if head.seq not in self._checkpoints:
                self._checkpoints[head.seq] = sign_checkpoint(
                    self._signer, seq=head.seq, chain_hash=head.hash, at=at
                )
            return self._checkpoints[head.seq]

    def checkpoints(self, *, after_seq: int = 0) -> list[Checkpoint]:
        """See :meth:`Store.checkpoints`."""
        with self._lock:
            self._open()
            return [self._checkpoints[s] for s in sorted(self._checkpoints) if s > after_seq]

    # -- aircraft states -------------------------------------------------------------------------
    def save_states(self, states: Sequence[AircraftState], *, through_seq: int | None = None) -> None:
        """See :meth:`Store.save_states`."""
        through = check_through(through_seq)
        with self._lock:
            self._open()
            check_owners(states, {s.aircraft_id: self._states[s.aircraft_id].party
                                  for s in states if s.aircraft_id in self._states})
            for st in states:
                old = self._states.get(st.aircraft_id)
                if old is None or old.t <= st.t:
                    self._states[st.aircraft_id] = st
            if through is not None:
                self._through = max(self._through, through)

    def states_through(self) -> int:
        """See :meth:`Store.states_through`."""
        with self._lock:
            self._open()
            return self._through

    def latest_states(self, *, party: str | None = None) -> list[AircraftState]:
        """See :meth:`Store.latest_states`."""
        with self._lock:
            self._open()
            return [
                self._states[a] for a in sorted(self._states)
                if party is None or self._states[a].party == party
            ]

    def close(self) -> None:
        """See :meth:`Store.close`."""
        with self._lock:
            self._closed = True
