"""The hub's HTTP and WebSocket face (FastAPI): authenticate, parse, call the service, translate errors.

Routes are versioned under ``/v1`` and documented at ``/openapi.json``. Credentials travel as
``Authorization: Bearer <token>`` (from ``airdecon party token``); browsers, which cannot set that
header on a WebSocket, may pass ``?token=`` on ``/v1/stream`` instead. No route holds a domain rule:
what a party may see is decided by :mod:`airdecon.needtoknow` inside :class:`~airdecon.hub.Hub`.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from airdecon import __version__
from airdecon.errors import AirdeconError, InputError, MalformedInput
from airdecon.hub._errors import (
    WS_BAD_REQUEST,
    WS_TOO_SLOW,
    WS_UNAUTHORIZED,
    BadRequest,
    PayloadTooLarge,
    Unauthorized,
    envelope,
    install_error_handlers,
    status_for,
)
from airdecon.hub._record import Subscriber
from airdecon.hub._reports import reject_json_constant
from airdecon.hub._service import Hub
from airdecon.web import static_dir

__all__ = ["create_app"]

_REPORT_SCHEMA = {
    "type": "object",
    "required": ["id", "lat", "lon", "alt_ft", "gs_kt", "trk_deg"],
    "properties": {
        "id": {"type": "string", "description": "the aircraft's id within the reporting party"},
        "lat": {"type": "number", "minimum": -90, "maximum": 90},
        "lon": {"type": "number", "minimum": -360, "maximum": 360},
        "alt_ft": {"type": "number", "description": "pressure altitude, ft"},
        "gs_kt": {"type": "number", "minimum": 0},
        "trk_deg": {"type": "number", "description": "true track, degrees"},
        "vs_fpm": {"type": "number", "default": 0},
        "t": {"type": "number", "description": "POSIX seconds of the state (default: now)"},
        "squawk": {"type": "string", "pattern": "^[0-7]{4}$"},
        "emergency": {"type": "integer", "minimum": 0, "maximum": 7, "description": "ADS-B emergency status"},
        "callsign": {"type": "string", "maxLength": 16},
        "on_ground": {"type": "boolean"},
    },
}


_POSITION_SCHEMA = {
    "type": "object",
    "properties": {
        "lat": {"type": "number"},
        "lon": {"type": "number"},
        "alt_ft": {"type": "number"},
        "gs_kt": {"type": "number"},
        "trk_deg": {"type": "number"},
        "vs_fpm": {"type": "number"},
    },
}

_DISTRESS_SCHEMA = {
    "type": "object",
    "description": "an open distress case, with the fields of its distress broadcasts",
    "properties": {
        "distress_id": {"type": "string"},
        "stage": {"type": "string", "enum": ["raised", "resent", "escalated"]},
        "party": {"type": "string", "description": "the party whose aircraft is in distress"},
        "id": {"type": "string", "description": "the aircraft, as its party names it"},
        "reason": {"type": "string"},
        "raised_at": {"type": "number", "description": "POSIX seconds"},
        "position": {"anyOf": [_POSITION_SCHEMA, {"type": "null"}], "description": "latest known"},
        "frequencies_mhz": {"type": "array", "items": {"type": "number"}},
        "acknowledged_by": {"type": "array", "items": {"type": "string"}},
        "awaiting": {
            "type": "array",
            "items": {"type": "string"},
            "description": "parties that have not acknowledged yet",
        },
    },
}


def _answer(schema: dict[str, Any], description: str = "Successful Response") -> dict[Any, Any]:
    return {200: {"description": description, "content": {"application/json": {"schema": schema}}}}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


async def _json(request: Request, hub: Hub) -> dict[str, Any]:
    """The request body as a JSON object, within the size limit (413), strictly parsed (400)."""
    try:
        value = json.loads(await _read_body(request, hub), parse_constant=reject_json_constant)
    except (ValueError, UnicodeDecodeError) as exc:
        if isinstance(exc, MalformedInput):
            raise
        raise BadRequest(f"malformed JSON: {exc}") from None
    if not isinstance(value, dict):
        raise BadRequest("the body must be a JSON object")
    return value


async def _read_body(request: Request, hub: Hub) -> bytes:
    """The request body, within the size limit (413)."""
    limit = hub.settings.max_body_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"body of {declared} bytes exceeds the limit of {limit}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"body exceeds the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def current_party(request: Request, authorization: Annotated[str | None, Header()] = None) -> str:
    """The authenticated party (401 otherwise), rate-limited (429)."""
    hub: Hub = request.app.state.hub
    token = None
    if authorization and authorization.lower().startswith("bearer "):
        token = authorization[7:].strip()
    party = await asyncio.to_thread(hub.authenticate, token)
    if party is None:
        raise Unauthorized("unauthorized")
    hub.throttle(party)
    return party


Party = Annotated[str, Depends(current_party)]


#: Messages of one stream connection handled at once (see the receiver in :func:`create_app`).
PIPELINE = 4


def create_app(hub: Hub, *, run_loops: bool = True) -> FastAPI:
    """The ASGI application for *hub* (its background loops start and stop with the app)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # What exists now (modules, this app, the restored picture) lives as long as the hub:
        # take it out of the collector's full passes. Under load each pass scanned it all and
        # held the interpreter for 75-110 ms, and those passes were the slowest alerts.
        gc.collect()
        gc.freeze()
        # The blocking work of requests and stream messages runs in this pool. asyncio's default
        # (6 threads here) let a burst of big report batches hold every thread while a party's
        # one-aircraft message queued behind them; threads waiting on the store or on a cycle
        # cost nothing, and those that compute take turns on the interpreter.
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(max_workers=32, thread_name_prefix="airdecon-work")
        )
        if run_loops:
            hub.start()
        try:
            yield
        finally:
            hub.stop()
            gc.unfreeze()

    app = FastAPI(
        title="airdecon hub",
        version=__version__,
        description="The deconfliction line between parties sharing an airspace: reports in, alerts, "
        "advisories, distress and the duty officers' line out, under need to know.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.state.hub = hub

    def cursor_arg(party: str, after: str | None) -> int:
        return hub.record.after(party, after)

    # ------------------------------------------------------------------ routes
    @app.get("/v1/health", tags=["meta"])
    async def health() -> dict[str, Any]:
        """Liveness (no credentials needed; says nothing about any party)."""
        return {"ok": True, "version": __version__}

    @app.post(
        "/v1/reports",
        status_code=202,
        tags=["traffic"],
        openapi_extra=_body(
            {
                "type": "object",
                "required": ["reports"],
                "properties": {
                    "reports": {"type": "array", "items": _REPORT_SCHEMA},
                    "idempotency_key": {"type": "string", "maxLength": 200},
                },
            }
        ),
    )
    async def post_reports(
        request: Request, party: Party, idempotency_key: Annotated[str | None, Header()] = None
    ) -> dict[str, Any]:
        """Report states of **your own** aircraft. Valid reports are kept even when others in the
        batch are refused (each refusal names the report and field); 422 when none is valid."""
        data = await _read_body(request, hub)

        def submit() -> dict[str, Any]:  # decoding 1,000 reports is work: off the event loop
            body, batch = hub.intake.read_reports(party, data)
            key = body.get("idempotency_key", idempotency_key)
            if key is not None and not isinstance(key, str):
                raise InputError("idempotency_key: must be a string")
            if batch is None:
                raise InputError("'reports' must be a list of aircraft states")
            return hub.intake.submit_batch(party, batch, idempotency_key=key)

        return await asyncio.to_thread(submit)

    @app.get("/v1/tracks", tags=["traffic"])
    async def get_tracks(party: Party) -> dict[str, Any]:
        """Everything you may see now: your aircraft, civil traffic, threats of your current alerts,
        aircraft in distress."""
        tracks = await asyncio.to_thread(hub.views.tracks_for, party)
        return {"party": party, "t": hub.clock(), "tracks": tracks}

    @app.get("/v1/alerts", tags=["alerts"])
    async def get_alerts(party: Party) -> dict[str, Any]:
        """Your current alerts, most urgent first, each with the advisory for your own aircraft."""
        return {"alerts": await asyncio.to_thread(hub.views.alerts_for, party)}

    @app.get("/v1/alerts/history", tags=["alerts"])
    async def alerts_history(
        party: Party, after: str | None = None, limit: Annotated[int, Query(ge=1, le=1000)] = 500
    ) -> dict[str, Any]:
        """Your alert and advisory events, oldest first, after a cursor."""
        seq = cursor_arg(party, after)
        evs = await asyncio.to_thread(hub.record.history, party, ("alert", "advisory"), seq, limit)
        return {"events": [hub.record.wire(party, e) for e in evs]}

    @app.get("/v1/events", tags=["stream"])
    async def events(
        party: Party, after: str | None = None, limit: Annotated[int, Query(ge=1, le=1000)] = 500
    ) -> dict[str, Any]:
        """Everything for you after a cursor (the WebSocket's backlog, for clients that poll)."""
        seq = cursor_arg(party, after)
        evs = await asyncio.to_thread(hub.record.backlog, party, seq, limit)
        # the poller has them now, as a socket would: their senders get delivery receipts
        await asyncio.to_thread(hub.line.delivered, party, evs)
        return {"events": [hub.record.wire(party, e) for e in evs]}

    @app.post(
        "/v1/distress",
        status_code=201,
        tags=["distress"],
        openapi_extra=_body(
            {
                "type": "object",
                "required": ["id"],
                "properties": {"id": {"type": "string"}, "reason": {"type": "string", "maxLength": 500}},
            }
        ),
    )
    async def post_distress(request: Request, party: Party) -> dict[str, Any]:
        """Declare distress (MAYDAY) for one of your aircraft: every party receives it at once."""
        body = await _json(request, hub)
        aid, reason = body.get("id"), body.get("reason")
        if not isinstance(aid, str):
            raise InputError("id: the aircraft in distress (one of yours)")
        if reason is not None and (not isinstance(reason, str) or len(reason) > 500):
            raise InputError("reason: at most 500 characters")
        return await asyncio.to_thread(hub.distress.declare, party, aid, reason)

    @app.get(
        "/v1/distress",
        tags=["distress"],
        responses=_answer(
            {
                "type": "object",
                "properties": {
                    "distress": {"type": "array", "items": _DISTRESS_SCHEMA},
                    "cursor": {"type": "string", "description": "stream from here to miss nothing after"},
                },
            }
        ),
    )
    async def get_distress(party: Party) -> dict[str, Any]:
        """The open distress cases, every party's, as their broadcasts show them now: stage, the
        aircraft's latest position, the frequencies, who has acknowledged and who is awaited.

        ``cursor`` comes from before the cases were read: a console that loads this and then opens
        ``/v1/stream?after=cursor`` misses no acknowledgement or closure (it may get one twice)."""
        return await asyncio.to_thread(hub.distress.open_cases, party)

    @app.post("/v1/distress/{distress_id}/close", tags=["distress"])
    async def close_distress(distress_id: str, party: Party) -> dict[str, Any]:
        """End a distress of yours (distress traffic ended)."""
        return await asyncio.to_thread(hub.distress.close, party, distress_id)

    @app.post(
        "/v1/acks",
        tags=["distress"],
        openapi_extra=_body(
            {"type": "object", "required": ["distress_id"], "properties": {"distress_id": {"type": "string"}}}
        ),
    )
    async def post_ack(request: Request, party: Party) -> dict[str, Any]:
        """Acknowledge a distress broadcast."""
        body = await _json(request, hub)
        did = body.get("distress_id")
        if not isinstance(did, str):
            raise InputError("distress_id: required")
        return await asyncio.to_thread(hub.distress.acknowledge, party, did)

    @app.post(
        "/v1/messages",
        status_code=201,
        tags=["line"],
        openapi_extra=_body(
            {
                "type": "object",
                "required": ["to", "text"],
                "properties": {
                    "to": {"type": "string", "description": "a party, or 'all'"},
                    "kind": {
                        "type": "string",
                        "enum": ["text", "safety-notice", "incident-report", "request", "reply"],
                    },
                    "text": {"type": "string", "maxLength": 20000},
                    "in_reply_to": {"type": "string"},
                    "fields": {"type": "object", "description": "structured content of the kind"},
                    "idempotency_key": {"type": "string"},
                },
            }
        ),
    )
    async def post_message(
        request: Request, party: Party, idempotency_key: Annotated[str | None, Header()] = None
    ) -> dict[str, Any]:
        """Send a line message to one party or to all; acknowledged only once durably recorded."""
        body = await _json(request, hub)
        key = body.pop("idempotency_key", idempotency_key)
        if key is not None and not isinstance(key, str):
            raise InputError("idempotency_key: must be a string")
        return await asyncio.to_thread(hub.line.send, party, body, idempotency_key=key)

    @app.get("/v1/messages", tags=["line"])
    async def get_messages(
        party: Party, after: str | None = None, limit: Annotated[int, Query(ge=1, le=1000)] = 500
    ) -> dict[str, Any]:
        """Line messages and receipts you sent or received, oldest first, after a cursor.

        Each message addressed to you has ``read_by_me`` (you marked it read, from any console);
        each message you sent has ``read_by`` (the parties that read it). Messages addressed to you
        count as delivered once listed here: their senders get a delivery receipt, as on the stream."""
        seq = cursor_arg(party, after)
        return {"events": await asyncio.to_thread(hub.line.messages_for, party, seq, limit)}

    @app.post("/v1/messages/{message_id}/read", tags=["line"])
    async def read_message(message_id: str, party: Party) -> dict[str, Any]:
        """Mark a message addressed to you as read: the read receipt goes to its sender and to you
        (your other consoles), never to a third party."""
        return await asyncio.to_thread(hub.line.mark_read, party, message_id)

    @app.get("/v1/protocol", tags=["protocol"])
    async def get_protocol(party: Party) -> dict[str, Any]:
        """The protocol the hub enforces, its digest, and every party's signature."""
        return hub.protocol.view()

    @app.post(
        "/v1/protocol/versions/{digest}/signatures",
        tags=["protocol"],
        openapi_extra=_body(
            {
                "type": "object",
                "required": ["signature"],
                "properties": {
                    "signature": {"type": "string", "description": "base64 Ed25519 over canonical bytes"}
                },
            }
        ),
    )
    async def sign_version(digest: str, request: Request, party: Party) -> dict[str, Any]:
        """Accept a pending version: your signature, made where your private key lives."""
        body = await _json(request, hub)
        return await asyncio.to_thread(hub.protocol.sign, party, digest, body.get("signature"))

    @app.post(
        "/v1/protocol/drafts",
        tags=["protocol"],
        openapi_extra=_body(
            {
                "type": "object",
                "required": ["parent", "document"],
                "properties": {"parent": {"type": "string"}, "document": {"type": "object"}},
            }
        ),
    )
    async def draft_version(request: Request, party: Party) -> dict[str, Any]:
        """Normalise a counter-proposal: its canonical bytes to sign, and its diff (nothing recorded)."""
        body = await _json(request, hub)
        parent = body.get("parent")
        if not isinstance(parent, str):
            raise InputError("parent: the version countered or amended")
        return await asyncio.to_thread(hub.protocol.draft, party, parent, body.get("document"))

    @app.post(
        "/v1/protocol/versions",
        status_code=201,
        tags=["protocol"],
        openapi_extra=_body(
            {
                "type": "object",
                "required": ["canonical_b64", "signature"],
                "properties": {"canonical_b64": {"type": "string"}, "signature": {"type": "string"}},
            }
        ),
    )
    async def record_version(request: Request, party: Party) -> dict[str, Any]:
        """Record your counter-proposal or amendment (canonical bytes from a draft, signed by you)."""
        body = await _json(request, hub)
        cb, sig = body.get("canonical_b64"), body.get("signature")
        if not isinstance(cb, str) or not isinstance(sig, str):
            raise InputError("canonical_b64 and signature: strings")
        return await asyncio.to_thread(hub.protocol.propose, party, cb, sig)

    @app.get("/v1/record", tags=["record"])
    async def record(
        party: Party, t_from: Annotated[float, Query(alias="from")], t_to: Annotated[float, Query(alias="to")]
    ) -> dict[str, Any]:
        """What you sent or were shown in a past time window (POSIX seconds), for replay."""
        evs = await asyncio.to_thread(hub.record.record_window, party, t_from, t_to)
        return {"events": [hub.record.wire(party, e) for e in evs]}

    @app.get("/v1/disclosures", tags=["record"])
    async def disclosures(
        party: Party, after: str | None = None, limit: Annotated[int, Query(ge=1, le=1000)] = 500
    ) -> dict[str, Any]:
        """Your disclosure ledger: every time one of **your** aircraft was shown to another party
        under an alert — when, to which party, which aircraft (your id), at what precision."""
        seq = cursor_arg(party, after)
        evs = await asyncio.to_thread(hub.record.disclosures, party, seq, limit)
        return {"disclosures": [hub.record.wire(party, e) for e in evs]}

    @app.get("/v1/audit/verify", tags=["record"])
    async def audit_verify(party: Party) -> dict[str, Any]:
        """The hub's last verification of the whole hash chain and its signed checkpoints (made on
        its own schedule: no counts are disclosed, and the answer costs the same whenever asked)."""
        return hub.record.audit_verify()

    # ------------------------------------------------------------------ the stream
    @app.websocket("/v1/stream")
    async def stream(
        ws: WebSocket, after: str | None = None, token: str | None = None, reports: bool = False
    ) -> None:
        """Your events in order, resuming after a cursor; send ``{"type": "reports", ...}`` to report.

        Your own ``report`` events (the echo of what you sent) are left out unless ``reports=true``.
        ``after=live`` skips the backlog: only what happens from now on.
        """
        await ws.accept()
        auth = ws.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            token = auth[7:].strip()
        party = await asyncio.to_thread(hub.authenticate, token)
        if party is None:
            await ws.send_json(envelope("unauthorized", "missing or invalid credentials"))
            await ws.close(code=WS_UNAUTHORIZED)
            return
        try:
            last = hub.record.visible_seq(party) if after == "live" else cursor_arg(party, after)
        except AirdeconError as exc:
            await ws.send_json(status_for(exc)[1])
            await ws.close(code=WS_BAD_REQUEST)
            return
        sub = Subscriber(party, loop=asyncio.get_running_loop())
        hub.record.subscribe(sub)
        send_lock = asyncio.Lock()

        async def send(obj: dict[str, Any]) -> None:
            async with send_lock:
                await ws.send_text(json.dumps(obj, allow_nan=False))

        async def deliver(ev: Any) -> None:
            if ev.kind == "report" and not reports:
                return
            await send(hub.record.wire(party, ev))
            if ev.kind == "message" and ev.origin != party:
                await asyncio.to_thread(hub.line.delivered, party, [ev])

        async def sender() -> None:
            nonlocal last
            while True:  # backlog first, page by page
                batch = await asyncio.to_thread(hub.record.backlog, party, last)
                if not batch:
                    break
                for ev in batch:
                    await deliver(ev)
                    last = ev.seq
            await send({"type": "live", "cursor": hub.record.cursor(party, last)})
            while True:
                ev = await sub.queue.get()
                if sub.overflowed:
                    await ws.close(code=WS_TOO_SLOW)
                    return
                if ev is None or ev.seq <= last:
                    continue
                await deliver(ev)
                last = ev.seq

        def answer(text: str) -> dict[str, Any]:
            """The reply to one message (in a worker thread: decoding reports is work)."""
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
                ref = msg.get("ref")
                ref = ref if isinstance(ref, str | int) and not isinstance(ref, bool) else None
                return {"type": "error", "ref": ref, **status_for(exc)[1]}

        async def reply(text: str, slot: asyncio.Semaphore) -> None:
            try:
                await send(await asyncio.to_thread(answer, text))
            except (WebSocketDisconnect, RuntimeError):  # the client left: its reports are in
                pass
            finally:
                slot.release()

        async def receiver() -> None:
            # Up to PIPELINE messages in flight: a short message (one aircraft's report) is not
            # held behind its party's batch of 1,000 still being decoded and committed. Each ack
            # carries its message's ref; they may come back in another order than sent.
            slot = asyncio.Semaphore(PIPELINE)
            running: set[asyncio.Task[None]] = set()
            try:
                while True:
                    text = await ws.receive_text()
                    await slot.acquire()
                    task = asyncio.create_task(reply(text, slot))
                    running.add(task)
                    task.add_done_callback(running.discard)
            finally:
                # what is being recorded finishes (in its thread); only the replies are dropped
                for task in running:
                    task.cancel()

        tasks = [asyncio.create_task(sender()), asyncio.create_task(receiver())]
        try:
            done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for t in pending:
                t.cancel()
            for t in done:
                exc = t.exception()
                if exc is not None and not isinstance(exc, WebSocketDisconnect | RuntimeError):
                    raise exc
        finally:
            hub.record.unsubscribe(sub)
            with contextlib.suppress(Exception):
                await ws.close()

    static = static_dir()
    app.mount("/static", StaticFiles(directory=static), name="static")

    @app.get("/", include_in_schema=False)
    async def root() -> FileResponse:
        """The web console (each party's officer signs in with the party's token)."""
        return FileResponse(static / "index.html", headers={"Cache-Control": "no-cache"})

    return app
