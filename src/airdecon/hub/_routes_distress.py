"""Distress routes: declare a MAYDAY, list the open cases, acknowledge a broadcast, end a distress."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request

from airdecon.errors import InputError
from airdecon.hub._api import HubDep, Party, answer, body, read_json

__all__ = ["router"]

router = APIRouter(tags=["distress"])

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


@router.post(
    "/v1/distress",
    status_code=201,
    openapi_extra=body(
        {
            "type": "object",
            "required": ["id"],
            "properties": {"id": {"type": "string"}, "reason": {"type": "string", "maxLength": 500}},
        }
    ),
)
async def post_distress(request: Request, hub: HubDep, party: Party) -> dict[str, Any]:
    """Declare distress (MAYDAY) for one of your aircraft: every party receives it at once."""
    data = await read_json(request, hub)
    aid, reason = data.get("id"), data.get("reason")
    if not isinstance(aid, str):
        raise InputError("id: the aircraft in distress (one of yours)")
    if reason is not None and (not isinstance(reason, str) or len(reason) > 500):
        raise InputError("reason: at most 500 characters")
    return await asyncio.to_thread(hub.distress.declare, party, aid, reason)


@router.get(
    "/v1/distress",
    responses=answer(
        {
            "type": "object",
            "properties": {
                "distress": {"type": "array", "items": _DISTRESS_SCHEMA},
                "cursor": {"type": "string", "description": "stream from here to miss nothing after"},
            },
        }
    ),
)
async def get_distress(hub: HubDep, party: Party) -> dict[str, Any]:
    """The open distress cases, every party's, as their broadcasts show them now: stage, the
    aircraft's latest position, the frequencies, who has acknowledged and who is awaited.

    ``cursor`` comes from before the cases were read: a console that loads this and then opens
    ``/v1/stream?after=cursor`` misses no acknowledgement or closure (it may get one twice)."""
    return await asyncio.to_thread(hub.distress.open_cases, party)


@router.post("/v1/distress/{distress_id}/close")
async def close_distress(distress_id: str, hub: HubDep, party: Party) -> dict[str, Any]:
    """End a distress of yours (distress traffic ended)."""
    return await asyncio.to_thread(hub.distress.close, party, distress_id)


@router.post(
    "/v1/acks",
    openapi_extra=body(
        {"type": "object", "required": ["distress_id"], "properties": {"distress_id": {"type": "string"}}}
    ),
)
async def post_ack(request: Request, hub: HubDep, party: Party) -> dict[str, Any]:
    """Acknowledge a distress broadcast."""
    data = await read_json(request, hub)
    did = data.get("distress_id")
    if not isinstance(did, str):
        raise InputError("distress_id: required")
    return await asyncio.to_thread(hub.distress.acknowledge, party, did)
