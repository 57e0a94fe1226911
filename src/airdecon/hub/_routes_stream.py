"""Stream routes: a party's events in order, polled over HTTP or pushed over the WebSocket.

On ``/v1/stream`` a party also reports (``{"type": "reports", ...}``, acknowledged by ``ref``) and
pings. The socket is accepted before its credentials are judged, so a refusal can say why: an
error envelope, then close code 4401 (credentials) or 4400 (a cursor not issued to this party).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect

from airdecon.audit import PartyHead
from airdecon.errors import AirdeconError, InputError
from airdecon.hub._api import HubDep, MaybeParty, Party, after_cursor
from airdecon.hub._errors import (
    WS_BAD_REQUEST,
    WS_QUOTA,
    WS_TOO_SLOW,
    WS_UNAUTHORIZED,
    BadRequest,
    envelope,
    status_for,
)
from airdecon.hub._input import load_json
from airdecon.hub._record import Subscriber
from airdecon.hub._service import Hub
from airdecon.store import Event

__all__ = ["PIPELINE", "router"]

router = APIRouter(tags=["stream"])

#: Messages of one stream connection handled at once (see :func:`_receive`).
PIPELINE = 4

_BINARY = {"type": "error", "ref": None, **envelope("bad_request", "binary frames are not read: send JSON")}
# the ref of a message that could not be read as a whole (a top-level string or integer ref)
_REF = re.compile(r'^\s*\{.*?"ref"\s*:\s*("(?:[^"\\]|\\.){0,200}"|-?\d{1,19})', re.S)


def _ref_of(text: str) -> Any:
    """The client's ``ref`` of a message the strict reader refused, where it can be found."""
    m = _REF.match(text[:4096])
    if m is None:
        return None
    try:
        return load_json(m.group(1))
    except AirdeconError:
        return None


@router.get("/v1/events")
async def events(
    hub: HubDep, party: Party, after: str | None = None, limit: Annotated[int, Query(ge=1, le=1000)] = 500
) -> dict[str, Any]:
    """Everything for you after a cursor (the WebSocket's backlog, for clients that poll)."""
    seq = after_cursor(hub, party, after)
    evs = await asyncio.to_thread(hub.record.backlog, party, seq, limit)
    # the poller has them now, as a socket would: their senders get delivery receipts
    await asyncio.to_thread(hub.line.delivered, party, evs)
    return {"events": [hub.record.wire(party, e) for e in evs]}


@router.websocket("/v1/stream")
async def stream(
    ws: WebSocket,
    hub: HubDep,
    party: MaybeParty,
    after: str | None = None,
    reports: bool = False,
) -> None:
    """Your events in order, resuming after a cursor; send ``{"type": "reports", ...}`` to report.

    Your own ``report`` events (the echo of what you sent) are left out unless ``reports=true``.
    ``after=live`` skips the backlog: only what happens from now on. Browsers, which cannot set
    the ``Authorization`` header on a WebSocket, pass ``?token=`` instead (see
    :func:`~airdecon.hub._api.authenticated`).
    """
    await ws.accept()
    if party is None:
        await ws.send_json(envelope("unauthorized", "missing or invalid credentials"))
        await ws.close(code=WS_UNAUTHORIZED)
        return
    try:
        last = hub.record.visible_seq(party) if after == "live" else after_cursor(hub, party, after)
    except AirdeconError as exc:
        await ws.send_json(status_for(exc)[1])
        await ws.close(code=WS_BAD_REQUEST)
        return
    await _Connection(hub, ws, party, reports).run(last)


