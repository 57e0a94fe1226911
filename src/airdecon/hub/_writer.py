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
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from airdecon.errors import StoreError
from airdecon.store import Appended, NewEvent, Store

__all__ = ["SHORT_BYTES", "GroupWriter"]

#: Requests with less payload text than this are committed before longer ones queued with them.
SHORT_BYTES = 16_384

_log = logging.getLogger("airdecon.hub")


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
        self._thread.start()

    def append(
        self, events: Sequence[NewEvent], on_commit: Callable[[list[Appended]], None] | None = None
    ) -> list[Appended]:
        """Append *events* durably (in one transaction, maybe with others'); return their results.

        *on_commit* runs in the writer thread right after the commit, in sequence order with every
        other request's. Raises what the store raised for these events.
        """
        if self._closed:
            raise StoreError("the hub is stopping: nothing more is recorded")
        req = _Request(list(events), on_commit, sum(len(e.payload_text()) for e in events))
        self._queue.put(req)
        req.done.wait()
        if req.error is not None:
            raise req.error
        return req.result

    def close(self, timeout: float = 10.0) -> None:
        """Finish what is queued, then stop the thread."""
        self._closed = True
        self._queue.put(None)
        self._thread.join(timeout)

    def _run(self) -> None:
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
            short = [r for r in group if r.size < SHORT_BYTES]
            if short and len(short) < len(group):
                self._write(short)
                self._write([r for r in group if r.size >= SHORT_BYTES])
            else:
                self._write(group)
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
