"""Planned operations and hazard areas on the hub: filed, amended, withdrawn, deconflicted.

:class:`Operations` keeps every party's operations (the current version of each; earlier versions
stay in the record), records each change as an ``operation`` event — for its filer only, or for
every party when it is a hazard area (``public``), then with the filer's contacts — and after each
change recomputes the notices of plan against plan (:mod:`airdecon.operations`) that involve the
filer's party: each notice new or changed is recorded as a ``notice`` event for the one party it
tells (``state: open``), each notice gone as ``state: cleared``. Both are streamed like any other
event. After a restart the operations and the notices in force are read back from the record.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, cast

from airdecon.errors import InputError, NotFound, WriteConflict
from airdecon.hub._alerts import HUB_PARTY
from airdecon.hub._context import HubContext, InForce
from airdecon.hub._guard import QuotaExceeded
from airdecon.hub._record import Record
from airdecon.needtoknow import hazard_ack_audience, operation_audience, operation_view, plans_other_party
from airdecon.operations import (
    FINAL_STATES,
    AreaIndex,
    AreaVolume,
    Minima,
    NoticeKey,
    Operation,
    OperationError,
    Volume,
    amend_operation,
    conflicting,
    live_count,
    minima_for,
    notice_id,
    notices,
    parse_operation,
)
from airdecon.store import JsonValue, NewEvent

__all__ = ["MAX_FILED", "MAX_LIVE", "Operations"]

MAX_LIVE = 50  # planned or active operations per party (429 beyond)
MAX_FILED = 1000  # operations a party may hold in all, ended and withdrawn ones included
REINDEX_S = 1.0  # the area index is built again at most this often


class Operations:
    """Every party's planned operations and the notices between them (see the module)."""

    def __init__(self, ctx: HubContext, record: Record) -> None:
        self._ctx = ctx
        self._record = record
        self._lock = threading.Lock()
        self._ops: dict[tuple[str, str], Operation] = {}  # (party, id) -> current version
        self._notices: dict[NoticeKey, dict[str, Any]] = {}  # open notices, as last recorded
        self._index: AreaIndex | None = None  # the volumes live tracks are checked against
        self._stale = True  # an operation changed since the index was built
        self._built = -float("inf")  # the hub's time when the index was last built
        self._next_end = float("inf")  # the earliest end of a live operation's last window
        self._acks: dict[tuple[str, str], dict[str, int]] = {}  # hazard area -> {party: version}
        self._terms: InForce = ctx.protocol  # the protocol in force the notices were computed on
        self._restore()

    # ------------------------------------------------------------------ state
    def minima(self) -> Minima:
        """The protocol's default minima, and its time buffer (``minima.plan_buffer_s``)."""
        m = self._ctx.protocol.document.minima
        return Minima(m.horizontal_nm, m.vertical_ft, m.plan_buffer_s)

    def minima_for(self, volumes: list[Volume]) -> Minima:
        """The minima of the protocol in force between *volumes* (overrides included)."""
        m = self._ctx.protocol.document.minima
        return minima_for(volumes, m, m.plan_buffer_s)

    def _pair_minima(self, own: Volume, other: Volume) -> Minima:
        m = self._ctx.protocol.document.minima
        if not (m.altitude_bands or m.volumes):
            return self.minima()
        return self.minima_for([own, other])

    def _contacts(self, party: str) -> list[dict[str, Any]]:
        for p in self._ctx.protocol.document.parties:
            if p.id == party:
                return [c.to_mapping() for c in p.contacts]
        return []

    def _restore(self) -> None:
        """Read the operations and the open notices back from the record."""
        store, seq = self._ctx.store, 0
        while batch := store.events_after(seq, kinds=("operation", "notice", "hazard-ack"), limit=1000):
            for ev in batch:
                p = ev.payload
                if not isinstance(p, dict):
                    continue
                if ev.kind == "hazard-ack":
                    area = (str(p.get("party")), str(p.get("operation")))
                    # the hub wrote this payload (acknowledge below): its version is an int
                    version = cast("int", p.get("version", 0))
                    self._acks.setdefault(area, {})[str(p.get("by"))] = int(version)
                elif ev.kind == "operation":
                    op = Operation.from_mapping(ev.origin, p)
                    self._ops[(op.party, op.id)] = op
                elif ev.audience != "all" and len(ev.audience) == 1:
                    key = (next(iter(ev.audience)), str(p.get("operation")), str(p.get("with")))
                    if p.get("state") == "open":
                        self._notices[key] = p
                    else:
                        self._notices.pop(key, None)
            seq = batch[-1].seq
        self._changed()
        self._renotice_all()  # the minima may have changed while the hub was down

    def _changed(self) -> None:
        """After any change of an operation: the area index is rebuilt when next asked for."""
        self._stale = True
        ends = [max(v.end for v in o.volumes) for o in self._ops.values() if o.live]
        self._next_end = min(ends, default=float("inf"))

    # ------------------------------------------------------------------ changes
    def file(self, party: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """File a new operation of *party* (422 invalid, 409 id taken, 429 over the quota)."""
        op = parse_operation(body, party)
        with self._lock:
            if (party, op.id) in self._ops:
                raise WriteConflict("operation", op.id, "exists: amend it (PATCH) or choose another id")
            mine = [o for (p, _), o in self._ops.items() if p == party]
            if live_count(mine) >= MAX_LIVE:
                raise QuotaExceeded(f"quota: at most {MAX_LIVE} planned or active operations per party")
            if len(mine) >= MAX_FILED:
                raise QuotaExceeded(f"quota: at most {MAX_FILED} operations per party in all")
            return self._commit(op, "filed")

    def amend(self, party: str, ident: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """A new version of *party*'s operation *ident* (the previous stays in the record)."""
        with self._lock:
            previous = self._own(party, ident)
            op = amend_operation(previous, body)
            return self._commit(op, "amended")

    def withdraw(self, party: str, ident: str) -> dict[str, Any]:
        """Withdraw *party*'s operation *ident* (again: answered as it stands)."""
        with self._lock:
            previous = self._own(party, ident)
            if previous.state == "withdrawn":
                return {"operation": previous.to_mapping(), "notices": []}
            return self._commit(amend_operation(previous, {"state": "withdrawn"}), "withdrawn")

    def _own(self, party: str, ident: str) -> Operation:
        op = self._ops.get((party, ident))
        if op is None:  # another party's id is unknown too: its existence is not disclosed
            raise NotFound("operation", ident)
        return op

    def _commit(self, op: Operation, change: str) -> dict[str, Any]:
        """Record *op*'s new version, then the notices it changes (under the lock)."""
        payload = op.to_mapping()
        if op.public:
            payload = operation_view("", op.party, payload, self._contacts(op.party)) or payload
        payload["change"] = change
        audience = operation_audience(op.party, op.public)
        self._record.append([NewEvent("operation", op.party, payload, audience=audience)])
        self._ops[(op.party, op.id)] = op
        self._changed()
        self._renotice(op.party)
        mine = [n for k, n in self._notices.items() if k[0] == op.party and k[1] == op.id]
        return {"operation": payload, "notices": mine}

    def _hidden(self) -> str | None:
        """How notices name the other party when the protocol hides it (``None``: by name)."""
        return plans_other_party(self._ctx.protocol.document.disclosure)

    def _renotice(self, party: str) -> None:
        """Recompute the notices told to or about *party* (every notice, when the other party
        is hidden: each may involve anyone); record what changed."""
        minima, hidden = self.minima(), self._hidden()
        found = notices(self._ops.values(), self._pair_minima, involving=party, others_as=hidden)
        now = {k: n.to_mapping(minima) for k, n in found.items()}
        before = {k: v for k, v in self._notices.items() if hidden or party in (k[0], k[2])}
        events = []
        for key, payload in now.items():
            if before.get(key) != payload:
                events.append(NewEvent("notice", HUB_PARTY, payload, audience=[key[0]]))
        for key in before:
            if key not in now:
                cleared: JsonValue = {"notice_id": notice_id(key), "state": "cleared", "operation": key[1],
                                      "with": key[2]}  # fmt: skip
                events.append(NewEvent("notice", HUB_PARTY, cleared, audience=[key[0]]))
        self._record.append(events)
        for key in before:
            if key not in now:
                del self._notices[key]
        self._notices.update(now)

    def _renotice_all(self) -> None:
        """Recompute every notice (once when the other party is hidden: each call computes all)."""
        for party in self._ctx.parties[:1] if self._hidden() else self._ctx.parties:
            self._renotice(party)

    def expire(self, now: float) -> None:
        """End every live operation whose windows have all passed (an ``operation`` event with
        ``change: ended`` each, and its notices cleared). After a new version of the protocol
        applied live, every notice is computed again (its minima, or whether notices name the
        other party, may have changed)."""
        if self._ctx.protocol is not self._terms:  # replaced when a version applies live
            with self._lock:
                self._terms = self._ctx.protocol
                self._renotice_all()
        if now < self._next_end:
            return
        with self._lock:
            done = [o for o in self._ops.values() if o.live and max(v.end for v in o.volumes) < now]
            for op in sorted(done, key=lambda o: (o.party, o.id)):
                self._commit(amend_operation(op, {"state": "ended"}), "ended")
            self._changed()

    def acknowledge(self, party: str, filer: str, ident: str) -> dict[str, Any]:
        """*party* acknowledges the current version of *filer*'s hazard area *ident* (again: as it
        stands). The filer and *party* are told (a ``hazard-ack`` event); nobody else."""
        with self._lock:
            op = self._ops.get((filer, ident))
            if op is None or not op.public or filer == party:  # another's plan is as unknown as none
                if op is not None and op.public and filer == party:
                    raise OperationError("party", "your own hazard area needs no acknowledgement")
                raise NotFound("hazard area", f"{filer}/{ident}")
            acks = self._acks.setdefault((filer, ident), {})
            if acks.get(party) != op.version:
                payload: JsonValue = {"operation": ident, "party": filer, "version": op.version, "by": party}
                audience = hazard_ack_audience(filer, party)
                self._record.append([NewEvent("hazard-ack", party, payload, audience=audience)])
                acks[party] = op.version
            return {"operation": ident, "party": filer, "version": op.version, "acknowledged": True}

    def area_index(self) -> AreaIndex:
        """The volumes live tracks are checked against: every *active* operation's, and every live
        hazard area's. Built again after a change, at most every :data:`REINDEX_S`: a party that
        amends its operations as fast as it may cannot make every cycle rebuild it (the index then
        lags its filings by at most that long)."""
        index, now = self._index, self._ctx.clock()
        if index is None or (self._stale and not 0.0 <= now - self._built < REINDEX_S):
            with self._lock:
                self._stale = False
                vols = [AreaVolume(o.party, o.id, n, o.public, v)
                        for o in sorted(self._ops.values(), key=lambda o: (o.party, o.id))
                        if o.state == "active" or (o.public and o.live)
                        for n, v in enumerate(o.volumes)]  # fmt: skip
            index = self._index = AreaIndex(vols)
            self._built = now
        return index

    def assigned(self, now: float) -> list[Operation]:
        """Active operations that name aircraft and have a volume whose window holds *now*."""
        with self._lock:
            return [o for o in self._ops.values() if o.state == "active" and o.aircraft
                    and any(v.start <= now <= v.end for v in o.volumes)]  # fmt: skip

    # ------------------------------------------------------------------ reading
    def listed(self, party: str) -> list[dict[str, Any]]:
        """*party*'s own operations and every party's hazard areas, as it may see them."""
        out = []
        with self._lock:
            ops = sorted(self._ops.values(), key=lambda o: (o.party != party, o.party, o.id))
            for op in ops:
                acks = self._acks.get((op.party, op.id), {}) if op.public else None
                view = operation_view(party, op.party, op.to_mapping(), self._contacts(op.party), acks)
                if view is not None:
                    out.append(view)
        return out

    def notices_for(self, party: str) -> list[dict[str, Any]]:
        """The open notices told to *party*, by notice id."""
        with self._lock:
            mine = [n for k, n in self._notices.items() if k[0] == party]
        return sorted(mine, key=lambda n: str(n["notice_id"]))

    def linked(self, party: str, ident: str, to: str) -> tuple[str, list[dict[str, str]]]:
        """For a request of *party* to *to* about its notice *ident*: *party*'s operation of the
        notice, and *to*'s open notices from the same conflict (those of its operations within
        the minima of that operation), each ``{"notice_id", "operation"}``.

        The notice must be *party*'s own, open, and against *to*: another party's notice id, a
        made-up one and a cleared one are all "no open notice of yours" (404), so no id can be
        probed; one against another party is 422 (its reader knows whom it is against)."""
        with self._lock:
            key = next((k for k in self._notices if k[0] == party and notice_id(k) == ident), None)
            if key is None:
                raise NotFound("open notice of yours", ident)
            if key[2] == self._hidden():  # whatever *to* is, so the answer tells nothing
                raise InputError(
                    "fields.notice_id: the protocol hides the other party of notices "
                    f"(disclosure.plans_name_party: false), so {ident} cannot be answered on the line"
                )
            if key[2] != to:
                raise InputError(f"to: notice {ident} is about your plan against {key[2]}, not {to}")
            own = self._ops[(party, key[1])]
            # only *to*'s operations with an open notice against *party* can be linked
            theirs = [o for (p, i), o in self._ops.items() if p == to and (to, i, party) in self._notices]
        # the geometry outside the lock: a flood of requests does not hold up filings or the cycle
        linked = conflicting(theirs, own, self._pair_minima)
        return own.id, [{"notice_id": notice_id((to, i, party)), "operation": i} for i in linked]

    def live_of(self, party: str) -> int:
        """How many planned or active operations *party* holds."""
        with self._lock:
            return sum(1 for (p, _), o in self._ops.items() if p == party and o.state not in FINAL_STATES)
