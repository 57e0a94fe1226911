"""An in-process hub with a controllable clock: the real Hub, the real app, the real store.

Nothing is mocked: :class:`World` builds a real :class:`~airdecon.hub.Hub` on a real store
(in-memory by default, SQLite when given a path) with a four-party protocol, serves its real
FastAPI app through Starlette's in-process client (HTTP and WebSocket), and lets a test move time
by hand and run the detection cycle and the resolver when it wants. The background loops are not
started, so every test is deterministic in time. The real-process tests (``conftest.hub_server``)
keep covering what only a process can show: SIGKILL, restarts, sockets over loopback.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from starlette.testclient import TestClient

from airdecon.audit import HubKey
from airdecon.hub import HubSettings, create_app
from airdecon.hub._service import Hub
from airdecon.protocol import ProtocolDocument
from airdecon.protocol._signing import generate_private_key, public_key_text
from airdecon.store import open_store

PARTIES = (
    ("BLUE", "party", None),
    ("RED", "party", None),
    ("GREEN", "coalition", "BLUE"),
    ("CIVIL", "civil", None),
)
T0 = 1_800_000_000.0


class Clock:
    """A clock a test moves."""

    def __init__(self, t: float = T0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, dt: float) -> None:
        self.t += dt


def document(extra: dict[str, Any] | None = None) -> ProtocolDocument:
    """The four-party protocol of the harness (fresh keys)."""
    return ProtocolDocument.from_mapping(
        {
            "format": "airdecon.protocol/1",
            "title": "harness line",
            "parties": [
                {
                    "id": pid,
                    "name": f"{pid} test",
                    "role": role,
                    **({"lead": lead} if lead else {}),
                    "signing_key": public_key_text(generate_private_key()),
                    "contacts": [{"name": f"{pid} duty", "phone": "+0 000 0000"}],
                }
                for pid, role, lead in PARTIES
            ],
            **(extra or {}),
        }
    )


class World:
    """One hub and a client per party."""

    def __init__(self, hub: Hub, client: TestClient, clock: Clock, tokens: dict[str, str]) -> None:
        self.hub, self.client, self.clock, self.tokens = hub, client, clock, tokens

    def headers(self, party: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[party]}"}

    def get(self, party: str, path: str, **params: Any) -> Any:
        return self.client.get(path, headers=self.headers(party), params=params or None)

    def post(self, party: str, path: str, body: Any) -> Any:
        return self.client.post(path, headers=self.headers(party), json=body)

    def report(self, party: str, *aircraft: dict[str, Any]) -> Any:
        return self.post(party, "/v1/reports", {"reports": list(aircraft)})

    def cycle(self, advise: bool = True) -> None:
        self.hub.cycle.run()
        if advise:
            self.hub.advisor.advise()

    def step(self, dt: float, advise: bool = True) -> None:
        self.clock.advance(dt)
        self.cycle(advise)


def aircraft(ident: str, lat: float, lon: float, trk: float, **kw: Any) -> dict[str, Any]:
    """A report in the wire's units (level at 25,000 ft, 450 kt unless given)."""
    return {"id": ident, "lat": lat, "lon": lon, "alt_ft": kw.pop("alt", 25000), "gs_kt": kw.pop("gs", 450),
            "trk_deg": trk, **kw}  # fmt: skip


@contextmanager
def world(
    extra: dict[str, Any] | None = None,
    db: str = "memory://",
    doc: ProtocolDocument | None = None,
    key: HubKey | None = None,
    t0: float = T0,
    **settings: Any,
) -> Iterator[World]:
    """A running in-process hub (closed at the end), on *doc* or a fresh four-party protocol.

    The resolver runs in-process unless *settings* say ``resolver_process=True``. A restart: the
    same *db*, *doc* and hub *key* again, with the clock starting later (*t0*)."""
    clock = Clock(t0)
    cfg = HubSettings(**{"db": db, "resolver_process": False, **settings})
    key = key or HubKey.generate()
    store = open_store(db, signer=key, checkpoint_every=cfg.checkpoint_every)
    doc = doc or document(extra)
    with tempfile.TemporaryDirectory() as scratch:
        del scratch
        hub = Hub(cfg, store, doc, in_force=True, hub_key=key, clock=clock, protocol_dir=None)
        tokens = {p: store.issue_token(p, at=clock()).token for p, _, _ in PARTIES}
        app = create_app(hub, run_loops=False)
        try:
            with TestClient(app, raise_server_exceptions=False) as client:
                yield World(hub, client, clock, tokens)
        finally:
            hub.advisor.close()
            store.close()
