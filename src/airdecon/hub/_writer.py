"""Group commit: the hub's appends to the record, from one thread, many events a transaction.

Every report batch, alert, message and receipt must be durable in the hash-chained record before it
is acknowledged or published. Appended one transaction each from many threads, they queue on the
store's write lock, and under load each transaction is stretched by the interpreter lock: an alert
waited behind four report batches. Here one thread takes everything queued since its last
transaction and appends it in one (one fsync), then, in sequence order and before any caller
wakes, runs each request's ``on_commit`` (the hub publishes there, so subscribers always receive
events in order). A request that makes the group fail (an idempotency conflict, say) is retried
alone, so it fails alone.

Short requests go first: when a group holds both, those under :data:`SHORT_BYTES` of payload
(an alert, a message, one aircraft's report) are committed in a transaction of their own before
the long ones (a batch of 1,000 reports), whatever their order in the queue. Concurrent requests
have no order of their own to keep, and a report that causes an alert no longer waits behind
every batch of the fleet that arrived with it.

Shutdown never leaves a caller waiting: :meth:`GroupWriter.close` lets the writer finish what is
queued within its timeout, then fails whatever is still waiting (queued, or in a transaction the
store has not answered) with :class:`WriterClosed`; an append after the close, or after the
writer thread ended for any reason, fails at once with it too.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from airdecon.errors import StoreError
from airdecon.store import Appended, NewEvent, Store

__all__ = ["SHORT_BYTES", "GroupWriter", "WriterClosed"]

#: Requests with less payload text than this are committed before longer ones queued with them.
SHORT_BYTES = 16_384

_log = logging.getLogger("airdecon.hub")


class WriterClosed(StoreError):
    """The record's writer has stopped: this write was refused, or not confirmed before the stop
    (then it may or may not be in the record; its idempotency key makes a retry safe)."""


@dataclass(eq=False)
class _Request:
    events: list[NewEvent]
    on_commit: Callable[[list[Appended]], None] | None
    size: int = 0  # payload characters
    done: threading.Event = field(default_factory=threading.Event)
    result: list[Appended] = field(default_factory=list)
    error: BaseException | None = None


class GroupWriter:
    """Appends requests to *store* from one thread, grouping those that wait (at most *max_events*
    events a transaction). *clock* stamps each transaction."""

    def __init__(self, store: Store, clock: Callable[[], float], *, max_events: int = 256) -> None:
        self.store, self.clock, self.max_events = store, clock, max_events
        self._queue: queue.SimpleQueue[_Request | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="airdecon-writer", daemon=True)
        self._closed = False
        self._lock = threading.Lock()  # a request is queued before the close's marker, or refused
        self._inflight: list[_Request] = []  # the group the store is writing
        self._thread.start()

    def append(
        self, events: Sequence[NewEvent], on_commit: Callable[[list[Appended]], None] | None = None
    ) -> list[Appended]:
        """Append *events* durably (in one transaction, maybe with others'); return their results.

        *on_commit* runs in the writer thread right after the commit, in sequence order with every
        other request's. Raises what the store raised for these events.
        """
        req = _Request(list(events), on_commit, sum(len(e.payload_text()) for e in events))
        with self._lock:
            if self._closed:
                raise WriterClosed("the hub is stopping: nothing more is recorded")
            self._queue.put(req)
        while not req.done.wait(1.0):
            if not self._thread.is_alive() and not req.done.is_set():  # ended without answering it
                _fail([req], WriterClosed("the record's writer stopped before this write was confirmed"))
        if req.error is not None:
            raise req.error
        return req.result

    def close(self, timeout: float = 10.0) -> None:
        """Finish what is queued (within *timeout* seconds), then stop the thread; whatever still
        waits then fails with :class:`WriterClosed`."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._queue.put(None)
        self._thread.join(timeout)
        # a store that does not answer keeps the thread: its callers are told, not left waiting
        _fail(list(self._inflight), WriterClosed("the hub stopped before this write was confirmed"))
        self._drain()

    def _drain(self) -> None:
        """Fail every request still queued (the writer will not take them)."""
        left = []
        while True:
            try:
                req = self._queue.get_nowait()
            except queue.Empty:
                break
            if req is not None:
                left.append(req)
        _fail(left, WriterClosed("the hub is stopping: nothing more is recorded"))

    def _run(self) -> None:
        try:
            self._take()
        except BaseException:
            _log.exception("the record writer stopped on an error: nothing more is recorded")
        finally:  # stopped, or a bug ended the thread: nothing queued is left waiting
            with self._lock:
                self._closed = True
            self._drain()

    def _take(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            group = [first]
            n = len(first.events)
            stop = False
            while n < self.max_events:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stop = True
                    break
                group.append(nxt)
                n += len(nxt.events)
            self._inflight = group
            short = [r for r in group if r.size < SHORT_BYTES]
            if short and len(short) < len(group):
                self._write(short)
                self._write([r for r in group if r.size >= SHORT_BYTES])
            else:
                self._write(group)
            self._inflight = []
            if stop:
                return

    def _write(self, group: list[_Request]) -> None:
        try:
            try:
                results = self.store.append_many([e for r in group for e in r.events], at=self.clock())
            except Exception:
                if len(group) == 1:
                    raise
                for r in group:  # who failed it? each alone, so only that one fails
                    self._write([r])
                return
            k = 0
            for r in group:
                r.result = results[k : k + len(r.events)]
                k += len(r.events)
                if r.on_commit is not None:
                    try:
                        r.on_commit(r.result)
                    except Exception:  # durable already: the caller still gets its result
                        _log.exception("after-commit step failed")
        except BaseException as exc:
            for r in group:
                r.error = exc
        finally:
            for r in group:
                r.done.set()


def _fail(requests: list[_Request], exc: WriterClosed) -> None:
    """Answer *requests* not answered yet with *exc*."""
    for r in requests:
        if not r.done.is_set():
            r.error = exc
            r.done.set()
