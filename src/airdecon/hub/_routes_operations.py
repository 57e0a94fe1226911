"""Operations routes: planned operations and hazard areas filed, amended, withdrawn; notices."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request

from airdecon.hub._api import HubDep, Party, body, read_json
from airdecon.operations import MAX_VERTICES, MAX_VOLUMES, STATES, OperationError

__all__ = ["router"]

router = APIRouter(tags=["operations"])

_VOLUME = {
    "type": "object",
    "required": ["alt_lower_ft", "alt_upper_ft", "start", "end"],
    "properties": {
        "polygon": {"type": "array", "maxItems": MAX_VERTICES + 1, "items": {"type": "array"},
                    "description": "[[lat, lon], …] in degrees"},
        "circle": {"type": "object", "properties": {"lat": {"type": "number"}, "lon": {"type": "number"},
                                                     "radius_nm": {"type": "number"}}},
        "alt_lower_ft": {"type": "number"},
        "alt_upper_ft": {"type": "number"},
        "start": {"description": "POSIX seconds or an RFC 3339 time"},
        "end": {"description": "POSIX seconds or an RFC 3339 time"},
    },
    "additionalProperties": False,
}  # fmt: skip
_FIELDS = {
    "volumes": {"type": "array", "minItems": 1, "maxItems": MAX_VOLUMES, "items": _VOLUME},
    "aircraft": {"type": "array", "items": {"type": "string"}, "description": "your own aircraft ids"},
    "state": {"type": "string", "enum": list(STATES)},
    "purpose": {"type": "string", "maxLength": 500},
}


@router.post(
    "/v1/operations",
    status_code=201,
    openapi_extra=body(
        {
            "type": "object",
            "required": ["id", "volumes"],
            "properties": {"id": {"type": "string"}, "public": {"type": "boolean"}, **_FIELDS},
            "additionalProperties": False,
        }
    ),
)
async def post_operation(request: Request, hub: HubDep, party: Party) -> dict[str, Any]:
    """File a planned operation (``public: true``: a hazard area, broadcast to every party)."""
    data = await read_json(request, hub)
    return await asyncio.to_thread(hub.operations.file, party, data)


@router.patch(
    "/v1/operations/{operation_id}",
    openapi_extra=body({"type": "object", "properties": _FIELDS, "additionalProperties": False}),
)
async def patch_operation(operation_id: str, request: Request, hub: HubDep, party: Party) -> dict[str, Any]:
    """Amend one of your operations: a new version (the previous stays in the record)."""
    data = await read_json(request, hub)
    return await asyncio.to_thread(hub.operations.amend, party, operation_id, data)


@router.delete("/v1/operations/{operation_id}")
async def delete_operation(operation_id: str, hub: HubDep, party: Party) -> dict[str, Any]:
    """Withdraw one of your operations (its notices are cleared for every party concerned)."""
    return await asyncio.to_thread(hub.operations.withdraw, party, operation_id)


_ACK = {"type": "object", "required": ["party"], "additionalProperties": False,
        "properties": {"party": {"type": "string", "description": "the hazard area's filer"}}}  # fmt: skip


@router.post(
    "/v1/operations/{operation_id}/ack",
    openapi_extra=body(_ACK),
)
async def ack_hazard(operation_id: str, request: Request, hub: HubDep, party: Party) -> dict[str, Any]:
    """Acknowledge another party's hazard area (its current version), like a safety notice: the
    filer and you are told, nobody else."""
    data = await read_json(request, hub)
    filer = data.get("party")
    if not isinstance(filer, str) or set(data) != {"party"}:
        raise OperationError("party", 'the body is {"party": the hazard area\'s filer}')
    return await asyncio.to_thread(hub.operations.acknowledge, party, filer, operation_id)


@router.get("/v1/operations")
async def get_operations(hub: HubDep, party: Party) -> dict[str, Any]:
    """Your operations, and every party's hazard areas with their filers' contacts."""
    return {"operations": await asyncio.to_thread(hub.operations.listed, party)}


@router.get("/v1/notices")
async def get_notices(hub: HubDep, party: Party) -> dict[str, Any]:
    """Your open notices: which of your operations come within the minima of which party's plan,
    and where — the part of your own volume concerned, never the other's beyond it; and your
    aircraft out of the active operation they are assigned to (``conformance``)."""
    notices = await asyncio.to_thread(hub.operations.notices_for, party)
    return {"notices": notices, "conformance": hub.areas.conformance_for(party)}


@router.get("/v1/area-alerts")
async def get_area_alerts(hub: HubDep, party: Party) -> dict[str, Any]:
    """Your current area alerts: your aircraft predicted to enter another party's active volume or
    a hazard area (with the part of it your path crosses), and aircraft of other parties predicted
    to enter your volumes (under a pseudonym)."""
    return {"area_alerts": hub.areas.alerts_for(party, hub.clock())}
