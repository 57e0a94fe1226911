"""Record routes: a party's replay window, its disclosure ledger, the chain's verification, and
the party's last signed head."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from airdecon.hub._api import HubDep, Party, after_cursor, answer
from airdecon.hub._errors import RateLimited
from airdecon.hub._record import WindowPage
from airdecon.hub._service import Hub

__all__ = ["router"]

router = APIRouter(tags=["record"])

_RECORD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["events", "truncated"],
    "properties": {
        "events": {"type": "array", "items": {"type": "object"}, "description": "in record order"},
        "truncated": {"type": "boolean", "description": "the hub's row bound (record_rows) cut the window"},
        "after": {"type": "string", "description": "with truncated: ask the same window again with "
                  "after= this cursor for the rest"},
    },
}


_READER_STALE_S = 600.0  # an answer whose sender vanished without closing stops counting (never seen)


@dataclass(frozen=True)
class _Chunk:
    """One page of the answer, encoded: its events as JSON, comma-separated."""

    body: bytes
    truncated: bool
    last: str | None  # the cursor of the page's last event
    cost_s: float  # how long reading and encoding it took


def _json(value: object) -> bytes:
    """As FastAPI's JSON answers encode (compact, UTF-8, no NaN)."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def _read(hub: Hub, party: str, pages: Iterator[WindowPage]) -> _Chunk | None:
    """The next page, read and encoded (in a worker thread: the store read and the JSON work)."""
    t0 = time.perf_counter()
    page = next(pages, None)
    if page is None:
        return None
    body = b",".join(_json(hub.record.wire(party, e)) for e in page.events)
    last = hub.record.cursor(party, page.events[-1].seq) if page.events else None
    return _Chunk(body, page.truncated, last, time.perf_counter() - t0)


async def _answer(
    hub: Hub, party: str, pages: Iterator[WindowPage], chunk: _Chunk | None
) -> AsyncIterator[bytes]:
    """``{"events": [...], "truncated": ...}``, one page at a time, paced: after each page the
    reader waits ``record_pace`` times what the page cost, so one party's record reads take at
    most 1 / (1 + record_pace) of the hub's time (reading and encoding hold the interpreter)."""
    try:
        yield b'{"events":['
        sep, after = b"", None
        while chunk is not None:
            if chunk.body:
                yield sep + chunk.body
                sep, after = b",", chunk.last
            if chunk.truncated:
                yield b'],"truncated":true,"after":' + _json(after) + b"}"
                return
            await asyncio.sleep(chunk.cost_s * hub.settings.record_pace)
            chunk = await asyncio.to_thread(_read, hub, party, pages)
        yield b'],"truncated":false}'
    finally:
        hub.record.readers.pop(party, None)


@router.get("/v1/record", responses=answer(_RECORD_SCHEMA))
async def record(
    hub: HubDep,
    party: Party,
    t_from: Annotated[float, Query(alias="from")],
    t_to: Annotated[float, Query(alias="to")],
    after: str | None = None,
) -> StreamingResponse:
    """What you sent or were shown in a past time window (POSIX seconds), for replay:
    ``{"events": [...], "truncated": false}``, in record order.

    A window of more than ``record_rows`` events is cut there: ``"truncated": true`` and
    ``"after"``, the cursor of the last event given; ask the same window again with
    ``after=`` it for the rest (nothing is lost or repeated). The window spans at most
    ``record_span_s``; a bad window or cursor is refused (422) before the answer starts. The
    answer streams as it is read from the record, one ``record_page`` of events at a time: should
    the record fail midway, the connection is cut and the answer is not valid JSON, never a
    shorter one that parses.
    """
    seq = after_cursor(hub, party, after)
    pages = hub.record.record_pages(party, t_from, t_to, seq)  # a bad window raises here: 422
    started = hub.record.readers.get(party)
    if started is not None and time.monotonic() - started < _READER_STALE_S:
        raise RateLimited("one record read at a time: the previous answer is still being sent")
    hub.record.readers[party] = time.monotonic()
    try:
        first = await asyncio.to_thread(_read, hub, party, pages)  # the store failing now: 503
    except BaseException:
        hub.record.readers.pop(party, None)
        raise
    return StreamingResponse(_answer(hub, party, pages, first), media_type="application/json")


@router.get("/v1/disclosures")
async def disclosures(
    hub: HubDep, party: Party, after: str | None = None, limit: Annotated[int, Query(ge=1, le=1000)] = 500
) -> dict[str, Any]:
    """Your disclosure ledger: every time one of **your** aircraft was shown to another party
    under an alert — when, to which party, which aircraft (your id), at what precision."""
    seq = after_cursor(hub, party, after)
    evs = await asyncio.to_thread(hub.record.disclosures, party, seq, limit)
    return {"disclosures": [hub.record.wire(party, e) for e in evs]}


@router.get("/v1/audit/verify")
async def audit_verify(hub: HubDep, party: Party) -> dict[str, Any]:
    """The hub's last verification of the whole hash chain and its signed checkpoints (made on
    its own schedule: no counts are disclosed, and the answer costs the same whenever asked)."""
    return hub.record.audit_verify()


@router.get("/v1/audit/head")
async def audit_head(hub: HubDep, party: Party) -> dict[str, Any]:
    """The last signed head of **your** extract of the record (``null`` before the first): keep
    it (the stream sends each new one as ``{"type": "head"}``) to check the record later with
    ``airdecon audit check --heads``. It counts only the entries you may see."""
    head = hub.record.heads.latest(party)
    return {"head": None if head is None else head.to_json()}
