"""Line routes: duty officers' messages sent and listed, and read receipts."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request

from airdecon.errors import InputError
from airdecon.hub._api import HubDep, Party, after_cursor, body, read_json
from airdecon.hub._line import MESSAGE_KINDS

__all__ = ["router"]

router = APIRouter(tags=["line"])


@router.post(
    "/v1/messages",
    status_code=201,
    openapi_extra=body(
        {
            "type": "object",
            "required": ["to", "text"],
            "properties": {
                "to": {"type": "string", "description": "a party, or 'all'"},
                "kind": {"type": "string", "enum": list(MESSAGE_KINDS)},
                "text": {"type": "string", "maxLength": 20000},
                "in_reply_to": {"type": "string"},
                "fields": {
                    "type": "object",
                    "description": "structured content of the kind; a request about one of your "
                    "notices: {notice_id, ask?} (docs/operations.md)",
                },
                "idempotency_key": {"type": "string"},
            },
        }
    ),
)
async def post_message(
    request: Request, hub: HubDep, party: Party, idempotency_key: Annotated[str | None, Header()] = None
) -> dict[str, Any]:
    """Send a line message to one party or to all; acknowledged only once durably recorded."""
    data = await read_json(request, hub)
    key = data.pop("idempotency_key", idempotency_key)
    if key is not None and not isinstance(key, str):
        raise InputError("idempotency_key: must be a string")
    return await asyncio.to_thread(hub.line.send, party, data, idempotency_key=key)


@router.get("/v1/messages")
async def get_messages(
    hub: HubDep, party: Party, after: str | None = None, limit: Annotated[int, Query(ge=1, le=1000)] = 500
) -> dict[str, Any]:
    """Line messages and receipts you sent or received, oldest first, after a cursor.

    Each message addressed to you has ``read_by_me`` (you marked it read, from any console);
    each message you sent has ``read_by`` (the parties that read it). Messages addressed to you
    count as delivered once listed here: their senders get a delivery receipt, as on the stream."""
    seq = after_cursor(hub, party, after)
    return {"messages": await asyncio.to_thread(hub.line.messages_for, party, seq, limit)}


@router.post("/v1/messages/{message_id}/read")
async def read_message(message_id: str, hub: HubDep, party: Party) -> dict[str, Any]:
    """Mark a message addressed to you as read: the read receipt goes to its sender and to you
    (your other consoles), never to a third party."""
    return await asyncio.to_thread(hub.line.mark_read, party, message_id)
