"""Distress: MAYDAY declared, broadcast to every party, acknowledged, closed, and rebuilt at a restart.

Every party sees every case (see :mod:`airdecon.needtoknow`). The picture holds the cases and their
timers; :class:`Distress` turns them into broadcasts (one payload for the stream and for
``/v1/distress`` alike) and records every step through the record.
"""

from __future__ import annotations

from typing import Any

from airdecon.errors import InputError
from airdecon.hub._alerts import HUB_PARTY
from airdecon.hub._context import HubContext
from airdecon.hub._picture import DistressCase
from airdecon.hub._record import Record
from airdecon.hub._reports import fleet_key
from airdecon.hub._views import Views, state_of
from airdecon.store import ALL, Event, JsonValue, NewEvent

__all__ = ["Distress"]


class Distress:
    """The distress cases as the parties are shown them (see the module docstring)."""

    def __init__(self, ctx: HubContext, record: Record) -> None:
        self._ctx = ctx
        self._record = record

    # ------------------------------------------------------------------ broadcasts
    def event(self, case: DistressCase, stage: str, views: Views | None = None) -> NewEvent:
        """The broadcast of *case* at *stage* (raised, resent, escalated), to every party."""
        return NewEvent("distress", HUB_PARTY, self._payload(case, stage, views), audience=ALL)

    def _payload(self, case: DistressCase, stage: str, views: Views | None = None) -> dict[str, Any]:
        """*case* as every party is shown it, in broadcasts and in :meth:`open_cases` alike."""
        state = (views.get(case.key) if views is not None else None) or state_of(self._ctx.picture, case.key)
        return self._ctx.disclosure.distress_payload(
            case_id=case.distress_id,
            party=case.party,
            aircraft_id=case.aircraft_id,
            reason=case.reason,
            state=state,
            stage=stage,
            acks=case.acks,
            raised_at=case.raised_at,
        )

    def open_cases(self, party: str) -> dict[str, Any]:
        """The open distress cases as their broadcasts show them now, and a cursor to stream from.

        Every party sees every case (see :mod:`airdecon.needtoknow`); *party* only binds the cursor.
        The cursor is the record's head *before* the cases are read: what happens after it comes on
        the stream resumed there, so a client that loads this and then streams misses nothing (it
        may see an event twice, whose effect it already has).
        """
        head = self._record.visible_seq(party)
        picture = self._ctx.picture
        with self._ctx.lock:
            views = Views(picture.last_fleet)
            cases = [
                self._payload(case, _stage(case), views)
                for case in picture.distress.values()
                if not case.closed
            ]
        return {"distress": cases, "cursor": self._record.cursor(party, head)}

    # ------------------------------------------------------------------ a party's acts
    def declare(
        self, party: str, aircraft_id: str, reason: str | None, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        """A party declares distress for one of its aircraft (MAYDAY); broadcast to every party."""
        ctx = self._ctx
        now = ctx.clock()
        with ctx.lock:
            try:
                existing = ctx.picture.open_distress_of(fleet_key(party, aircraft_id))
                case = ctx.picture.declare_distress(party, aircraft_id, reason or "MAYDAY declared", now)
            except InputError:
                raise InputError(ctx.disclosure.unknown_aircraft(aircraft_id)) from None
            events = [] if existing else [self.event(case, "raised")]
        stored = self._record.append(events)
        ctx.dirty.set()
        return {
            "distress_id": case.distress_id,
            "new": not existing,
            "cursor": self._record.cursor(party, stored[0].seq) if stored else None,
        }

    def acknowledge(self, party: str, distress_id: str, idempotency_key: str | None = None) -> dict[str, Any]:
        """*party* acknowledges a distress broadcast; every party is told."""
        ctx = self._ctx
        now = ctx.clock()
        with ctx.lock:
            case = ctx.picture.acknowledge(party, distress_id, now)
            payload: dict[str, Any] = {  # what the caller is answered, too
                "distress_id": case.distress_id,
                "by": party,
                "at": case.acks.get(party, now),  # a repeated acknowledgement answers the first
                "awaiting": ctx.picture.missing_acks(case),
            }
        self._record.append(
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

    def close(self, party: str, distress_id: str) -> dict[str, Any]:
        """The party in distress ends it ("distress traffic ended")."""
        with self._ctx.lock:
            case = self._ctx.picture.close_distress(party, distress_id)
        payload: dict[str, JsonValue] = {"distress_id": case.distress_id, "by": party}
        self._record.append([NewEvent("distress-closed", party, payload, audience=ALL)])
        return payload

    # ------------------------------------------------------------------ a restart
    def restore(self) -> None:
        """Rebuild the cases from the record (the caller holds the picture lock)."""
        seq = 0
        while batch := self._ctx.store.events_after(
            seq, kinds=("distress", "ack", "distress-closed"), limit=1000
        ):
            for ev in batch:
                self._replay(ev)
            seq = batch[-1].seq

    def _replay(self, ev: Event) -> None:
        picture = self._ctx.picture
        p = ev.payload if isinstance(ev.payload, dict) else {}
        did = str(p.get("distress_id", ""))
        if ev.kind == "distress" and p.get("stage") == "raised" and did not in picture.distress:
            key = fleet_key(str(p["party"]), str(p["id"]))
            case = DistressCase(
                did, key, str(p["party"]), str(p["id"]), str(p.get("reason", "")), ev.at, last_sent=ev.at
            )
            case.acks[case.party] = ev.at
            picture.restore_distress(case)
        elif ev.kind == "distress" and did in picture.distress:  # resent or escalated
            case = picture.distress[did]
            case.last_sent = max(case.last_sent, ev.at)
            if p.get("stage") == "escalated":
                case.escalated = True  # escalated once: a restart must not escalate it again
            else:
                case.sends += 1
        elif ev.kind == "ack" and did in picture.distress:
            picture.distress[did].acks.setdefault(ev.origin, ev.at)
        elif ev.kind == "distress-closed" and did in picture.distress:
            picture.closed_distress(picture.distress[did])


def _stage(case: DistressCase) -> str:
    """Where a case stands, named as its broadcasts name it: raised, resent or escalated."""
    if case.escalated:
        return "escalated"
    return "resent" if case.sends > 1 else "raised"
