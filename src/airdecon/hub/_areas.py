"""Live tracks against plans on the hub: area alerts and conformance, once a detection cycle.

After each detection cycle :class:`AreaWatch` checks the cycle's fleet against the volumes of
:meth:`Operations.area_index <airdecon.hub._operations.Operations.area_index>` (other parties'
active volumes, every hazard area) with :func:`airdecon.operations.crossings`, and keeps one
*area alert* per (aircraft, volume) predicted: ``raised`` when first predicted, ``updated`` when
the predicted entry moves by more than :data:`UPDATE_S`, ``cleared`` once it has not been
predicted for :data:`HOLD_S`. Each is recorded as an ``area-alert`` event whose payloads the
need-to-know layer decides (:func:`airdecon.needtoknow.area_alert_payloads`): the aircraft's
party sees the part of the volume its path crosses, the owner an aircraft of party X, pseudonymous.

*Conformance*: an own aircraft named in an active operation that has been inside one of its
volumes and is no longer inside any of them (area, band, window in force) raises a
``conformance`` event for its own party only (``state: left``), and ``state: back`` when it is
inside again.

After a restart both are read back from the record (:meth:`AreaWatch._restore`): an area alert
open before it is the same alert after it (its pseudonym, its payloads; the first cycles update or
clear it as they would have), and an aircraft told out of its operation is still out, told again
only when it is back. Whether an aircraft was *inside* is not recorded: the first cycle with
assigned aircraft takes it from each one's last report in the picture (restored from before the
restart), so an aircraft that left while the hub was down is told it left.
Not thread-safe: the cycle thread calls :meth:`cycle`; reads copy.
"""

from __future__ import annotations

import itertools
import json
import secrets
import threading
from typing import Any

import numpy as np

from airdecon.hub._alerts import HUB_PARTY
from airdecon.hub._context import HubContext
from airdecon.hub._operations import Operations
from airdecon.needtoknow import AreaAlert, StateView, area_alert_payloads
from airdecon.operations import crossed_part, crossings, inside
from airdecon.state import Fleet
from airdecon.store import Event, JsonValue, NewEvent
from airdecon.units import FT

__all__ = ["HOLD_S", "UPDATE_S", "AreaWatch"]

HOLD_S = 5.0  # an area alert not predicted for this long is cleared
UPDATE_S = 15.0  # a predicted entry that moves by more than this is told again

Key = tuple[str, str, str, int]  # (aircraft fleet key, owner, operation, volume)