class _Connection:
    """One party's open stream: the sender of its events and the receiver of its messages."""

    def __init__(self, hub: Hub, ws: WebSocket, party: str, reports: bool) -> None:
        self.hub, self.ws, self.party, self.reports = hub, ws, party, reports
        size = hub.context.settings.stream_queue
        self.sub = Subscriber(party, queue=asyncio.Queue(maxsize=size), loop=asyncio.get_running_loop())
        self.send_lock = asyncio.Lock()

    async def run(self, last: int) -> None:
        """Send *party*'s events after global entry *last* and answer its messages until either side ends."""
        hub, ws = self.hub, self.ws
        limit = hub.context.settings.max_streams
        if not hub.record.subscribe_within(self.sub, limit):
            msg = f"quota max_streams: {self.party} may hold {limit} streams open at once"
            await ws.send_json(envelope("quota_exceeded", msg))
            await ws.close(code=WS_QUOTA)
            return
        tasks = [asyncio.create_task(self._send_events(last)), asyncio.create_task(self._receive())]
        try:
            done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for t in pending:
                t.cancel()
            for t in done:
                exc = t.exception()
                if exc is not None and not isinstance(exc, WebSocketDisconnect | RuntimeError):
                    raise exc
        finally:
            hub.record.unsubscribe(self.sub)
            with contextlib.suppress(Exception):
                await ws.close()

    async def _send(self, obj: dict[str, Any]) -> None:
        async with self.send_lock:
            await self.ws.send_text(json.dumps(obj, allow_nan=False))

    async def _deliver(self, ev: Event) -> None:
        if ev.kind == "report" and not self.reports:
            return
        await self._send(self.hub.record.wire(self.party, ev))
        if ev.kind == "message" and ev.origin != self.party:
            await asyncio.to_thread(self.hub.line.delivered, self.party, [ev])

    async def _send_events(self, last: int) -> None:
        hub, party, sub = self.hub, self.party, self.sub
        while True:  # backlog first, page by page
            batch = await asyncio.to_thread(hub.record.backlog, party, last)
            if not batch:
                break
            for past in batch:
                await self._deliver(past)
                last = past.seq
        await self._send({"type": "live", "cursor": hub.record.cursor(party, last)})
        head = hub.record.heads.latest(party)  # the last signed head of your extract, then each new one
        if head is not None:
            await self._send(head.to_json())
        while True:
            ev = await sub.queue.get()
            if sub.overflowed:
                await self.ws.close(code=WS_TOO_SLOW)
                return
            if isinstance(ev, PartyHead):
                if head is None or ev.n > head.n:
                    await self._send(ev.to_json())
                    head = ev
                continue
            if ev is None or ev.seq <= last:
                continue
            await self._deliver(ev)
            last = ev.seq

    def _answer(self, text: str) -> dict[str, Any]:
        """The reply to one message (in a worker thread: decoding reports is work)."""
        hub, party = self.hub, self.party
        msg: dict[str, Any] = {}
        try:
            msg, batch = hub.intake.read_reports(party, text)
            kind = msg.get("type")
            if kind == "ping":
                return {"type": "pong", "ref": msg.get("ref")}
            if kind != "reports":
                raise BadRequest("type: must be 'reports' or 'ping'")
            hub.throttle(party)
            if batch is None:
                raise InputError("'reports' must be a list of aircraft states")
            res = hub.intake.submit_batch(party, batch, idempotency_key=msg.get("idempotency_key"))
            return {"type": "ack", "ref": msg.get("ref"), **res}
        except AirdeconError as exc:
            ref = msg.get("ref") if msg else _ref_of(text)
            ref = ref if isinstance(ref, str | int) and not isinstance(ref, bool) else None
            return {"type": "error", "ref": ref, **status_for(exc)[1]}

    async def _reply(self, text: str, slot: asyncio.Semaphore) -> None:
        try:
            await self._send(await asyncio.to_thread(self._answer, text))
        except (WebSocketDisconnect, RuntimeError):  # the client left: its reports are in
            pass
        finally:
            slot.release()

    async def _receive(self) -> None:
        # Up to PIPELINE messages in flight: a short message (one aircraft's report) is not
        # held behind its party's batch of 1,000 still being decoded and committed. Each ack
        # carries its message's ref; they may come back in another order than sent.
        slot = asyncio.Semaphore(PIPELINE)
        running: set[asyncio.Task[None]] = set()
        try:
            while True:
                frame = await self.ws.receive()
                if frame["type"] == "websocket.disconnect":
                    raise WebSocketDisconnect(frame.get("code", 1000))
                text = frame.get("text")
                if text is None:  # a binary frame: answered, and the socket stays open
                    await self._send(_BINARY)
                    continue
                await slot.acquire()
                task = asyncio.create_task(self._reply(text, slot))
                running.add(task)
                task.add_done_callback(running.discard)
        finally:
            # what is being recorded finishes (in its thread); only the replies are dropped
            for task in running:
                task.cancel()
