"""Alert routes: a party's current alerts, and its alert and advisory events after a cursor."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Query

from airdecon.hub._api import HubDep, Party, after_cursor

__all__ = ["router"]

router = APIRouter(tags=["alerts"])


@router.get("/v1/alerts")
async def get_alerts(hub: HubDep, party: Party) -> dict[str, Any]:
    """Your current alerts, most urgent first, each with the advisory for your own aircraft."""
    return {"alerts": await asyncio.to_thread(hub.views.alerts_for, party)}


@router.get("/v1/alerts/history")
async def alerts_history(
    hub: HubDep, party: Party, after: str | None = None, limit: Annotated[int, Query(ge=1, le=1000)] = 500
) -> dict[str, Any]:
    """Your alert and advisory events, oldest first, after a cursor."""
    seq = after_cursor(hub, party, after)
    evs = await asyncio.to_thread(hub.record.history, party, ("alert", "advisory"), seq, limit)
    return {"events": [hub.record.wire(party, e) for e in evs]}