class AreaWatch:
    """Area alerts and conformance notices of the live picture (see the module)."""

    def __init__(self, ctx: HubContext, operations: Operations) -> None:
        self._ctx = ctx
        self._ops = operations
        self._lock = threading.Lock()
        self._open: dict[Key, dict[str, Any]] = {}  # id, enter_at, seen, payloads
        self._inside: dict[tuple[str, str, str], bool] = {}  # (party, operation, aircraft): left?
        self._left: dict[tuple[str, str, str], dict[str, Any]] = {}
        self._raised = itertools.count()  # the order alerts were raised in (their clears follow it)
        self._first = True  # no cycle has seen assigned aircraft yet (see _seed)
        self._restore()

    # ------------------------------------------------------------------ after a restart
    def _restore(self) -> None:
        """Read back from the record the area alerts still open and the aircraft still out of
        their operation (see the module)."""
        store, seq = self._ctx.store, 0
        seen: dict[str, dict[str, tuple[str, dict[str, Any]]]] = {}  # alert id -> role -> (party, payload)
        while batch := store.events_after(seq, kinds=("area-alert", "conformance"), limit=1000):
            for ev in batch:
                self._replay(ev, seen)
            seq = batch[-1].seq
        now = self._ctx.clock()
        volumes = self._ops.area_index().volumes
        for ident, roles in seen.items():
            restored = _reopened(ident, roles, volumes, now, self._ctx.disclosure.rules)
            if restored is not None:
                restored[1]["n"] = next(self._raised)  # raised in the order of the record
                self._open[restored[0]] = restored[1]

    def _replay(self, ev: Event, seen: dict[str, dict[str, tuple[str, dict[str, Any]]]]) -> None:
        p = ev.payload
        if not isinstance(p, dict) or ev.audience == "all" or len(ev.audience) != 1:
            return
        (party,) = ev.audience
        if ev.kind == "conformance":
            key = (party, str(p.get("operation")), str(p.get("aircraft")))
            self._inside[key] = True  # out after it was in, or back in
            if p.get("state") == "left":
                self._left[key] = p
            else:
                self._left.pop(key, None)
        elif p.get("kind") == "cleared":
            seen.pop(str(p.get("area_alert_id")), None)
        else:
            seen.setdefault(str(p.get("area_alert_id")), {})[str(p.get("role"))] = (party, p)

    # ------------------------------------------------------------------ the cycle
    def cycle(self, fleet: Fleet, now: float) -> list[NewEvent]:
        """The area-alert and conformance events of one cycle's *fleet* at *now*."""
        self._ops.expire(now)
        out = self._area_alerts(fleet, now)
        out.extend(self._conformance(fleet, now))
        return out

    def _area_alerts(self, fleet: Fleet, now: float) -> list[NewEvent]:
        index = self._ops.area_index()
        rules = self._ctx.picture.protocol
        found = crossings(
            index,
            party=fleet.party,
            lat_deg=fleet.lat_deg,
            lon_deg=fleet.lon_deg,
            alt_m=fleet.alt_m,
            gs_mps=fleet.gs_mps,
            trk_deg=fleet.trk_deg,
            vs_mps=fleet.vs_mps,
            now=now,
            lookahead_s=rules.lookahead_s,
        )
        seen: dict[Key, int] = {}
        for k in range(len(found)):
            v = index.volumes[int(found.volume[k])]
            key = (str(fleet.ids[int(found.aircraft[k])]), v.owner, v.operation, v.index)
            if key not in seen or found.t_in[k] < found.t_in[seen[key]]:
                seen[key] = k
        events: list[tuple[int, NewEvent]] = []  # (raise order, event)
        with self._lock:
            # by predicted entry, then volume: not by aircraft id alone, whose order the owner may not see
            order = sorted(seen, key=lambda key: (round(float(found.t_in[seen[key]]), 1), key[1:], key[0]))
            for key in order:
                k = seen[key]
                enter_at = now + float(found.t_in[k])
                alert = self._open.get(key)
                if alert is not None:
                    alert["seen"] = now
                    if abs(enter_at - alert["enter_at"]) <= UPDATE_S:
                        continue
                kind = "raised" if alert is None else "updated"
                alert = alert or {"id": "AA-" + secrets.token_hex(4), "seen": now, "n": next(self._raised)}
                alert["enter_at"] = enter_at
                a = self._describe(
                    alert["id"], kind, key, fleet, found, k, index.volumes[int(found.volume[k])], now
                )
                alert["payloads"] = area_alert_payloads(a, self._ctx.disclosure.rules)
                alert["cleared"] = area_alert_payloads(
                    AreaAlert(**{**a.__dict__, "kind": "cleared"}), self._ctx.disclosure.rules
                )
                self._open[key] = alert
                events.extend((alert["n"], NewEvent("area-alert", HUB_PARTY, p, audience=sorted(aud)))
                              for aud, p in alert["payloads"])  # fmt: skip
            live = {(v.owner, v.operation, v.index) for v in index.volumes}
            # in the order they were raised (by predicted entry): not by key, whose owner and
            # aircraft id order the reader may not know (disclosure.plans_name_party: false)
            for key in sorted(self._open, key=lambda k: self._open[k]["n"]):
                alert = self._open[key]
                if key in seen or (now - alert["seen"] < HOLD_S and key[1:] in live):
                    continue  # held a moment, unless its volume is gone (withdrawn, ended)
                del self._open[key]
                events.extend((alert["n"], NewEvent("area-alert", HUB_PARTY, p, audience=sorted(aud)))
                              for aud, p in alert["cleared"])  # fmt: skip
        return [ev for _, ev in sorted(events, key=_told_order)]

    def _describe(
        self, pub: str, kind: str, key: Key, fleet: Fleet, found: Any, k: int, av: Any, now: float
    ) -> AreaAlert:
        row = int(found.aircraft[k])
        t_in, t_out = float(found.t_in[k]), float(found.t_out[k])
        part = None
        if not av.public:
            clip = crossed_part(
                av.volume,
                lat_deg=float(fleet.lat_deg[row]),
                lon_deg=float(fleet.lon_deg[row]),
                alt_m=float(fleet.alt_m[row]),
                gs_mps=float(fleet.gs_mps[row]),
                trk_deg=float(fleet.trk_deg[row]),
                vs_mps=float(fleet.vs_mps[row]),
                t_in=t_in,
                t_out=t_out,
                now=now,
                minima=self._ops.minima_for([av.volume]),
            )
            part = clip.to_mapping() if clip is not None else None
        party, ident = key[0].split("/", 1)
        entry = StateView(float(found.lat[k]), float(found.lon[k]), float(found.alt_m[k]), 0.0, 0.0, 0.0)
        return AreaAlert(
            alert_id=pub,
            kind=kind,
            aircraft_party=party,
            aircraft_id=ident,
            owner=key[1],
            operation=key[2],
            volume=key[3],
            public=av.public,
            area=av.volume.to_mapping(),
            part=part,
            enter_at=now + t_in,
            exit_at=now + t_out,
            now=now,
            entry=entry,
        )

    def _conformance(self, fleet: Fleet, now: float) -> list[NewEvent]:
        assigned = self._ops.assigned(now)
        if not assigned:
            with self._lock:
                self._inside.clear()
                self._left.clear()
            return []
        if self._first:  # the first cycle with assigned aircraft since the hub started
            self._first = False
            self._seed(assigned)
        rows = {str(k): n for n, k in enumerate(fleet.ids.tolist())}
        events: list[NewEvent] = []
        current: set[tuple[str, str, str]] = set()
        with self._lock:
            for op in assigned:
                present = [(a, rows[f"{op.party}/{a}"]) for a in op.aircraft if f"{op.party}/{a}" in rows]
                if not present:
                    continue
                at = np.array([r for _, r in present], dtype=np.intp)
                lat, lon, alt = fleet.lat_deg[at], fleet.lon_deg[at], fleet.alt_m[at]
                ok = np.zeros(at.shape, dtype=bool)
                for v in op.volumes:
                    ok |= inside(v, lat, lon, alt, now)
                for n, (ident, _) in enumerate(present):
                    key = (op.party, op.id, ident)
                    current.add(key)
                    was = self._inside.get(key)
                    if ok[n]:
                        self._inside[key] = True
                        if key in self._left:
                            del self._left[key]
                            payload: dict[str, JsonValue] = {
                                "operation": op.id, "aircraft": ident, "state": "back", "t": now
                            }  # fmt: skip
                            events.append(NewEvent("conformance", HUB_PARTY, payload, audience=[op.party]))
                    elif was and key not in self._left:
                        payload = {"operation": op.id, "aircraft": ident, "state": "left", "t": now,
                                   "at": {"lat": round(float(lat[n]), 6), "lon": round(float(lon[n]), 6),
                                          "alt_ft": round(float(alt[n]) / FT, 0)}}  # fmt: skip
                        self._left[key] = payload
                        events.append(NewEvent("conformance", HUB_PARTY, payload, audience=[op.party]))
            for key in [k for k in self._inside if k not in current]:
                del self._inside[key]
                self._left.pop(key, None)
        return events

    def _seed(self, assigned: list[Any]) -> None:
        """Whether each assigned aircraft not yet known was inside at its last report: after a
        restart the picture holds the reports from before it, so an aircraft that was inside and
        left while the hub was down is told it left."""
        with self._ctx.lock:
            last = {r.key: r for r in self._ctx.picture.reports()}
        with self._lock:
            for op in assigned:
                for ident in op.aircraft:
                    r, key = last.get(f"{op.party}/{ident}"), (op.party, op.id, ident)
                    if r is None or key in self._inside:
                        continue
                    at = (np.array([r.lat_deg]), np.array([r.lon_deg]), np.array([r.alt_m]))
                    if any(bool(inside(v, *at, r.t)[0]) for v in op.volumes):
                        self._inside[key] = True

    # ------------------------------------------------------------------ reading
    def alerts_for(self, party: str, now: float) -> list[dict[str, Any]]:
        """*party*'s current area alerts (as its aircraft's party or as the volume's owner)."""
        out: list[tuple[int, dict[str, Any]]] = []
        with self._lock:
            for alert in self._open.values():
                for aud, payload in alert["payloads"]:
                    if party in aud:
                        p = dict(payload)
                        if "in_s" in p:
                            p["in_s"] = max(0, round(alert["enter_at"] - now))
                        out.append((alert["n"], p))
        # by what the reader sees, never by the random id (nor the pseudonym made of it: the order
        # must not depend on chance), then by the order they were raised in
        return [p for _, p in sorted(out, key=lambda np: (_seen(np[1]), np[0]))]

    def conformance_for(self, party: str) -> list[dict[str, Any]]:
        """*party*'s aircraft currently out of the operation they are assigned to."""
        with self._lock:
            return [dict(p) for (owner, _, _), p in sorted(self._left.items()) if owner == party]


