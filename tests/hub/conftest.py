"""A real hub on 127.0.0.1 in its own process, real HTTP and WebSocket clients, real stores.

``hub_server`` negotiates a protocol (three parties, every one signing with its own Ed25519 key),
issues a token per party into the store, starts ``python -m airdecon serve`` on a free port and
waits for it. Tests talk to it only over the network, as parties would.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from airdecon.protocol import ProtocolDocument, ProtocolStore
from airdecon.protocol._signing import generate_private_key, private_key_to_pem, public_key_text
from airdecon.store import open_store
from tests.store.conftest import pg_server, pg_url  # noqa: F401 - the PostgreSQL fixtures

PARTIES = (("BLUE", "party"), ("RED", "party"), ("CIVIL", "civil"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_protocol(
    directory: Path, *, ack_s: float = 30.0, escalate_s: float = 120.0, extra: dict[str, Any] | None = None
) -> tuple[Path, dict[str, Any]]:
    """A protocol directory with a version in force (BLUE proposes, RED and CIVIL sign)."""
    keys = {p: generate_private_key() for p, _ in PARTIES}
    doc = {
        "format": "airdecon.protocol/1",
        "title": "test line",
        "parties": [
            {
                "id": p,
                "name": f"{p} test",
                "role": role,
                "signing_key": public_key_text(keys[p]),
                "contacts": [{"name": f"{p} duty", "phone": "+0 000 0000"}],
            }
            for p, role in PARTIES
        ],
        "distress": {"on_receipt": {"acknowledge_within_s": ack_s, "escalate_after_s": escalate_s}},
        **(extra or {}),
    }
    store = ProtocolStore.init(directory / "protocol")
    n = store.load()
    now = datetime.now(UTC)
    v, _ = n.propose(ProtocolDocument.from_mapping(doc), "BLUE", keys["BLUE"], now)
    for p in ("RED", "CIVIL"):
        n.accept(v.digest, p, keys[p], now)
    store.save(n)
    for p, k in keys.items():
        (directory / f"{p}.key").write_bytes(private_key_to_pem(k))
    return directory / "protocol", keys


@dataclass
class HubProcess:
    """A running hub and what a test needs to talk to it."""

    base: str
    db: str
    protocol: Path
    tokens: dict[str, str]
    keys: dict[str, Any]
    proc: subprocess.Popen[bytes]
    log: Path
    clients: list[httpx.Client] = field(default_factory=list)

    def client(self, party: str | None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[party]}"} if party else {}
        c = httpx.Client(base_url=self.base, headers=headers, timeout=15.0)
        self.clients.append(c)
        return c

    def ws(self, party: str, after: str = "") -> ClientConnection:
        url = self.base.replace("http", "ws", 1) + f"/v1/stream?after={after}"
        return connect(
            url,
            additional_headers={"Authorization": f"Bearer {self.tokens[party]}"},
            open_timeout=10,
            max_size=1 << 24,
        )

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)


def start_hub(
    tmp: Path,
    db: str,
    protocol: Path,
    tokens: dict[str, str],
    keys: dict[str, Any],
    env: dict[str, str] | None = None,
    args: tuple[str, ...] = (),
) -> HubProcess:
    port = free_port()
    log = tmp / f"hub-{port}.log"
    with log.open("ab") as out:  # the child keeps its own descriptor
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "airdecon",
                "serve",
                "--port",
                str(port),
                "--db",
                db,
                "--protocol",
                str(protocol),
                *args,
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"hub exited: {log.read_text()}")
        try:
            if httpx.get(base + "/v1/health", timeout=1).status_code == 200:
                return HubProcess(base, db, protocol, tokens, keys, proc, log)
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError(f"hub did not start: {log.read_text()}")


def issue_tokens(db: str) -> dict[str, str]:
    store = open_store(db)
    try:
        for p, _ in PARTIES:
            store.add_party(p, at=time.time())
        return {p: store.issue_token(p, at=time.time()).token for p, _ in PARTIES}
    finally:
        store.close()


@pytest.fixture
def hub_factory(tmp_path: Path) -> Iterator[Callable[..., HubProcess]]:
    """Start hubs (on SQLite by default); all are stopped at the end of the test."""
    started: list[HubProcess] = []

    def make(
        *,
        db: str | None = None,
        ack_s: float = 30.0,
        escalate_s: float = 120.0,
        extra: dict[str, Any] | None = None,
        args: tuple[str, ...] = (),
    ) -> HubProcess:
        protocol, keys = make_protocol(tmp_path, ack_s=ack_s, escalate_s=escalate_s, extra=extra)
        url = db or str(tmp_path / "hub.db")
        hub = start_hub(tmp_path, url, protocol, issue_tokens(url), keys, args=args)
        started.append(hub)
        return hub

    yield make
    for h in started:
        for c in h.clients:
            c.close()
        if h.proc.poll() is None:
            h.proc.terminate()
            try:
                h.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                h.proc.kill()


@pytest.fixture
def hub(hub_factory: Callable[..., HubProcess]) -> HubProcess:
    return hub_factory()


def ac(
    ident: str, lat: float, lon: float, trk: float, *, alt: float = 25000, gs: float = 450, **kw: Any
) -> dict[str, Any]:
    """A report in the wire's units, timestamped now."""
    return {
        "id": ident,
        "lat": lat,
        "lon": lon,
        "alt_ft": alt,
        "gs_kt": gs,
        "trk_deg": trk,
        "t": time.time(),
        **kw,
    }


def collect(
    ws: ClientConnection,
    until: Callable[[list[dict[str, Any]]], bool],
    timeout: float = 15.0,
    into: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Receive events from a stream until *until(events)* holds (AssertionError on timeout)."""
    got = into if into is not None else []
    deadline = time.time() + timeout
    while not until(got):
        left = deadline - time.time()
        if left <= 0:
            raise AssertionError(f"timed out; got {[(e.get('kind'), e.get('type')) for e in got]}")
        try:
            raw = ws.recv(timeout=left)
        except TimeoutError:
            continue
        msg = json.loads(raw)
        if msg.get("type") == "event":
            got.append(msg)
    return got
