"""Record routes: a party's replay window, its disclosure ledger, the chain's verification, and
the party's last signed head."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Query

from airdecon.hub._api import HubDep, Party, after_cursor

__all__ = ["router"]

router = APIRouter(tags=["record"])


@router.get("/v1/record")
async def record(
    hub: HubDep,
    party: Party,
    t_from: Annotated[float, Query(alias="from")],
    t_to: Annotated[float, Query(alias="to")],
) -> dict[str, Any]:
    """What you sent or were shown in a past time window (POSIX seconds), for replay."""
    evs = await asyncio.to_thread(hub.record.record_window, party, t_from, t_to)
    return {"events": [hub.record.wire(party, e) for e in evs]}


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
