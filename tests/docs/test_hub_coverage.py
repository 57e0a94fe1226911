"""docs/hub.md documents every route, WebSocket route and setting of the hub, read from the code.

The routes come from the app itself (``create_app`` on an in-memory hub: its ``openapi()`` and its
WebSocket routes), the settings from the fields of ``HubSettings``: a route or setting added to the
code and not to docs/hub.md fails here, and so does a route that docs/hub.md names but the app
does not have.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import MISSING, Field, fields
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import APIWebSocketRoute
from starlette.routing import BaseRoute, WebSocketRoute

from airdecon.hub import HubSettings, build_hub, create_app

HUB_MD = Path(__file__).resolve().parents[2] / "docs" / "hub.md"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "WS")
# "`GET /v1/alerts`", "`WS /v1/stream?after=CURSOR`", "`POST /v1/messages/{id}/read`"
DOC_ROUTE = re.compile(r"`(" + "|".join(METHODS) + r") (/[^\s`?]*)")


def _norm(path: str) -> str:
    """Path parameters compare by position, not by name: ``{id}`` and ``{message_id}`` are one."""
    return re.sub(r"\{[^}]*\}", "{}", path.rstrip("/") or "/")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    tmp = tmp_path_factory.mktemp("hub")
    hub = build_hub(HubSettings(db="memory://", resolver_process=False), scratch=tmp)
    try:
        yield create_app(hub, run_loops=False)
    finally:
        hub.stop()
        hub.store.close()


def _flat(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    """The routes, those of included routers among them (FastAPI keeps an included router as one
    entry of ``app.routes`` that holds the router it includes)."""
    for r in routes:
        included = getattr(r, "original_router", None)
        yield from _flat(included.routes) if included is not None else (r,)


def app_routes(app: FastAPI) -> set[str]:
    routes = {
        f"{method.upper()} {_norm(path)}"
        for path, item in app.openapi()["paths"].items()
        for method in item
        if method.upper() in METHODS
    }
    sockets = (r for r in _flat(app.routes) if isinstance(r, WebSocketRoute | APIWebSocketRoute))
    routes |= {f"WS {_norm(r.path)}" for r in sockets}
    return routes


def doc_routes() -> set[str]:
    return {f"{m} {_norm(p)}" for m, p in DOC_ROUTE.findall(HUB_MD.read_text(encoding="utf-8"))}


def test_the_app_has_routes_and_a_websocket(app: FastAPI) -> None:
    routes = app_routes(app)
    assert len(routes) > 10 and any(r.startswith("WS ") for r in routes), routes


def test_every_route_is_documented(app: FastAPI) -> None:
    missing = sorted(app_routes(app) - doc_routes())
    assert not missing, f"routes missing from docs/hub.md (write them as `METHOD /path`): {missing}"


def test_every_documented_route_exists(app: FastAPI) -> None:
    stale = sorted(doc_routes() - app_routes(app))
    assert not stale, f"docs/hub.md names routes the app does not have: {stale}"


def _default(f: Field[object]) -> str:
    if f.default is not MISSING:
        return repr(f.default)
    if f.default_factory is not MISSING:
        return repr(f.default_factory())
    return "required"


def test_every_setting_is_documented_with_its_default() -> None:
    """Each setting has a row ``| `name` | `repr(default)` | …`` in docs/hub.md's settings table."""
    text = HUB_MD.read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(\w+)` \| `([^`]*)` \|", text, flags=re.MULTILINE))
    defaults = {f.name: _default(f) for f in fields(HubSettings)}
    assert len(defaults) > 10
    missing = sorted(set(defaults) - set(rows))
    assert not missing, f"hub settings missing from docs/hub.md's table (`| `name` | `default` |`): {missing}"
    wrong = {n: (rows[n], d) for n, d in defaults.items() if rows[n] != d}
    assert not wrong, f"docs/hub.md gives other defaults than HubSettings (documented, actual): {wrong}"


def test_the_serve_options_named_in_the_settings_table_exist() -> None:
    """The table's ``serve`` column names options ``airdecon serve`` has (docs/cli.md, from --help)."""
    text = HUB_MD.read_text(encoding="utf-8")
    cli = (HUB_MD.parent / "cli.md").read_text(encoding="utf-8")
    serve = cli.split("## `airdecon serve`", 1)[1].split("\n## ", 1)[0]
    named = re.findall(r"^\| `\w+` \| `[^`]*` \| `(--[a-z-]+)` \|", text, flags=re.MULTILINE)
    assert len(named) >= 5
    absent = [opt for opt in named if opt not in serve]
    assert not absent, f"docs/hub.md's settings table names serve options that do not exist: {absent}"
    undocumented = sorted(set(re.findall(r"│ +(--[a-z][a-z-]*)", serve)) - set(named) - {"--help"})
    assert not undocumented, f"serve options missing from docs/hub.md's settings table: {undocumented}"
