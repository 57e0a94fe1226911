"""Domain errors -> HTTP status and WebSocket close codes, in one place, with one JSON envelope.

Every error a client ever receives looks like::

    {"error": {"code": "invalid_report", "message": "aircraft BLUE-07: field 'lat' = 95.0: ...",
               "details": {"record": "BLUE-07", "field": "lat"}}}

Domain code raises :mod:`airdecon.errors` exceptions and never picks a status; this table does.
WebSocket close codes: 4400 bad request (invalid cursor), 4401 unauthenticated, 4408 too slow
(the queue overflowed: reconnect with the last cursor), 1009 message too big (uvicorn).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from airdecon.errors import (
    AirdeconError,
    InputError,
    MalformedInput,
    NotFound,
    ProtocolError,
    RecordError,
    StoreError,
    WriteConflict,
)
from airdecon.hub._guard import QuotaExceeded
from airdecon.operations import OperationError

__all__ = [
    "WS_BAD_REQUEST",
    "WS_QUOTA",
    "WS_TOO_SLOW",
    "WS_UNAUTHORIZED",
    "BadRequest",
    "Forbidden",
    "PayloadTooLarge",
    "RateLimited",
    "Unauthorized",
    "envelope",
    "install_error_handlers",
    "status_for",
]

WS_BAD_REQUEST = 4400
WS_UNAUTHORIZED = 4401
WS_TOO_SLOW = 4408
WS_QUOTA = 4429

log = logging.getLogger("airdecon.hub")


class Unauthorized(AirdeconError):
    """Missing, unknown or revoked credentials (401, never saying which)."""


class BadRequest(MalformedInput):
    """The request itself is malformed: not JSON, NaN literals, wrong top-level shape (400)."""


class PayloadTooLarge(InputError):
    """The request body exceeds the hub's limit (413)."""


class Forbidden(InputError):
    """The caller may not do this (maps to 403)."""


class RateLimited(InputError):
    """Too many requests from one party (maps to 429)."""


def envelope(code: str, message: str, **details: Any) -> dict[str, Any]:
    """The one error shape."""
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    return {"error": body}


def status_for(exc: BaseException) -> tuple[int, dict[str, Any]]:
    """HTTP status and envelope for a domain error (the single mapping table)."""
    if isinstance(exc, Unauthorized):
        return 401, envelope("unauthorized", "missing or invalid credentials")
    if isinstance(exc, Forbidden):
        return 403, envelope("forbidden", str(exc))
    if isinstance(exc, RateLimited):
        return 429, envelope("rate_limited", str(exc))
    if isinstance(exc, QuotaExceeded):
        return 429, envelope("quota_exceeded", str(exc))
    if isinstance(exc, PayloadTooLarge):
        return 413, envelope("payload_too_large", str(exc))
    if isinstance(exc, MalformedInput):
        return 400, envelope("bad_request", str(exc))
    if isinstance(exc, RecordError):
        return 422, envelope("invalid_report", str(exc), record=exc.record, field=exc.field)
    if isinstance(exc, OperationError):
        return 422, envelope("invalid_operation", str(exc), field=exc.field)
    if isinstance(exc, WriteConflict):
        return 409, envelope("conflict", str(exc))
    if isinstance(exc, NotFound):
        return 404, envelope("not_found", str(exc))
    if isinstance(exc, ProtocolError):
        return 422, envelope("protocol", str(exc))
    if isinstance(exc, InputError):
        return 422, envelope("invalid_input", str(exc))
    if isinstance(exc, StoreError):
        return 503, envelope("store_unavailable", "the record is unavailable; retry")
    return 500, envelope("internal", "internal error")


def install_error_handlers(app: Any) -> None:
    """Route every error through :func:`status_for`, including the framework's own."""

    async def domain(request: Request, exc: Exception) -> JSONResponse:
        status, body = status_for(exc)
        if status >= 500:
            log.error("error on %s %s", request.method, request.url.path, exc_info=exc)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(body, status_code=status, headers=headers)

    async def validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errs = [
            {"loc": [str(x) for x in e.get("loc", ())], "message": str(e.get("msg", ""))}
            for e in exc.errors()
        ]
        return JSONResponse(
            envelope("invalid_request", "request does not match the schema", errors=errs), 422
        )

    async def http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse(envelope(code, str(exc.detail)), status_code=exc.status_code)

    app.add_exception_handler(AirdeconError, domain)
    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(StarletteHTTPException, http)
    app.add_exception_handler(Exception, domain)
