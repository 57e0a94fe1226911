"""Traffic routes: a party's reports of its own aircraft in, and what it may see of the traffic now."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request

from airdecon.errors import InputError
from airdecon.hub._api import HubDep, Party, body, read_body

__all__ = ["REPORT_SCHEMA", "router"]

router = APIRouter(tags=["traffic"])

REPORT_SCHEMA = {
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


@router.post(
    "/v1/reports",
    status_code=202,
    openapi_extra=body(
        {
            "type": "object",
            "required": ["reports"],
            "properties": {
                "reports": {"type": "array", "items": REPORT_SCHEMA},
                "idempotency_key": {"type": "string", "maxLength": 200},
            },
        }
    ),
)
async def post_reports(
    request: Request, hub: HubDep, party: Party, idempotency_key: Annotated[str | None, Header()] = None
) -> dict[str, Any]:
    """Report states of **your own** aircraft. Valid reports are kept even when others in the
    batch are refused (each refusal names the report and field); 422 when none is valid."""
    data = await read_body(request, hub)

    def submit() -> dict[str, Any]:  # decoding 1,000 reports is work: off the event loop
        message, batch = hub.intake.read_reports(party, data)
        key = message.get("idempotency_key", idempotency_key)
        if key is not None and not isinstance(key, str):
            raise InputError("idempotency_key: must be a string")
        if batch is None:
            raise InputError("'reports' must be a list of aircraft states")
        return hub.intake.submit_batch(party, batch, idempotency_key=key)

    return await asyncio.to_thread(submit)


@router.get("/v1/tracks")
async def get_tracks(hub: HubDep, party: Party) -> dict[str, Any]:
    """Everything you may see now: your aircraft, civil traffic, threats of your current alerts,
    aircraft in distress."""
    tracks = await asyncio.to_thread(hub.views.tracks_for, party)
    return {"party": party, "t": hub.clock(), "tracks": tracks}
