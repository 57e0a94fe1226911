"""The record and its fan-out: every event appended durably, then published to who may see it.

Every event of the hub goes through :class:`Record`: appended (group-committed) to the store's
hash-chained record *before* it is published to live subscribers or acknowledged, so an
acknowledged report, message or distress survives a crash. It also answers what a party may read
back from the record (backlog, history, its replay window, its disclosure ledger), encodes events
and cursors for the wire, and keeps the hub's own verification of the whole chain. Its
:attr:`Record.heads` signs checkpoints on the clock and at shutdown, and each party's signed heads,
pushed on the party's stream after the events they cover (:mod:`airdecon.hub._heads`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from airdecon.audit import PartyHead, verify_chain
from airdecon.errors import AirdeconError, InputError
from airdecon.hub._context import HubContext
from airdecon.hub._heads import Heads
from airdecon.hub._reports import expand
from airdecon.hub._writer import GroupWriter
from airdecon.store import ALL, Appended, Event, NewEvent

__all__ = ["Record", "Subscriber", "WindowPage"]

log = logging.getLogger("airdecon.hub")


@dataclass(frozen=True)
class WindowPage:
    """One page of a party's record window (:meth:`Record.record_pages`).

    Attributes
    ----------
    events : list of Event
        The page's events, in sequence order (perhaps none).
    truncated : bool
        The row bound (``record_rows``) cut the window after this page: there are more events in
        it after the last one given.
    """

    events: list[Event]
    truncated: bool = False


@dataclass(eq=False)
class Subscriber:
    """One live WebSocket of one party: a queue of events (and signed heads) the hub pushes to it."""

    party: str
    queue: asyncio.Queue[Event | PartyHead | None] = field(
        default_factory=lambda: asyncio.Queue(maxsize=100_000)
    )
    loop: asyncio.AbstractEventLoop | None = None
    overflowed: bool = False


class Record:
    """Appends, publishes and reads back the hub's record (see the module docstring)."""

    def __init__(self, ctx: HubContext) -> None:
        self._ctx = ctx
        self._writer = GroupWriter(ctx.store, ctx.clock)
        head = ctx.store.head().seq  # until their next event, every party's cursor is the start's head
        self._visible: dict[str, int] = {p: head for p in ctx.parties}  # party -> last entry it may see
        self._verified: dict[str, Any] | None = None  # the last whole-chain verification
        self._subscribers: set[Subscriber] = set()
        self._sub_lock = threading.Lock()
        self.readers: dict[str, float] = {}  # party -> start (monotonic) of its GET /v1/record answer
        self.heads = Heads(ctx, self._push_head)
        self._closed = False

    def close(self) -> None:
        """Finish the writes under way, stop the writer, then sign the final checkpoint and heads
        (a hub that stops cleanly leaves no unsigned entry). Once: a second call does nothing."""
        if self._closed:
            return
        self._closed = True
        self._writer.close()
        try:
            self.heads.sign_now()
        except Exception:
            log.exception("could not sign the final checkpoint")

    # ------------------------------------------------------------------ append + fan-out
    def append(self, events: Sequence[NewEvent]) -> list[Event]:
        """Append durably, then publish to live subscribers; return the stored events."""
        if not events:
            return []
        appended = self._writer.append(events, self._publish_new)
        return [a.event for a in appended]

    def append_then(
        self, events: Sequence[NewEvent], on_commit: Callable[[list[Appended]], None]
    ) -> list[Appended]:
        """Append durably; after the commit (in sequence order with every other commit), call
        *on_commit* and then publish what is new. Returns what was appended or replayed."""

        def committed(appended: list[Appended]) -> None:
            on_commit(appended)
            self._publish_new(appended)

        return self._writer.append(events, committed)

    def _publish_new(self, appended: Sequence[Appended]) -> None:
        """After a commit (in the writer thread, in sequence order): publish what is new."""
        new = [a.event for a in appended if not a.replayed]
        for ev in new:
            for p in self._ctx.parties if ev.audience == ALL else ev.audience:
                if ev.seq > self._visible.get(p, 0):
                    self._visible[p] = ev.seq
        with self.heads.lock:  # a head signed now is queued after these events
            self.heads.observe(new)
            self._publish(new)

    def _publish(self, events: Sequence[Event]) -> None:
        with self._sub_lock:
            subs = list(self._subscribers)
        for sub in subs:
            mine = [e for e in events if e.visible_to(sub.party)]
            if not mine or sub.loop is None:
                continue
            sub.loop.call_soon_threadsafe(self._enqueue, sub, mine)

    def _push_head(self, party: str, head: PartyHead) -> None:
        with self._sub_lock:
            subs = [s for s in self._subscribers if s.party == party]
        for sub in subs:
            if sub.loop is not None:
                with contextlib.suppress(RuntimeError):  # its loop already closed (stopping)
                    sub.loop.call_soon_threadsafe(self._enqueue, sub, [head])

    @staticmethod
    def _enqueue(sub: Subscriber, events: Sequence[Event | PartyHead]) -> None:
        for e in events:
            try:
                sub.queue.put_nowait(e)
            except asyncio.QueueFull:
                sub.overflowed = True  # the socket will be closed; the client resumes from its cursor
                return

    def subscribe(self, sub: Subscriber) -> None:
        """Push the events *sub*'s party may see to *sub* from now on."""
        with self._sub_lock:
            self._subscribers.add(sub)

    def streams_of(self, party: str) -> int:
        """How many live streams *party* holds open."""
        with self._sub_lock:
            return sum(1 for s in self._subscribers if s.party == party)

    def subscribe_within(self, sub: Subscriber, limit: int) -> bool:
        """Subscribe *sub* unless its party already holds *limit* streams (then ``False``)."""
        with self._sub_lock:
            if sum(1 for s in self._subscribers if s.party == sub.party) >= limit:
                return False
            self._subscribers.add(sub)
            return True

    def unsubscribe(self, sub: Subscriber) -> None:
        """Stop pushing to *sub*."""
        with self._sub_lock:
            self._subscribers.discard(sub)

    # ------------------------------------------------------------------ the wire
    def wire(self, party: str, ev: Event) -> dict[str, Any]:
        """An event as *party* receives it: opaque cursor, kind, time, data (already disclosed)."""
        return {
            "type": "event",
            "cursor": self.cursor(party, ev.seq),
            "kind": ev.kind,
            "at": ev.at,
            "from": ev.origin,
            "data": expand(ev.payload) if ev.kind == "report" else ev.payload,
        }

    def cursor(self, party: str, seq: int) -> str:
        """*party*'s opaque cursor for global entry *seq*."""
        return self._ctx.cursors.encode(party, seq)

    def after(self, party: str, cursor: str | None) -> int:
        """The global entry *party*'s *cursor* stands for (0 without one); refuses a cursor not
        issued to *party*."""
        return self._ctx.cursors.decode(party, cursor) if cursor else 0

    def visible_seq(self, party: str) -> int:
        """The last record entry *party* may see: a cursor from it moves only with *party*'s own
        events (the record's global head would move with everyone's)."""
        return self._visible.get(party, 0)

    # ------------------------------------------------------------------ reading back
    def backlog(self, party: str, after_seq: int, limit: int = 1000) -> list[Event]:
        """Stored events visible to *party* after global entry *after_seq*."""
        return self._ctx.store.events_after(after_seq, party=party, limit=limit)

    def history(self, party: str, kinds: Sequence[str], after_seq: int = 0, limit: int = 500) -> list[Event]:
        """Stored events of the given kinds visible to *party*."""
        return self._ctx.store.events_after(after_seq, party=party, kinds=kinds, limit=limit)

    def record_pages(
        self, party: str, t_from: float, t_to: float, after_seq: int = 0
    ) -> Iterator[WindowPage]:
        """Everything *party* sent or was shown between two times (for its replay view), after
        global entry *after_seq*, page by page: filtered in the store, so its cost is that of
        *party*'s own entries, and read one page (``record_page`` entries) at a time, so holding
        the answer costs one page. It stops after ``record_rows`` entries, the last page then
        ``truncated``.

        The window is checked at once (:class:`~airdecon.errors.InputError`), before any page is
        read; each page is read when it is asked for. At least one page comes, perhaps empty.
        """
        if not (math.isfinite(t_from) and math.isfinite(t_to)) or t_to < t_from:
            raise InputError("from/to: finite POSIX seconds with from <= to")
        span = self._ctx.settings.record_span_s
        if t_to - t_from > span:
            raise InputError(f"the window may span at most {span:g} s ({span / 86400:g} days)")
        return self._pages(party, t_from, t_to, after_seq)

    def _pages(self, party: str, t_from: float, t_to: float, after_seq: int) -> Iterator[WindowPage]:
        store, rows, page = self._ctx.store, self._ctx.settings.record_rows, self._ctx.settings.record_page
        sent = 0
        while True:
            want = min(page, rows - sent + 1)  # one entry past the bound tells that the window goes on
            got = store.events_between(t_from, t_to, parties=[party], limit=want, after_seq=after_seq)
            mine = [e for e in got if e.visible_to(party) or e.origin == party]
            take = mine[: rows - sent]
            sent += len(take)
            if len(mine) > len(take):  # the bound cuts the window: more after the last one taken
                yield WindowPage(take, truncated=True)
                return
            if len(got) < want:  # the store's short page: the window's end
                yield WindowPage(take)
                return
            yield WindowPage(take)
            after_seq = got[-1].seq

    def disclosures(self, party: str, after_seq: int = 0, limit: int = 500) -> list[Event]:
        """The disclosure ledger of *party*: every time one of its aircraft was shown to another
        party under an alert (when, to whom, which aircraft by its own id, at what precision)."""
        return self.history(party, ("disclosure",), after_seq, limit)

    # ------------------------------------------------------------------ verification
    def audit_verify(self) -> dict[str, Any]:
        """The last verification of the whole chain and its signed checkpoints, made on the hub's
        own schedule (``verify_s``): its cost and answer do not depend on who asks or when."""
        if self._verified is None:
            return {"ok": None, "state": "verifying", "hub_key": self._ctx.hub_key.public_pem().decode()}
        return self._verified

    def verify_now(self) -> None:
        """Verify the whole chain now and keep the answer for :meth:`audit_verify`."""
        ctx = self._ctx
        try:
            report = verify_chain(ctx.store, ctx.hub_key.public_key)
            self._verified = {
                "ok": True,
                "state": "verified",
                "head_hash": report.head_hash,
                "signatures_checked": report.signatures_checked,
                "verified_at": round(ctx.clock()),
                "hub_key": ctx.hub_key.public_pem().decode(),
            }
        except AirdeconError as exc:
            self._verified = {
                "ok": False,
                "state": "broken",
                "error": str(exc),
                "verified_at": round(ctx.clock()),
                "hub_key": ctx.hub_key.public_pem().decode(),
            }

    def verify_loop(self) -> None:
        """Verify the record at start and every ``verify_s`` until the hub stops."""
        self.verify_now()
        self._ctx.every(self._ctx.settings.verify_s, self.verify_now, "record verification failed")
