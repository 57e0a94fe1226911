"""The hub service: parties' reports in, the picture's events out, everything through the record.

This is the hub without HTTP: it owns the store, the live :class:`Picture`, the need-to-know
:class:`~airdecon.needtoknow.Disclosure`, and a fan-out of events to connected parties. The HTTP and
WebSocket routes (``_app.py``) are thin: they authenticate, parse, call a method here, and translate
errors. Every event is appended (durably) to the hash-chained record *before* it is published or
acknowledged, so an acknowledged report, message or distress survives a crash.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import math
import multiprocessing
import os
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from airdecon.audit import HubKey, verify_chain
from airdecon.detection import ConflictSet
from airdecon.errors import AirdeconError, InputError, WriteConflict
from airdecon.hub._alerts import HUB_PARTY, AlertDesk
from airdecon.hub._guard import ReportGuard
from airdecon.hub._picture import DistressCase, Picture
from airdecon.hub._reports import (
    Batch,
    Report,
    decode_reports,
    expand,
    fleet_key,
    from_record,
    parse_batch,
    record,
)
from airdecon.hub._settings import HubSettings
from airdecon.hub._views import Views
from airdecon.hub._writer import GroupWriter
from airdecon.needtoknow import CursorCodec, Disclosure, StateView
from airdecon.protocol import ProtocolDocument, ProtocolStore, diff_documents
from airdecon.protocol._negotiation import Version
from airdecon.resolution import resolve
from airdecon.store import ALL, AircraftState, Appended, Event, NewEvent, Store

__all__ = ["MESSAGE_KINDS", "Forbidden", "Hub", "RateLimited", "Subscriber"]

_SMALL_BYTES = 8192  # a message this short (a few dozen reports) is read at once, beside big ones
_SMALL_ROWS = 64
MESSAGE_KINDS = ("text", "safety-notice", "incident-report", "request", "reply")


class Forbidden(InputError):
    """The caller may not do this (maps to 403)."""


class RateLimited(InputError):
    """Too many requests from one party (maps to 429)."""


@dataclass(eq=False)
class Subscriber:
    """One live WebSocket of one party: a queue of events the hub pushes to it."""

    party: str
    queue: asyncio.Queue[Event | None] = field(default_factory=lambda: asyncio.Queue(maxsize=100_000))
    loop: asyncio.AbstractEventLoop | None = None
    overflowed: bool = False


class _Bucket:
    """Token bucket: *rate* per second, *burst* at most."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, float(burst)
        self.tokens, self.t = float(burst), time.monotonic()

    def take(self, n: float = 1.0) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.t) * self.rate)
        self.t = now
        if self.tokens >= n:
            self.tokens -= n
            return True
        return False


