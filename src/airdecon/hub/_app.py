"""The hub's HTTP and WebSocket face (FastAPI): the app, its routers, error handlers and lifespan.

Routes are versioned under ``/v1`` and documented at ``/openapi.json``; each concern has its router
(``_routes_*.py``), and every route authenticates through one dependency (:mod:`airdecon.hub._api`).
Credentials travel as ``Authorization: Bearer <token>`` (from ``airdecon party token``); browsers,
which cannot set that header on a WebSocket, may pass ``?token=`` on ``/v1/stream`` instead. No
route holds a domain rule: what a party may see is decided by :mod:`airdecon.needtoknow` inside the
hub's services (:class:`~airdecon.hub.Hub`).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

from fastapi import FastAPI

from airdecon import __version__
from airdecon.hub import (
    _routes_alerts,
    _routes_console,
    _routes_distress,
    _routes_line,
    _routes_operations,
    _routes_protocol,
    _routes_record,
    _routes_stream,
    _routes_traffic,
)
from airdecon.hub._errors import install_error_handlers
from airdecon.hub._service import Hub

__all__ = ["create_app"]

_ROUTERS = (
    _routes_console,
    _routes_traffic,
    _routes_alerts,
    _routes_stream,
    _routes_distress,
    _routes_line,
    _routes_operations,
    _routes_protocol,
    _routes_record,
)


def create_app(hub: Hub, *, run_loops: bool = True) -> FastAPI:
    """The ASGI application for *hub* (its background loops start and stop with the app)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # What exists now (modules, this app, the restored picture) lives as long as the hub:
        # take it out of the collector's full passes. Under load each pass scanned it all and
        # held the interpreter for 75-110 ms, and those passes were the slowest alerts.
        gc.collect()
        gc.freeze()
        # The blocking work of requests and stream messages runs in this pool. asyncio's default
        # (6 threads here) let a burst of big report batches hold every thread while a party's
        # one-aircraft message queued behind them; threads waiting on the store or on a cycle
        # cost nothing, and those that compute take turns on the interpreter.
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(max_workers=32, thread_name_prefix="airdecon-work")
        )
        if run_loops:
            hub.start()
        try:
            yield
        finally:
            hub.stop()
            gc.unfreeze()

    app = FastAPI(
        title="airdecon hub",
        version=__version__,
        description="The deconfliction line between parties sharing an airspace: reports in, alerts, "
        "advisories, distress and the duty officers' line out, under need to know.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.state.hub = hub
    for module in _ROUTERS:
        app.include_router(module.router)
    _routes_console.mount_static(app)
    return app
