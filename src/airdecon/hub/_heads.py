"""Signing the record as it grows: global checkpoints on a clock, and each party's signed heads.

The store signs a checkpoint in the same transaction as every ``checkpoint_every``-th entry; a
small hub may never reach that count, so :class:`Heads` also signs one every ``checkpoint_s``
seconds when the record has grown, and one when the hub stops. The engine and the store know no
clock: the hub's clock drives :meth:`Heads.tick`.

Each party also receives, on its stream (``{"type": "head", …}``) and from
``GET /v1/audit/head``, signed heads of **its own extract** of the record (see
:mod:`airdecon.audit._heads`): a count it already knows (the entries it may see) and a commitment
it cannot open. A head is signed at a tick only when that party's own extract has grown since its
last head, so when heads come, and what they say, depend on nothing but the party's own entries and
the clock. A party that keeps its heads can later prove, with ``airdecon audit check --heads``,
that the record was not truncated nor rewritten since — even by someone holding the hub key.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from airdecon.audit import PartyFold, PartyHead, fold_parties, sign_party_head
from airdecon.errors import AirdeconError
from airdecon.hub._context import HubContext
from airdecon.store import ALL, Event

__all__ = ["Heads"]

log = logging.getLogger("airdecon.hub")


class Heads:
    """The folds of every party's extract, their signed heads, and the timed checkpoints.

    Parameters
    ----------
    ctx : HubContext
    push : callable
        ``push(party, head)``: hand a new head to *party*'s live subscribers (called with the
        lock held that orders it after the events it covers).
    """

    def __init__(self, ctx: HubContext, push: Callable[[str, PartyHead], None]) -> None:
        self._ctx = ctx
        self._push = push
        self.lock = threading.Lock()  # orders folds, heads and their publication
        self._tick_lock = threading.Lock()
        through = ctx.store.head().seq
        self._folds: dict[str, PartyFold] = fold_parties(ctx.store, ctx.parties, through_seq=through)
        self._latest: dict[str, PartyHead] = {}
        self._last_tick = ctx.clock()
        self._checkpointed = 0

    # ------------------------------------------------------------------ the writer's side
    def observe(self, events: Sequence[Event]) -> None:
        """Fold newly committed *events* into each party's extract (in the writer thread, in
        sequence order; the caller holds :attr:`lock`)."""
        for ev in events:
            for p in self._ctx.parties if ev.audience == ALL else ev.audience:
                fold = self._folds.get(p)
                if fold is not None:
                    fold.add(ev.hash)

    # ------------------------------------------------------------------ the clock's side
    def latest(self, party: str) -> PartyHead | None:
        """The last head signed for *party* (``None`` before its first)."""
        with self.lock:
            return self._latest.get(party)

    def tick(self) -> bool:
        """Sign what is due now: a checkpoint and the heads when ``checkpoint_s`` has passed since
        the last tick that signed (``checkpoint_s`` 0: never on the clock). True if it signed."""
        period = self._ctx.settings.checkpoint_s
        if period <= 0 or self._ctx.clock() - self._last_tick < period:
            return False
        self.sign_now()
        return True

    def sign_now(self) -> None:
        """Sign a checkpoint of the global head if the record grew since the last one, and a
        head for every party whose extract grew since its last head; push the heads."""
        ctx = self._ctx
        with self._tick_lock:
            now = ctx.clock()
            self._last_tick = now
            head = ctx.store.head()
            if head.seq > self._checkpointed:
                try:
                    self._checkpointed = ctx.store.checkpoint(at=now).seq
                except AirdeconError:
                    log.exception("could not sign a checkpoint")
            with self.lock:
                for p in ctx.parties:
                    fold, last = self._folds[p], self._latest.get(p)
                    if fold.n == 0 or (last is not None and last.n == fold.n):
                        continue
                    h = sign_party_head(ctx.hub_key, p, fold.n, fold.hash, now)
                    self._latest[p] = h
                    self._push(p, h)

    def loop(self) -> None:
        """Tick until the hub stops (often enough for ``checkpoint_s``)."""
        period = self._ctx.settings.checkpoint_s
        if period <= 0:
            return
        self._ctx.every(min(1.0, period / 2), self.tick, "signing a checkpoint failed")