class Hub:
    """The deconfliction line's server-side state and operations.

    Parameters
    ----------
    settings : HubSettings
    store : Store
        Opened by the caller (``open_store``), with the hub key as checkpoint signer.
    document : ProtocolDocument
        The protocol (parties, minima, thresholds, distress rules).
    in_force : bool
        Whether *document* is signed by every party (reported on ``/v1/protocol``).
    hub_key : HubKey
        The key that signs checkpoints; also seeds the cursor key so cursors survive restarts.
    clock : callable
        POSIX time source (the hub is a face: it may read the clock; the engine never does).
    """

    def __init__(
        self,
        settings: HubSettings,
        store: Store,
        document: ProtocolDocument,
        *,
        in_force: bool,
        hub_key: HubKey,
        signatures: Mapping[str, Any] | None = None,
        clock: Callable[[], float] = time.time,
        protocol_dir: Path | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.document = document
        self.in_force = in_force
        self.signatures = dict(signatures or {})
        self.hub_key = hub_key
        self.clock = clock
        self.protocol_dir = protocol_dir
        self._proto_lock = threading.Lock()
        self.parties = tuple(document.party_ids)
        civil = [p.id for p in document.parties if p.role == "civil"]
        self.disclosure = Disclosure(
            self.parties, civil, document.distress.frequencies_mhz, document.disclosure
        )
        self.cursors = CursorCodec(hashlib.sha256(b"airdecon-cursor\0" + hub_key.private_pem()).digest())
        self.picture = Picture(
            document.rules,
            distress_squawks=document.distress.squawk_codes,
            distress_status=document.distress.adsb_emergency_status,
            acknowledge_within_s=document.distress.acknowledge_within_s,
            escalate_after_s=document.distress.escalate_after_s,
        )
        self.picture.parties = self.parties
        self.guard = ReportGuard(
            document.quotas,
            {p.id: p.role for p in document.parties},
            last=self._last_report,
            count=self._aircraft_of,
        )
        self.desk = AlertDesk(self.disclosure, self.guard)
        self._visible: dict[str, int] = {}  # party -> last record entry it may see (for cursors)
        self._verified: dict[str, Any] | None = None  # the last whole-chain verification
        head = store.head().seq  # until their next event, every party's cursor is the start's head
        self._visible.update({p: head for p in self.parties})
        self.lock = threading.RLock()  # guards picture + public id maps
        self.subscribers: set[Subscriber] = set()
        self._sub_lock = threading.Lock()
        self._buckets: dict[str, _Bucket] = defaultdict(lambda: _Bucket(settings.rate_per_s, settings.burst))
        self._delivered: set[tuple[str, str]] = set()  # (message id, party) delivery receipts sent
        self._dirty = threading.Event()
        self._idle = threading.Event()  # clear while a cycle computes: report work waits
        self._idle.set()
        self._heavy = threading.Lock()  # big batches are decoded one at a time
        self._waiting = 0  # report work waiting or running (see _report_work)
        self._waiting_lock = threading.Lock()
        self._stop = threading.Event()
        self._last_cycle = 0.0
        self._cycle_cost = 0.0  # CPU seconds the last cycle took (paces the next under a flood)
        self._unsaved: dict[str, Report] = {}  # latest states not yet in the restart cache
        self._unsaved_through = 0  # the last report event whose states are in _unsaved or saved
        self._unsaved_lock = threading.Lock()
        self._save_lock = threading.Lock()  # one save at a time: marks are written in order
        self._writer = GroupWriter(store, clock)
        self._pool: ProcessPoolExecutor | None = None
        if settings.resolver_process:
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_exit_with_parent,
                initargs=(os.getpid(), 10),  # advisories may wait; alerts and reports may not
            )
        now = clock()
        store.add_party(HUB_PARTY, at=now)
        for p in self.parties:
            store.add_party(p, at=now)
        self._restore(now)

    # ------------------------------------------------------------------ lifecycle
    def _restore(self, now: float) -> None:
        """Rebuild the live picture after a restart: the saved latest states, the reports recorded
        after the cache's mark, and the open distress cases."""
        reports = []
        for st in self.store.latest_states():
            if st.party not in self.parties:
                continue
            ex = dict(st.extra)
            reports.append(
                Report(
                    aircraft_id=st.aircraft_id.removeprefix(st.party + "/"),
                    party=st.party,
                    t=st.t,
                    lat_deg=st.lat_deg,
                    lon_deg=st.lon_deg,
                    alt_m=st.alt_m,
                    gs_mps=st.gs_mps,
                    trk_deg=st.trk_deg,
                    vs_mps=st.vs_mps,
                    squawk=ex.get("squawk"),  # type: ignore[arg-type]
                    emergency=ex.get("emergency"),  # type: ignore[arg-type]
                    callsign=ex.get("callsign"),  # type: ignore[arg-type]
                    on_ground=bool(ex.get("on_ground", False)),
                )
            )
        replayed: list[Report] = []
        seq = self.store.states_through()
        while batch := self.store.events_after(seq, kinds=("report",), limit=200):
            for ev in batch:
                if ev.origin in self.parties:
                    replayed += [from_record(ev.origin, item) for item in expand(ev.payload)["reports"]]
            seq = batch[-1].seq
        with self._unsaved_lock:  # not in the cache yet: the next save writes them
            for r in replayed:
                self._unsaved[r.key] = r
            self._unsaved_through = seq
        with self.lock:
            self.picture.apply(reports, now, raise_distress=False)
            self.picture.apply(replayed, now, raise_distress=False)
            for r in self.picture.reports():  # a restart shows threats coarsely until tracks mature again
                self.guard.first_seen[r.key] = now
            seq = 0
            while batch := self.store.events_after(
                seq, kinds=("distress", "ack", "distress-closed"), limit=1000
            ):
                for ev in batch:
                    self._replay_distress(ev)
                seq = batch[-1].seq

    def _replay_distress(self, ev: Event) -> None:
        p = ev.payload if isinstance(ev.payload, dict) else {}
        did = str(p.get("distress_id", ""))
        if ev.kind == "distress" and p.get("stage") == "raised" and did not in self.picture.distress:
            key = fleet_key(str(p["party"]), str(p["id"]))
            case = DistressCase(
                did, key, str(p["party"]), str(p["id"]), str(p.get("reason", "")), ev.at, last_sent=ev.at
            )
            case.acks[case.party] = ev.at
            self.picture.distress[did] = case
            self.picture._distress_by_key[key] = did
            self.picture._next_distress = max(self.picture._next_distress, int(did.split("-")[-1]) + 1)
        elif ev.kind == "distress" and did in self.picture.distress:  # resent or escalated
            case = self.picture.distress[did]
            case.last_sent = max(case.last_sent, ev.at)
            if p.get("stage") == "escalated":
                case.escalated = True  # escalated once: a restart must not escalate it again
            else:
                case.sends += 1
        elif ev.kind == "ack" and did in self.picture.distress:
            self.picture.distress[did].acks.setdefault(ev.origin, ev.at)
        elif ev.kind == "distress-closed" and did in self.picture.distress:
            case = self.picture.distress[did]
            case.closed = True
            self.picture._distress_by_key.pop(case.key, None)

    def stop(self) -> None:
        """Ask the loops to end, and save the live picture's latest states."""
        self._stop.set()
        self._dirty.set()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        try:
            self.save_states()
        except Exception:
            import logging

            logging.getLogger("airdecon.hub").warning("could not save the latest states on stop")
        self._writer.close()

    def _last_report(self, key: str) -> Report | None:
        tr = self.picture.tracks.get(key)
        return None if tr is None else tr.report

    def _aircraft_of(self, party: str) -> int:
        return self.picture.count(party)

    # ------------------------------------------------------------------ auth and limits
    def authenticate(self, token: str | None) -> str | None:
        """The party a bearer token belongs to, or None (unknown, revoked, or not a party of the protocol)."""
        if not token or len(token) > 512:
            return None
        party = self.store.authenticate(token)
        if party is None or party.name not in self.parties:
            return None
        return party.name

    def throttle(self, party: str, cost: float = 1.0) -> None:
        """Raise :class:`RateLimited` when *party* exceeds its request rate."""
        if not self._buckets[party].take(cost):
            raise RateLimited(f"too many requests: at most {self.settings.rate_per_s:g} per second")

    # ------------------------------------------------------------------ record + fan-out
    def _append(self, events: Sequence[NewEvent]) -> list[Event]:
        """Append durably, then publish to live subscribers; return the stored events."""
        if not events:
            return []
        appended = self._writer.append(events, self._publish_new)
        return [a.event for a in appended]

    def _publish_new(self, appended: Sequence[Appended]) -> None:
        """After a commit (in the writer thread, in sequence order): publish what is new."""
        new = [a.event for a in appended if not a.replayed]
        for ev in new:
            for p in self.parties if ev.audience == ALL else ev.audience:
                if ev.seq > self._visible.get(p, 0):
                    self._visible[p] = ev.seq
        self._publish(new)

    def _publish(self, events: Sequence[Event]) -> None:
        with self._sub_lock:
            subs = list(self.subscribers)
        for sub in subs:
            mine = [e for e in events if e.visible_to(sub.party)]
            if not mine or sub.loop is None:
                continue
            sub.loop.call_soon_threadsafe(self._enqueue, sub, mine)

    @staticmethod
    def _enqueue(sub: Subscriber, events: list[Event]) -> None:
        for e in events:
            try:
                sub.queue.put_nowait(e)
            except asyncio.QueueFull:
                sub.overflowed = True  # the socket will be closed; the client resumes from its cursor
                return

    def subscribe(self, sub: Subscriber) -> None:
        with self._sub_lock:
            self.subscribers.add(sub)

    def unsubscribe(self, sub: Subscriber) -> None:
        with self._sub_lock:
            self.subscribers.discard(sub)

    def backlog(self, party: str, after_seq: int, limit: int = 1000) -> list[Event]:
        """Stored events visible to *party* after global entry *after_seq*."""
        return self.store.events_after(after_seq, party=party, limit=limit)

    def wire(self, party: str, ev: Event) -> dict[str, Any]:
        """An event as *party* receives it: opaque cursor, kind, time, data (already disclosed)."""
        return {
            "type": "event",
            "cursor": self.cursors.encode(party, ev.seq),
            "kind": ev.kind,
            "at": ev.at,
            "from": ev.origin,
            "data": expand(ev.payload) if ev.kind == "report" else ev.payload,
        }

    # ------------------------------------------------------------------ reports
    def submit_reports(
        self, party: str, raw: object, *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        """Validate and record a batch of *party*'s own aircraft states.

        Valid reports are kept even when others in the batch are refused; each refusal names the
        report and field. Raises :class:`RecordError` only when nothing in the batch is valid.
        """
        if not isinstance(raw, list):
            raise InputError("'reports' must be a list of aircraft states")
        if len(raw) > self.settings.max_reports:
            raise InputError(f"too many reports in one batch: {len(raw)} > {self.settings.max_reports}")
        batch = parse_batch(raw, party, self.clock(), max_skew_s=self.settings.max_skew_s)
        return self.submit_batch(party, batch, idempotency_key=idempotency_key)

    def read_reports(self, party: str, data: str | bytes) -> tuple[dict[str, Any], Batch | None]:
        """Read the JSON text of a stream message or request body from *party* and validate the
        reports it carries (see :func:`~airdecon.hub._reports.decode_reports`): its ``type``,
        ``ref`` and ``idempotency_key``, and the batch (``None`` without a ``reports`` member)."""
        s = self.settings
        with self._report_work(len(data) > _SMALL_BYTES):
            now = self.clock()
            return decode_reports(data, party, now, max_skew_s=s.max_skew_s, max_reports=s.max_reports)

    @contextlib.contextmanager
    def _report_work(self, big: bool) -> Iterator[None]:
        """Around the interpreter-bound work on reports (decoding, encoding for the record).

        Work on a big batch waits while a detection cycle computes: threads taking turns on the
        interpreter stretched a 15 ms cycle to 60 ms, and reports that arrive during a cycle are
        in the next one anyway. Big batches go one at a time. A short message (one aircraft's
        report) costs the cycle next to nothing and goes straight on: by the end of the cycle it
        is recorded and makes the next one. While big work waits, cycles keep to their duty share
        (see :meth:`cycle_loop`).
        """
        if not big:
            yield
            return
        with self._waiting_lock:
            self._waiting += 1
        try:
            with self._heavy:
                self._idle.wait(0.25)
                yield
        finally:
            with self._waiting_lock:
                self._waiting -= 1

    def submit_batch(self, party: str, batch: Batch, *, idempotency_key: str | None = None) -> dict[str, Any]:
        """Record a batch of *party*'s reports validated by :meth:`read_reports` or
        :func:`parse_batch` (see :meth:`submit_reports`)."""
        batch = self.guard.admit(party, batch)
        good, rows, rejected, first_error = batch
        if not good:
            if first_error is None:
                raise InputError("empty report batch")
            raise first_error
        # the rows are plain JSON by construction: spare the per-value type walk
        with self._report_work(len(rows) > _SMALL_ROWS):
            event = NewEvent(
                "report", party, record(rows), audience=[party], idempotency_key=idempotency_key, plain=True
            )

        def committed(appended: list[Appended]) -> None:
            # in sequence order with every other commit: a save's mark never claims a report
            # whose state it does not hold
            if appended[0].replayed:
                return
            with self._unsaved_lock:
                for r in good:
                    self._unsaved[r.key] = r
                self._unsaved_through = appended[0].event.seq
            self._publish_new(appended)

        try:
            stored = self._writer.append([event], committed)[0]
        except BaseException:
            self.guard.applied(party, [], self.clock())
            raise
        if stored.replayed:
            self.guard.applied(party, good, self.clock())
            return {"accepted": len(good), "rejected": rejected, "replayed": True}
        now = self.clock()
        with self.lock:
            raised = self.picture.apply(good, now)
            dist_events = [self._distress_event(case, "raised") for case in raised]
        self.guard.applied(party, good, now)
        self._append(dist_events)
        self._dirty.set()
        return {"accepted": len(good), "rejected": rejected, "replayed": False}

    # ------------------------------------------------------------------ the detection cycle
    def run_cycle(self) -> list[Event]:
        """One detection cycle: alerts (disclosed per party), track losses, distress timers."""
        now = self.clock()
        start = time.thread_time()
        self._idle.clear()
        try:
            with self.lock:
                result = self.picture.cycle(now)
                events = self._cycle_events(result, now)
            self._last_cycle = time.monotonic()
            # its own CPU time, not its wall time: when threads contend for the interpreter a 12 ms
            # cycle can take 150 ms of wall time, and pacing by that delayed the next alert as much
            self._cycle_cost = time.thread_time() - start
            out = self._append(events)
        finally:
            self._idle.set()
        return out

    def save_states(self) -> None:
        """Write the latest state of every aircraft reported since the last save to the restart
        cache, with the mark of the last report event it covers.

        The reports themselves are durable in the record as soon as they are acknowledged; the
        cache only spares a restarted hub replaying more than the reports after its mark.
        """
        with self._save_lock:
            self._save_states()

    def _save_states(self) -> None:
        with self._unsaved_lock:
            batch, self._unsaved = self._unsaved, {}
            through = self._unsaved_through
        if not batch:
            return
        reports = list(batch.values())
        try:
            # in slices, each its own short transaction, the mark with the last: a save of 5,000
            # states never holds the interpreter or the store's write lock for long while a cycle
            # or a report's append waits (a crash between slices leaves the old mark, so the
            # restart replays those reports: still exact). Whole saves of 5,000 states holding the
            # write lock for 200-400 ms were the slowest alerts of the load bench.
            step = 100
            for k in range(0, len(reports), step):
                last = k + step >= len(reports)
                states = [_state(r) for r in reports[k : k + step]]
                self._idle.wait(0.25)  # never beside a cycle
                self.store.save_states(states, through_seq=through if last else None)
                if not last:
                    time.sleep(0.002)  # the record's appends, waiting on the write lock, go first
        except Exception:
            with self._unsaved_lock:  # keep them for the next save (newer states win)
                for key, r in batch.items():
                    self._unsaved.setdefault(key, r)
            raise

    def cycle_loop(self) -> None:
        """Run cycles whenever reports arrived (coalesced) or the timer fires, until :meth:`stop`."""
        while not self._stop.is_set():
            self._dirty.wait(self.settings.timer_s)
            if self._stop.is_set():
                return
            gap = self.settings.cycle_min_s
            if self._waiting:  # reports wait for the interpreter: leave them their share
                duty = min(max(self.settings.cycle_duty, 0.05), 1.0)
                gap = max(gap, self._cycle_cost * (1.0 / duty - 1.0))
            wait = gap - (time.monotonic() - self._last_cycle)
            if wait > 0:
                time.sleep(wait)
            self._dirty.clear()
            try:
                self.run_cycle()
            except Exception:
                import logging

                logging.getLogger("airdecon.hub").exception("detection cycle failed")

    def _cycle_events(self, result: Any, now: float) -> list[NewEvent]:
        out = self.desk.cycle_events(result, self.picture, now)
        out.extend(self.desk.precision_changes(self.picture))
        self.guard.forget([tr.key for tr in result.lost])
        for tr in result.lost:
            out.append(
                NewEvent(
                    "track-lost",
                    HUB_PARTY,
                    {"id": tr.report.aircraft_id, "t": tr.report.t},
                    audience=[tr.report.party],
                )
            )
        views = Views(result.fleet)
        for stage, case in result.distress_events:
            out.append(self._distress_event(case, stage, views))
        return out

    def advise(self) -> list[Event]:
        """Resolve the current conflicts (Annex 2 / TCAS-style advisories) and publish changes.

        Runs on its own slower loop: alerts never wait for the resolver. Each party receives an
        ``advisory`` event when the advice for one of its own aircraft changes.
        """
        with self.lock:
            fleet, conflicts = self.picture.last_fleet, self.picture.last_conflicts
            # a distress aircraft without an airborne track (on the ground, dropped) is simply not a
            # resolution participant: the resolver refuses unknown ids, and one of them stopped
            # every advisory of every party
            airborne = set(fleet.ids.tolist())
            distress = frozenset(k for k in self.picture._distress_by_key if k in airborne)
        resolved: list[tuple[tuple[str, str], str, bool, list[dict[str, Any]]]] = []
        if len(conflicts) > 0:
            m = min(len(conflicts), self.settings.advise_max)  # sorted by time to loss: most urgent first
            urgent = ConflictSet(
                i=conflicts.i[:m],
                j=conflicts.j[:m],
                t_in_s=conflicts.t_in_s[:m],
                t_out_s=conflicts.t_out_s[:m],
                tcpa_s=conflicts.tcpa_s[:m],
                dcpa_m=conflicts.dcpa_m[:m],
                dalt_cpa_m=conflicts.dalt_cpa_m[:m],
                ids=conflicts.ids,
                n_candidates=conflicts.n_candidates,
            )
            resolved = self._run_resolver(fleet, urgent, self.picture.protocol, distress)
        with self.lock:
            events = self.desk.take_advice(resolved, fleet, self.picture)
        return self._append(events)

    def save_loop(self) -> None:
        """Save the restart cache every ``state_save_s`` until :meth:`stop`."""
        self._every(self.settings.state_save_s, self.save_states, "could not save the latest states")

    def advise_loop(self) -> None:
        """Run :meth:`advise` every ``advise_s`` until :meth:`stop`."""
        self._every(self.settings.advise_s, self.advise, "resolution failed")

    def _every(self, period_s: float, job: Callable[[], object], failure: str) -> None:
        while not self._stop.wait(period_s):
            try:
                job()
            except Exception:
                import logging

                logging.getLogger("airdecon.hub").exception(failure)

    def _run_resolver(
        self, fleet: Any, conflicts: ConflictSet, protocol: Any, distress: frozenset[str]
    ) -> list[tuple[tuple[str, str], str, bool, list[dict[str, Any]]]]:
        """Resolve in a worker process when one is configured (it keeps the resolver's heavy
        verification off the server's interpreter lock), else here."""
        if self._pool is None:
            return _resolve_job(fleet, conflicts, protocol, distress)
        return self._pool.submit(_resolve_job, fleet, conflicts, protocol, distress).result(timeout=120)

    # ------------------------------------------------------------------ distress
    def _state_of(self, key: str) -> StateView | None:
        """The aircraft's state in the last cycle, else its last report (None if unknown)."""
        state = Views(self.picture.last_fleet).get(key)
        if state is not None:
            return state
        tr = self.picture.tracks.get(key)
        if tr is None:
            return None
        r = tr.report
        return StateView(r.lat_deg, r.lon_deg, r.alt_m, r.gs_mps, r.trk_deg, r.vs_mps)

    def _distress_event(
        self, case: DistressCase, stage: str, views: Mapping[str, StateView] | None = None
    ) -> NewEvent:
        return NewEvent("distress", HUB_PARTY, self._distress_payload(case, stage, views), audience=ALL)

    def _distress_payload(
        self, case: DistressCase, stage: str, views: Mapping[str, StateView] | None = None
    ) -> dict[str, Any]:
        """*case* as every party is shown it, in broadcasts and in :meth:`open_distress` alike."""
        state = (views or {}).get(case.key) or self._state_of(case.key)
        return self.disclosure.distress_payload(
            case_id=case.distress_id,
            party=case.party,
            aircraft_id=case.aircraft_id,
            reason=case.reason,
            state=state,
            stage=stage,
            acks=case.acks,
            raised_at=case.raised_at,
        )

    def open_distress(self, party: str) -> dict[str, Any]:
        """The open distress cases as their broadcasts show them now, and a cursor to stream from.

        Every party sees every case (see :mod:`airdecon.needtoknow`); *party* only binds the cursor.
        The cursor is the record's head *before* the cases are read: what happens after it comes on
        the stream resumed there, so a client that loads this and then streams misses nothing (it
        may see an event twice, whose effect it already has).
        """
        head = self.visible_seq(party)
        with self.lock:
            views = Views(self.picture.last_fleet)
            cases = [
                self._distress_payload(case, self._stage(case), views)
                for case in self.picture.distress.values()
                if not case.closed
            ]
        return {"distress": cases, "cursor": self.cursors.encode(party, head)}

    @staticmethod
    def _stage(case: DistressCase) -> str:
        """Where a case stands, named as its broadcasts name it: raised, resent or escalated."""
        if case.escalated:
            return "escalated"
        return "resent" if case.sends > 1 else "raised"

    def declare_distress(
        self, party: str, aircraft_id: str, reason: str | None, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        """A party declares distress for one of its aircraft (MAYDAY); broadcast to every party."""
        now = self.clock()
        with self.lock:
            try:
                existing = self.picture._distress_by_key.get(fleet_key(party, aircraft_id))
                case = self.picture.declare_distress(party, aircraft_id, reason or "MAYDAY declared", now)
            except InputError:
                raise InputError(self.disclosure.unknown_aircraft(aircraft_id)) from None
            events = [] if existing else [self._distress_event(case, "raised")]
        stored = self._append(events)
        self._dirty.set()
        return {
            "distress_id": case.distress_id,
            "new": not existing,
            "cursor": self.cursors.encode(party, stored[0].seq) if stored else None,
        }

    def acknowledge(self, party: str, distress_id: str, idempotency_key: str | None = None) -> dict[str, Any]:
        """*party* acknowledges a distress broadcast; every party is told."""
        now = self.clock()
        with self.lock:
            case = self.picture.acknowledge(party, distress_id, now)
            payload = {
                "distress_id": case.distress_id,
                "by": party,
                "at": now,
                "awaiting": self.picture.missing_acks(case),
            }
        self._append(
            [
                NewEvent(
                    "ack",
                    party,
                    payload,
                    audience=ALL,
                    idempotency_key=idempotency_key or f"ack:{distress_id}",
                )
            ]
        )
        return payload

    def close_distress(self, party: str, distress_id: str) -> dict[str, Any]:
        """The party in distress ends it ("distress traffic ended")."""
        with self.lock:
            case = self.picture.close_distress(party, distress_id)
        payload = {"distress_id": case.distress_id, "by": party}
        self._append([NewEvent("distress-closed", party, payload, audience=ALL)])
        return payload

    # ------------------------------------------------------------------ the line
    def send_message(
        self, party: str, body: Mapping[str, Any], *, idempotency_key: str | None
    ) -> dict[str, Any]:
        """A line message to one party or all: stored durably before it is acknowledged."""
        to = body.get("to")
        kind = body.get("kind", "text")
        text = body.get("text")
        if kind not in MESSAGE_KINDS:
            raise InputError(f"kind: must be one of {', '.join(MESSAGE_KINDS)}")
        if not isinstance(text, str) or not text.strip() or len(text) > 20_000:
            raise InputError("text: must be a non-empty string of at most 20000 characters")
        if to == "all":
            audience: Any = ALL
        elif isinstance(to, str) and to in self.parties and to != party:
            audience = [party, to]
        else:
            raise InputError("to: must be 'all' or another party of the protocol")
        reply_to = body.get("in_reply_to")
        if reply_to is not None and not isinstance(reply_to, str):
            raise InputError("in_reply_to: must be a message id")
        fields = body.get("fields", {})
        if not isinstance(fields, dict):
            raise InputError("fields: must be an object (structured content of the message kind)")
        msg_id = (
            "M-" + uuid.uuid4().hex[:12]
            if idempotency_key is None
            else "M-" + hashlib.sha256(f"{party}\0{idempotency_key}".encode()).hexdigest()[:12]
        )
        payload = {
            "message_id": msg_id,
            "from": party,
            "to": to,
            "kind": kind,
            "text": text,
            "in_reply_to": reply_to,
            "fields": fields,
        }
        ev = self._append(
            [NewEvent("message", party, payload, audience=audience, idempotency_key=idempotency_key)]
        )[0]
        return {
            "message_id": ev.payload["message_id"] if isinstance(ev.payload, dict) else msg_id,
            "cursor": self.cursors.encode(party, ev.seq),
            "at": ev.at,
        }

    def message_delivered(self, party: str, ev: Event) -> None:
        """Called when a message reached *party*'s socket: one delivery receipt to its sender."""
        self._deliver(party, [ev])

    def messages_delivered(self, party: str, events: Sequence[Event]) -> None:
        """Called when *events* were handed to *party* by a poll: one delivery receipt to the
        sender of each line message among them (once per message and party, however fetched)."""
        self._deliver(party, events)

    def _deliver(self, party: str, events: Sequence[Event]) -> None:
        """One delivery receipt to the sender of each message of *events* handed to *party*."""
        receipts = []
        for ev in events:
            mid = _message_id(ev)
            if ev.kind != "message" or ev.origin == party or (mid, party) in self._delivered:
                continue
            self._delivered.add((mid, party))
            receipts.append(
                NewEvent(
                    "receipt",
                    HUB_PARTY,
                    {"message_id": mid, "status": "delivered", "by": party},
                    audience=[ev.origin],
                    idempotency_key=f"delivered:{mid}:{party}",
                )
            )
        self._append(receipts)

    def mark_read(self, party: str, message_id: str) -> dict[str, Any]:
        """*party* has read a message addressed to it: a read receipt to the sender, and to *party*
        itself (its other consoles learn it was read). Nobody else: of a message to all, a third
        party never learns who read it."""
        msg = self._find_message(party, message_id)
        if msg is None or msg.origin == party:
            raise InputError(f"unknown message {message_id!r}")
        payload = {"message_id": message_id, "status": "read", "by": party}
        receipt = NewEvent(
            "receipt",
            HUB_PARTY,
            payload,
            audience=[msg.origin, party],
            idempotency_key=f"read:{message_id}:{party}",
        )
        # a receipt recorded before readers were told too conflicts with its key: it stands as it is
        with contextlib.suppress(WriteConflict):
            self._append([receipt])
        return payload

    def messages_for(self, party: str, after_seq: int = 0, limit: int = 500) -> list[dict[str, Any]]:
        """*party*'s line after global entry *after_seq*: its messages and receipts as :meth:`wire`
        events, each message with where it stands.

        A message addressed to *party* carries ``read_by_me``: whether *party* has marked it read
        (its own act, so true also for a receipt recorded when only the sender was told). A message
        *party* sent carries ``read_by``: the parties whose read receipt *party* may see. Messages
        addressed to *party* count as delivered once handed over here, as on the stream.
        """
        events = self.history(party, ("message", "receipt"), after_seq, limit)
        messages = [ev for ev in events if ev.kind == "message"]
        reads = self._read_receipts({_message_id(ev) for ev in messages}, after_seq)
        out = []
        for ev in events:
            wired = self.wire(party, ev)
            if ev.kind == "message":
                readers = reads.get(_message_id(ev), {})
                if ev.origin == party:
                    seen = sorted(by for by, receipt in readers.items() if receipt.visible_to(party))
                    wired["data"] = {**wired["data"], "read_by": seen}
                else:
                    wired["data"] = {**wired["data"], "read_by_me": party in readers}
            out.append(wired)
        self._deliver(party, messages)
        return out

    def _read_receipts(self, message_ids: set[str], after_seq: int) -> dict[str, dict[str, Event]]:
        """``{message id: {reader: read receipt}}`` for these messages, from the receipts recorded
        after *after_seq* (a receipt always follows its message).

        Every party's receipts, unfiltered: the caller decides what of them a party may learn."""
        out: dict[str, dict[str, Event]] = defaultdict(dict)
        seq = after_seq
        while message_ids and (batch := self.store.events_after(seq, kinds=("receipt",), limit=1000)):
            for ev in batch:
                p = ev.payload if isinstance(ev.payload, dict) else {}
                if p.get("status") == "read" and p.get("message_id") in message_ids:
                    out[str(p["message_id"])].setdefault(str(p.get("by")), ev)
            seq = batch[-1].seq
        return out

    def _find_message(self, party: str, message_id: str) -> Event | None:
        seq = 0
        while batch := self.store.events_after(seq, party=party, kinds=("message",), limit=1000):
            for ev in batch:
                if isinstance(ev.payload, dict) and ev.payload.get("message_id") == message_id:
                    return ev
            seq = batch[-1].seq
        return None

    def history(self, party: str, kinds: Sequence[str], after_seq: int = 0, limit: int = 500) -> list[Event]:
        """Stored events of the given kinds visible to *party*."""
        return self.store.events_after(after_seq, party=party, kinds=kinds, limit=limit)

    # ------------------------------------------------------------------ views
    def tracks_for(self, party: str) -> list[dict[str, Any]]:
        """Everything *party* may see right now (see :mod:`airdecon.needtoknow`)."""
        out: list[dict[str, Any]] = []
        now = self.clock()
        with self.lock:
            views = Views(self.picture.last_fleet)
            # own, then civil, each by id: the picture's internal order depends on every party's
            # reports and would let a reader count aircraft it may not see
            mine = sorted((r for r in self.picture.reports() if r.party == party), key=_by_id)
            civil = sorted(
                (r for r in self.picture.reports() if r.party != party and self.disclosure.is_civil(r.party)),
                key=_by_id,
            )
            out.extend(self.disclosure.own_track(r.to_json()) for r in mine)
            out.extend(self.disclosure.civil_track(r.to_json()) for r in civil)
            out.extend(self.desk.threats_for(party, self.picture, now))
            for case in self.picture.distress.values():
                if case.closed or case.party == party:
                    continue
                st = views.get(case.key) or self._state_of(case.key)
                if st is not None:
                    out.append(
                        self.disclosure.distress_track(case.distress_id, case.party, case.aircraft_id, st)
                    )
        return out

    def alerts_for(self, party: str) -> list[dict[str, Any]]:
        """*party*'s current alerts, most urgent first, as disclosed to it."""
        with self.lock:
            return self.desk.alerts_for(party, self.picture, self.clock())

    def protocol_view(self) -> dict[str, Any]:
        """The protocol in force (document, digest, signatures) and the versions awaiting signatures."""
        view: dict[str, Any] = {
            "in_force": self.in_force,
            "digest": self.document.digest,
            "document": self.document.to_mapping(),
            "signatures": self.signatures,
            "pending": [],
        }
        if self.protocol_dir is not None:
            with self._proto_lock:
                n = ProtocolStore(self.protocol_dir).load()
                view["pending"] = [
                    self._pending(n, v) for v in n.versions.values() if n.status(v.digest).state == "open"
                ]
        return view

    @staticmethod
    def _pending(n: Any, v: Any) -> dict[str, Any]:
        st = n.status(v.digest)
        parent = n.versions.get(v.document.parent or "")
        proposer = next((e.party for e in n.events if e.version == v.digest and e.action != "accept"), None)

        return {
            "digest": v.digest,
            "short": v.short,
            "title": v.document.title,
            "revision": v.document.revision,
            "parent": v.document.parent,
            "proposer": proposer,
            "signed_by": list(st.signed),
            "missing": list(st.missing),
            "canonical_b64": base64.b64encode(v.data).decode("ascii"),
            "diff": _diff_json(parent.document, v.document) if parent is not None else [],
        }

    def _negotiation_dir(self) -> Path:
        if self.protocol_dir is None:
            raise Forbidden("this hub runs on a protocol file, not a negotiation directory")
        return self.protocol_dir

    def sign_version(self, party: str, digest: str, signature: str) -> dict[str, Any]:
        """*party* accepts a pending version with a signature made in its officer's browser."""
        if not isinstance(signature, str):
            raise InputError("signature: base64 Ed25519 signature of the version's canonical bytes")
        with self._proto_lock:
            store = ProtocolStore(self._negotiation_dir())
            n = store.load()
            n.accept_signed(digest, party, signature, datetime.now(UTC))
            store.save(n)
            status = n.status(n.resolve(digest).digest)
        self._reload_protocol()
        return self._protocol_event(party, "accept", status)

    def draft_version(self, party: str, parent: str, document: object) -> dict[str, Any]:
        """Normalise a counter-proposal (or amendment) of *parent* without recording it: the
        canonical bytes the officer must sign, and the diff against the parent."""
        if not isinstance(document, dict):
            raise InputError("document: the proposed protocol document (an object)")
        with self._proto_lock:
            n = ProtocolStore(self._negotiation_dir()).load()
            base = n.resolve(parent)
        doc = ProtocolDocument.from_mapping(
            {**document, "parent": base.digest, "revision": base.document.revision + 1}
        )
        doc.party(party)
        version = Version.of(doc)
        return {
            "digest": version.digest,
            "canonical_b64": base64.b64encode(version.data).decode("ascii"),
            "diff": _diff_json(base.document, doc),
        }

    def record_version(self, party: str, canonical_b64: str, signature: str) -> dict[str, Any]:
        """Record a counter-proposal or amendment signed in the officer's browser."""
        try:
            data = base64.b64decode(canonical_b64, validate=True)
        except (binascii.Error, ValueError, TypeError):
            raise InputError("canonical_b64: base64 of the version's canonical bytes") from None
        version = Version.from_bytes(data, source="canonical_b64")
        with self._proto_lock:
            store = ProtocolStore(self._negotiation_dir())
            n = store.load()
            v, _ = n.derive_signed(version.document, party, signature, datetime.now(UTC))
            store.save(n)
            status = n.status(v.digest)
        return self._protocol_event(party, "propose", status)

    def _protocol_event(self, party: str, action: str, status: Any) -> dict[str, Any]:
        """Tell every party what happened to a version; answer the caller with its status."""
        payload = {"action": action, "digest": status.digest, "state": status.state}
        self._append([NewEvent("protocol", party, payload, audience=ALL)])
        return {"digest": status.digest, "state": status.state, "missing": list(status.missing)}

    def _reload_protocol(self) -> None:
        """Apply a newly signed version live (same parties only; thresholds and minima change)."""
        with self._proto_lock:
            n = ProtocolStore(self._negotiation_dir()).load()
            version = n.in_force()
        if version is None or version.digest == self.document.digest:
            return
        if tuple(version.document.party_ids) != self.parties:
            import logging

            logging.getLogger("airdecon.hub").warning("new version changes the parties: restart the hub")
            return
        with self.lock:
            self.document = version.document
            self.in_force = True
            self.signatures = {p: sig.to_mapping() for p, sig in n.signatures.get(version.digest, {}).items()}
            self.picture.protocol = version.document.rules
            self.picture.alerts.caution_s = version.document.rules.caution_s
            self.picture.alerts.warning_s = version.document.rules.warning_s

    def record_window(self, party: str, t_from: float, t_to: float, limit: int = 20_000) -> list[Event]:
        """Everything *party* sent or was shown between two times (for its replay view); filtered
        in the store, so its cost is that of *party*'s own entries."""
        if not (math.isfinite(t_from) and math.isfinite(t_to)) or t_to < t_from:
            raise InputError("from/to: finite POSIX seconds with from <= to")
        if t_to - t_from > 7 * 86400:
            raise InputError("the window may span at most 7 days")
        evs = self.store.events_between(t_from, t_to, parties=[party], limit=limit)
        return [e for e in evs if e.visible_to(party) or e.origin == party]

    def disclosures(self, party: str, after_seq: int = 0, limit: int = 500) -> list[Event]:
        """The disclosure ledger of *party*: every time one of its aircraft was shown to another
        party under an alert (when, to whom, which aircraft by its own id, at what precision)."""
        return self.history(party, ("disclosure",), after_seq, limit)

    def visible_seq(self, party: str) -> int:
        """The last record entry *party* may see: a cursor from it moves only with *party*'s own
        events (the record's global head would move with everyone's)."""
        return self._visible.get(party, 0)

    def audit_verify(self) -> dict[str, Any]:
        """The last verification of the whole chain and its signed checkpoints, made on the hub's
        own schedule (``verify_s``): its cost and answer do not depend on who asks or when."""
        if self._verified is None:
            return {"ok": None, "state": "verifying", "hub_key": self.hub_key.public_pem().decode()}
        return self._verified

    def verify_now(self) -> None:
        """Verify the whole chain now and keep the answer for :meth:`audit_verify`."""
        try:
            report = verify_chain(self.store, self.hub_key.public_key)
            self._verified = {
                "ok": True,
                "state": "verified",
                "head_hash": report.head_hash,
                "signatures_checked": report.signatures_checked,
                "verified_at": round(self.clock()),
                "hub_key": self.hub_key.public_pem().decode(),
            }
        except AirdeconError as exc:
            self._verified = {
                "ok": False,
                "state": "broken",
                "error": str(exc),
                "verified_at": round(self.clock()),
                "hub_key": self.hub_key.public_pem().decode(),
            }

    def verify_loop(self) -> None:
        """Verify the record at start and every ``verify_s`` until :meth:`stop`."""
        self.verify_now()
        self._every(self.settings.verify_s, self.verify_now, "record verification failed")


def _by_id(r: Report) -> str:
    return r.aircraft_id


def _state(r: Report) -> AircraftState:
    extra = {
        k: v
        for k, v in (
            ("squawk", r.squawk),
            ("emergency", r.emergency),
            ("callsign", r.callsign),
            ("on_ground", r.on_ground),
        )
        if v is not None
    }
    return AircraftState(
        aircraft_id=fleet_key(r.party, r.aircraft_id),  # party-qualified: ids never collide across parties
        party=r.party,
        t=r.t,
        lat_deg=r.lat_deg,
        lon_deg=r.lon_deg,
        alt_m=r.alt_m,
        gs_mps=r.gs_mps,
        trk_deg=r.trk_deg,
        vs_mps=r.vs_mps,
        extra=extra,
    )


def _exit_with_parent(parent: int, nice: int = 0) -> None:
    """In the resolver process: exit when the hub is gone (after a SIGKILL nothing else tells it);
    *nice* lowers its CPU priority."""
    if nice:
        with contextlib.suppress(OSError):
            os.nice(nice)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="airdecon-parent-watch", daemon=True).start()


def _resolve_job(
    fleet: Any, conflicts: ConflictSet, protocol: Any, distress: frozenset[str]
) -> list[tuple[tuple[str, str], str, bool, list[dict[str, Any]]]]:
    """Resolve *conflicts* (runs in the resolver process): plain data back, nothing shared."""
    out = []
    for cr in resolve(fleet, conflicts, protocol, distress=distress):
        out.append(
            (
                (cr.conflict.a, cr.conflict.b),
                cr.level.label,
                bool(cr.resolved),
                [adv.to_dict() for adv in cr.advisories],
            )
        )
    return out


def _message_id(ev: Event) -> str:
    """The id of a line message (or of the message a receipt is about)."""
    return str(ev.payload.get("message_id")) if isinstance(ev.payload, dict) else ""


def _diff_json(old: ProtocolDocument, new: ProtocolDocument) -> list[dict[str, Any]]:
    """The changes between two protocol versions, as the API shows them."""
    return [{"path": c.path, "old": c.old, "new": c.new} for c in diff_documents(old, new)]
