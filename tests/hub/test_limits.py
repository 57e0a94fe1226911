"""Bounded work for callers that do not play by the rules (issue 12 §7), and ``/v1/protocol`` off
the event loop: requests with bad tokens are limited per client address without touching a party
with a good one; one party's proposed versions awaiting signatures are bounded; reading the
negotiation directory (files, signatures) never holds up the hub's other requests."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from airdecon.audit import HubKey
from airdecon.hub import HubSettings, create_app
from airdecon.hub import _protocol as desk_module
from airdecon.hub._service import Hub
from airdecon.protocol import ProtocolStore
from airdecon.store import open_store
from tests.hub.conftest import make_protocol
from tests.hub.harness import world


def test_bad_tokens_are_limited_per_address_and_a_good_token_is_not() -> None:
    with world(auth_fail_burst=3, auth_fail_per_s=0.01) as w:
        bad = {"Authorization": "Bearer not-a-token"}
        codes = [w.client.get("/v1/alerts", headers=bad).status_code for _ in range(5)]
        assert codes == [401, 401, 401, 429, 429]
        r = w.client.get("/v1/alerts", headers=bad)
        err = r.json()["error"]
        assert err["code"] == "rate_limited" and "invalid credentials" in err["message"]
        assert w.get("BLUE", "/v1/alerts").status_code == 200  # same address, a good token
        assert w.client.get("/v1/alerts").status_code == 401  # no token at all costs nothing


@contextmanager
def negotiating(
    tmp: Path, **settings: Any
) -> Iterator[tuple[Hub, TestClient, dict[str, str], dict[str, Any]]]:
    """An in-process hub on a negotiation directory (three parties; each signs with its own key)."""
    directory, keys = make_protocol(tmp)
    version = ProtocolStore(directory).load().in_force()
    assert version is not None
    key = HubKey.generate()
    cfg = HubSettings(db="memory://", resolver_process=False, **settings)
    store = open_store("memory://", signer=key)
    hub = Hub(cfg, store, version.document, in_force=True, hub_key=key, protocol_dir=directory)
    tokens = {p: store.issue_token(p, at=0.0).token for p in ("BLUE", "RED", "CIVIL")}
    try:
        with TestClient(create_app(hub, run_loops=False), raise_server_exceptions=False) as client:
            yield hub, client, tokens, keys
    finally:
        hub.stop()
        store.close()


def _propose(client: TestClient, token: str, key: Any, horizontal_nm: float) -> Any:
    auth = {"Authorization": f"Bearer {token}"}
    proto = client.get("/v1/protocol", headers=auth).json()
    doc = proto["document"]
    doc["minima"]["default"]["horizontal_nm"] = horizontal_nm
    body = {"parent": proto["digest"], "document": doc}
    draft = client.post("/v1/protocol/drafts", headers=auth, json=body)
    assert draft.status_code == 200, draft.text
    cb = draft.json()["canonical_b64"]
    sig = base64.b64encode(key.sign(base64.b64decode(cb))).decode()
    return client.post("/v1/protocol/versions", headers=auth, json={"canonical_b64": cb, "signature": sig})


def test_one_party_may_have_only_so_many_versions_awaiting_signatures(tmp_path: Path) -> None:
    with negotiating(tmp_path, max_pending_versions=2) as (_hub, client, tokens, keys):
        assert _propose(client, tokens["RED"], keys["RED"], 6.0).status_code == 201
        assert _propose(client, tokens["RED"], keys["RED"], 7.0).status_code == 201
        r = _propose(client, tokens["RED"], keys["RED"], 8.0)
        assert r.status_code == 429 and r.json()["error"]["code"] == "quota_exceeded"
        assert "max_pending_versions" in r.json()["error"]["message"]
        assert _propose(client, tokens["BLUE"], keys["BLUE"], 9.0).status_code == 201  # its own quota
        auth = {"Authorization": f"Bearer {tokens['CIVIL']}"}
        pending = client.get("/v1/protocol", headers=auth).json()["pending"]
        assert sorted(p["proposer"] for p in pending) == ["BLUE", "RED", "RED"]


def test_reading_the_negotiation_directory_does_not_hold_up_other_requests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with negotiating(tmp_path) as (_hub, client, tokens, _keys):
        entered, release = threading.Event(), threading.Event()
        real = desk_module.ProtocolStore.load

        def slow_load(self: Any) -> Any:  # a slow disk, or many signatures to verify
            entered.set()
            release.wait(30)
            return real(self)

        monkeypatch.setattr(desk_module.ProtocolStore, "load", slow_load)
        auth = {"Authorization": f"Bearer {tokens['BLUE']}"}
        got: dict[str, int] = {}

        def get(name: str, path: str) -> None:
            got[name] = client.get(path, headers=auth).status_code

        slow = threading.Thread(target=get, args=("p", "/v1/protocol"))
        slow.start()
        try:
            assert entered.wait(10)
            other = threading.Thread(target=get, args=("a", "/v1/alerts"))
            other.start()
            other.join(5)
            assert got.get("a") == 200, "a request waited for /v1/protocol's file reads"
        finally:
            release.set()
            slow.join(10)
        assert got["p"] == 200
