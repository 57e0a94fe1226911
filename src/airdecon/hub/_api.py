"""What every route of the hub shares: the hub, the caller's credentials, bodies within limits.

One authentication serves HTTP and WebSocket alike (:func:`authenticated`): the token comes from
``Authorization: Bearer <token>`` or, on a WebSocket only (browsers cannot set that header there),
from the ``token`` query parameter. HTTP routes depend on :data:`Party` (401 without a party, 429
over its rate); the stream refuses on the socket itself, as its protocol says. Requests with a
token that authenticates no party are bounded per client address (``auth_fail_per_s``,
``auth_fail_burst``: 429 past the burst on HTTP, the socket refused as unauthenticated).
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from starlette.requests import HTTPConnection

from airdecon.hub._errors import BadRequest, PayloadTooLarge, RateLimited, Unauthorized
from airdecon.hub._input import load_json
from airdecon.hub._service import Hub

__all__ = [
    "HubDep",
    "MaybeParty",
    "Party",
    "after_cursor",
    "answer",
    "authenticated",
    "body",
    "current_party",
    "get_hub",
    "read_body",
    "read_json",
]


def get_hub(conn: HTTPConnection) -> Hub:
    """The hub the app serves."""
    hub: Hub = conn.app.state.hub
    return hub


HubDep = Annotated[Hub, Depends(get_hub)]


def _bearer(authorization: str | None) -> str | None:
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


async def authenticated(
    conn: HTTPConnection, authorization: Annotated[str | None, Header()] = None
) -> str | None:
    """The party the caller's credentials belong to, or None: the bearer token of the
    ``Authorization`` header, else (on a WebSocket only) the ``token`` query parameter."""
    token = _bearer(authorization)
    if token is None and conn.scope["type"] == "websocket":
        token = conn.query_params.get("token")
    hub = get_hub(conn)
    party = await asyncio.to_thread(hub.authenticate, token)
    if party is None and token:  # a wrong token: bounded per client address (429 past the burst)
        try:
            hub.failed_authentication(conn.client.host if conn.client else "")
        except RateLimited:
            if conn.scope["type"] != "websocket":
                raise
    return party


MaybeParty = Annotated[str | None, Depends(authenticated)]


async def current_party(hub: HubDep, party: MaybeParty) -> str:
    """The authenticated party (401 otherwise), rate-limited (429)."""
    if party is None:
        raise Unauthorized("unauthorized")
    hub.throttle(party)
    return party


Party = Annotated[str, Depends(current_party)]


def after_cursor(hub: Hub, party: str, after: str | None) -> int:
    """The global entry of *party*'s cursor *after* (0 without one)."""
    return hub.record.after(party, after)


async def read_body(request: Request, hub: Hub) -> bytes:
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


async def read_json(request: Request, hub: Hub) -> dict[str, Any]:
    """The request body as a JSON object, within the size limit (413), strictly parsed (400)."""
    value = load_json(await read_body(request, hub))  # 413 beyond the size, 400 beyond the rules
    if not isinstance(value, dict):
        raise BadRequest("the body must be a JSON object")
    return value


def answer(schema: dict[str, Any], description: str = "Successful Response") -> dict[Any, Any]:
    """OpenAPI ``responses`` of a route whose 200 answer has *schema*."""
    return {200: {"description": description, "content": {"application/json": {"schema": schema}}}}


def body(schema: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI ``openapi_extra`` of a route whose JSON body has *schema* (read by the route itself)."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}
