"""The ``Store`` protocol: what the hub and the audit tools may ask of any store implementation."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol, runtime_checkable

from airdecon.store._records import (
    AircraftState,
    Appended,
    ChainHead,
    Checkpoint,
    Event,
    IssuedToken,
    NewEvent,
    Party,
)

__all__ = ["Store"]


@runtime_checkable
class Store(Protocol):
    """Persistence for the hub: parties and credentials, the hash-chained event log, aircraft states.

    Every implementation is safe to call from several threads at once. Writes are serialised and
    durable when the call returns. Times are parameters: a store never reads the clock.
    """

    url: str

    # -- parties and credentials -------------------------------------------------------------
    def add_party(self, name: str, *, at: float) -> Party:
        """Add party *name* (or return it unchanged if it exists)."""
        ...

    def get_party(self, name: str) -> Party:
        """The party called *name*; raises :class:`~airdecon.errors.NotFound`."""
        ...

    def parties(self) -> list[Party]:
        """Every party, by name."""
        ...

    def issue_token(self, party: str, *, at: float) -> IssuedToken:
        """A new random bearer token for *party*; only its SHA-256 is stored."""
        ...

    def authenticate(self, token: str) -> Party | None:
        """The party a live (unrevoked) *token* belongs to, or ``None``."""
        ...

    def revoke_token(self, token_id: str, *, at: float) -> None:
        """Revoke a token by its public id; raises :class:`~airdecon.errors.NotFound`."""
        ...

    # -- the event log -----------------------------------------------------------------------
    def append(self, event: NewEvent, *, at: float) -> Appended:
        """Append one event at time *at* (see :meth:`append_many`)."""
        ...

    def append_many(self, events: Sequence[NewEvent], *, at: float) -> list[Appended]:
        """Append *events* in order, atomically, with consecutive sequence numbers and chain hashes.

        Idempotent replays come back with ``replayed=True`` and their original event; a reused
        key with different content raises :class:`~airdecon.errors.WriteConflict` and nothing of the
        batch is written. A checkpoint is signed every ``checkpoint_every`` entries when the store
        has a signer.
        """
        ...

    def events_after(
        self, seq: int, *, party: str | None = None, kinds: Collection[str] | None = None, limit: int = 1000
    ) -> list[Event]:
        """Up to *limit* events with sequence number > *seq*, in order; only those visible to
        *party* when given (``None``: all, for audit), and of one of *kinds* when given."""
        ...

    def events_between(
        self,
        t_from: float,
        t_to: float,
        *,
        parties: Collection[str] | None = None,
        limit: int | None = None,
        after_seq: int = 0,
    ) -> list[Event]:
        """Events with ``t_from <= at <= t_to`` and sequence number > *after_seq*, in sequence
        order; with *parties*, only those one of them sent or may see; at most *limit* of them.

        Read a long window page by page: pass the last sequence number of one page as the next
        one's *after_seq*. A page of fewer than *limit* events is the window's last (events the
        store's re-check of the hashed audience refuses do not shorten a page).
        """
        ...

    def head(self) -> ChainHead:
        """The last entry's sequence number and chain hash (0 and the genesis hash when empty)."""
        ...

    # -- checkpoints ---------------------------------------------------------------------------
    def checkpoint(self, *, at: float) -> Checkpoint:
        """Sign the current head now (on demand); raises :class:`~airdecon.errors.StoreError`
        when the store has no signer or the log is empty."""
        ...

    def checkpoints(self, *, after_seq: int = 0) -> list[Checkpoint]:
        """Stored checkpoints with ``seq > after_seq``, in order."""
        ...

    # -- aircraft states -----------------------------------------------------------------------
    def save_states(self, states: Sequence[AircraftState], *, through_seq: int | None = None) -> None:
        """Upsert the latest state of each aircraft (an older ``t`` never overwrites a newer one).

        *through_seq*, when given, records in the same transaction that the cache now holds every
        state reported in the log up to that entry (the mark never moves back); see
        :meth:`states_through`.

        Raises :class:`~airdecon.errors.WriteConflict` if an aircraft belongs to another party;
        nothing of the batch is written then.
        """
        ...

    def states_through(self) -> int:
        """The log entry up to which the saved states are complete (0: none recorded): a restarted
        hub reloads :meth:`latest_states` and replays the reports after it."""
        ...

    def latest_states(self, *, party: str | None = None) -> list[AircraftState]:
        """Latest state of every aircraft (of *party* when given), by aircraft id."""
        ...

    def close(self) -> None:
        """Release connections and threads. The store is unusable afterwards."""
        ...
