"""What the hub's services share: one explicit context object, built once by the composition root.

Every service of the hub (intake, cycle, distress, the line, protocol, record, views) is given the
same :class:`HubContext` at construction: the settings, the store, the clock, the live picture and
its lock, the need-to-know policy, the protocol in force, and the few signals by which the services
pace one another (:class:`Pacing`, ``dirty``, ``stop``). Services read and use it; none reaches into
another service's private state.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from airdecon.audit import HubKey
from airdecon.hub._alerts import AlertDesk
from airdecon.hub._faults import FaultLog
from airdecon.hub._guard import ReportGuard
from airdecon.hub._picture import Picture
from airdecon.hub._reports import Report
from airdecon.hub._settings import HubSettings
from airdecon.needtoknow import CursorCodec, Disclosure
from airdecon.protocol import ProtocolDocument
from airdecon.store import Store

__all__ = ["HubContext", "InForce", "Pacing"]

log = logging.getLogger("airdecon.hub")


@dataclass(frozen=True)
class InForce:
    """The protocol the hub enforces: the document, whether every party signed it, the signatures."""

    document: ProtocolDocument
    signed: bool
    signatures: Mapping[str, Any] = field(default_factory=dict)


class Pacing:
    """How report work and detection cycles share the interpreter.

    ``idle`` is clear while a detection cycle computes: big report work (decoding, encoding for the
    record) and the restart cache's saves wait on it. :attr:`waiting` counts the big report work
    waiting or running, so the cycle loop can leave it its share.
    """

    def __init__(self) -> None:
        self.idle = threading.Event()
        self.idle.set()
        self._heavy = threading.Lock()  # big batches are decoded one at a time
        self._waiting = 0
        self._waiting_lock = threading.Lock()

    @property
    def waiting(self) -> int:
        """Big report work waiting or running (see :meth:`report_work`)."""
        return self._waiting

    @contextlib.contextmanager
    def report_work(self, big: bool) -> Iterator[None]:
        """Around the interpreter-bound work on reports (decoding, encoding for the record).

        Work on a big batch waits while a detection cycle computes: threads taking turns on the
        interpreter stretched a 15 ms cycle to 60 ms, and reports that arrive during a cycle are
        in the next one anyway. Big batches go one at a time. A short message (one aircraft's
        report) costs the cycle next to nothing and goes straight on: by the end of the cycle it
        is recorded and makes the next one. While big work waits, cycles keep to their duty share
        (see :meth:`~airdecon.hub._cycle.Cycle.loop`).
        """
        if not big:
            yield
            return
        with self._waiting_lock:
            self._waiting += 1
        try:
            with self._heavy:
                self.idle.wait(0.25)
                yield
        finally:
            with self._waiting_lock:
                self._waiting -= 1

    @contextlib.contextmanager
    def computing(self) -> Iterator[None]:
        """Around a detection cycle: report work waits until it ends, even when it fails."""
        self.idle.clear()
        try:
            yield
        finally:
            self.idle.set()


@dataclass(eq=False)
class HubContext:
    """The state the hub's services share (see the module docstring).

    ``lock`` guards the picture, the alert desk and the protocol in force. ``dirty`` asks the
    detection cycle for a run; ``stop`` ends every loop.
    """

    settings: HubSettings
    store: Store
    clock: Callable[[], float]
    hub_key: HubKey
    parties: tuple[str, ...]
    disclosure: Disclosure
    cursors: CursorCodec
    picture: Picture
    guard: ReportGuard
    desk: AlertDesk
    protocol: InForce
    lock: threading.RLock = field(default_factory=threading.RLock)
    pacing: Pacing = field(default_factory=Pacing)
    dirty: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)

    @classmethod
    def build(
        cls,
        settings: HubSettings,
        store: Store,
        protocol: InForce,
        *,
        hub_key: HubKey,
        clock: Callable[[], float],
    ) -> HubContext:
        """The context of a hub on *protocol*: its need-to-know policy, picture and alert desk."""
        document = protocol.document
        parties = tuple(document.party_ids)
        civil = [p.id for p in document.parties if p.role == "civil"]
        disclosure = Disclosure(parties, civil, document.distress.frequencies_mhz, document.disclosure)
        cursors = CursorCodec(hashlib.sha256(b"airdecon-cursor\0" + hub_key.private_pem()).digest())
        picture = Picture(
            document.rules,
            distress_squawks=document.distress.squawk_codes,
            distress_status=document.distress.adsb_emergency_status,
            acknowledge_within_s=document.distress.acknowledge_within_s,
            escalate_after_s=document.distress.escalate_after_s,
        )
        picture.parties = parties

        def last_report(key: str) -> Report | None:
            tr = picture.tracks.get(key)
            return None if tr is None else tr.report

        guard = ReportGuard(
            document.quotas, {p.id: p.role for p in document.parties}, last=last_report, count=picture.count
        )
        picture.bound_conflicts = guard.bound_own_pairs
        picture.own_budget = guard.own_budget
        return cls(
            settings=settings,
            store=store,
            clock=clock,
            hub_key=hub_key,
            parties=parties,
            disclosure=disclosure,
            cursors=cursors,
            picture=picture,
            guard=guard,
            desk=AlertDesk(disclosure, guard),
            protocol=protocol,
        )

    def every(self, period_s: float, job: Callable[[], object], failure: str) -> None:
        """Run *job* every *period_s* until :attr:`stop` is set, logging *failure* when it fails:
        once when a failure starts (with its traceback) and once when *job* succeeds again, not at
        every period while it repeats."""
        faults = FaultLog(log)
        while not self.stop.wait(period_s):
            try:
                job()
            except Exception as exc:
                faults.failed((failure, type(exc).__name__, str(exc)), failure, exc)
            else:
                for key in faults.open_keys():
                    faults.cleared(key, failure)