def _reopened(
    ident: str, roles: dict[str, tuple[str, dict[str, Any]]], volumes: Any, now: float, rules: Any
) -> tuple[Key, dict[str, Any]] | None:
    """An open area alert as recorded (its last payload to each side) put back as :class:`AreaWatch`
    keeps it, or ``None`` when the record does not say whose aircraft and which volume.

    The aircraft's side names the aircraft; the owner's side the operation and the volume. A
    hazard area crossed by its own party's aircraft has only the first, which shows the volume in
    full: it is found among the operation's volumes indexed now (none: its volume is gone, and the
    first cycle clears the alert)."""
    mine, theirs = roles.get("aircraft"), roles.get("area")
    if mine is None:
        return None
    party, p = mine
    owner, operation, volume = str(p.get("with")), str(p.get("operation")), -1
    if theirs is not None:
        owner, operation, volume = (
            theirs[0],
            str(theirs[1].get("operation")),
            int(theirs[1].get("volume", -1)),
        )
    elif owner == party and p.get("hazard"):
        area = json.dumps(p.get("area"), sort_keys=True)
        volume = next((v.index for v in volumes if (v.owner, v.operation) == (owner, operation)
                       and json.dumps(v.volume.to_mapping(), sort_keys=True) == area), -1)  # fmt: skip
    else:
        return None
    key: Key = (f"{party}/{p.get('aircraft')}", owner, operation, volume)
    cleared = AreaAlert(
        alert_id=ident, kind="cleared", aircraft_party=party, aircraft_id=str(p.get("aircraft")), owner=owner,
        operation=operation, volume=volume, public=bool(p.get("hazard")), area={}, part=None,
        enter_at=float(p.get("enter_at", now)), exit_at=float(p.get("exit_at", now)), now=now,
        entry=StateView(0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
    )  # fmt: skip
    payloads = [(frozenset([party]), p)] + ([(frozenset([owner]), theirs[1])] if theirs is not None else [])
    alert = {"id": ident, "seen": now, "enter_at": float(p.get("enter_at", now)), "payloads": payloads,
             "cleared": area_alert_payloads(cleared, rules)}  # fmt: skip
    return key, alert


def _told_order(item: tuple[int, NewEvent]) -> tuple[Any, ...]:
    """The order a cycle's area-alert events are recorded in: for each reader, by what it reads
    (its payload, the alert's random id left out), then by the order the alerts were raised —
    never by an owner's name or an aircraft id the reader may not see, nor by a predicted time a
    rounding step apart (a few ulps of the fleet's vectorised arithmetic could swap two alerts)."""
    n, ev = item
    payload = ev.payload if isinstance(ev.payload, dict) else {}
    return (sorted(ev.audience) if ev.audience != "all" else [], _seen(payload), n)


def _seen(payload: dict[str, Any]) -> str:
    """An area alert's payload as its reader tells it apart: its id (and the pseudonym made of
    it) left out."""
    return json.dumps(payload, sort_keys=True).replace(str(payload.get("area_alert_id")), "")
