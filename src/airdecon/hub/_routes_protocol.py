"""Protocol routes: the protocol in force, and signing, drafting and recording versions of it."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request

from airdecon.errors import InputError
from airdecon.hub._api import HubDep, Party, body, read_json

__all__ = ["router"]

router = APIRouter(tags=["protocol"])


@router.get("/v1/protocol")
async def get_protocol(hub: HubDep, party: Party) -> dict[str, Any]:
    """The protocol the hub enforces, its digest, and every party's signature."""
    return await asyncio.to_thread(hub.protocol.view)  # it may read files and verify signatures


@router.post(
    "/v1/protocol/versions/{digest}/signatures",
    openapi_extra=body(
        {
            "type": "object",
            "required": ["signature"],
            "properties": {
                "signature": {"type": "string", "description": "base64 Ed25519 over canonical bytes"}
            },
        }
    ),
)
async def sign_version(digest: str, request: Request, hub: HubDep, party: Party) -> dict[str, Any]:
    """Accept a pending version: your signature, made where your private key lives."""
    data = await read_json(request, hub)
    return await asyncio.to_thread(hub.protocol.sign, party, digest, data.get("signature"))


@router.post(
    "/v1/protocol/drafts",
    openapi_extra=body(
        {
            "type": "object",
            "required": ["parent", "document"],
            "properties": {"parent": {"type": "string"}, "document": {"type": "object"}},
        }
    ),
)
async def draft_version(request: Request, hub: HubDep, party: Party) -> dict[str, Any]:
    """Normalise a counter-proposal: its canonical bytes to sign, and its diff (nothing recorded)."""
    data = await read_json(request, hub)
    parent = data.get("parent")
    if not isinstance(parent, str):
        raise InputError("parent: the version countered or amended")
    return await asyncio.to_thread(hub.protocol.draft, party, parent, data.get("document"))


@router.post(
    "/v1/protocol/versions",
    status_code=201,
    openapi_extra=body(
        {
            "type": "object",
            "required": ["canonical_b64", "signature"],
            "properties": {"canonical_b64": {"type": "string"}, "signature": {"type": "string"}},
        }
    ),
)
async def record_version(request: Request, hub: HubDep, party: Party) -> dict[str, Any]:
    """Record your counter-proposal or amendment (canonical bytes from a draft, signed by you)."""
    data = await read_json(request, hub)
    cb, sig = data.get("canonical_b64"), data.get("signature")
    if not isinstance(cb, str) or not isinstance(sig, str):
        raise InputError("canonical_b64 and signature: strings")
    return await asyncio.to_thread(hub.protocol.propose, party, cb, sig)
