"""The protocol over the API (signatures made by the party, forged and replayed ones refused), and
the whole hub running on PostgreSQL."""

from __future__ import annotations

import base64
import time

from airdecon.protocol._signing import private_key_from_pem
from tests.hub.conftest import HubProcess, ac, collect


def _sign(hub: HubProcess, party: str, data: bytes) -> str:
    key = hub.keys[party]
    return base64.b64encode(key.sign(data)).decode()


def test_counter_and_accept_with_signatures_made_by_each_party(hub: HubProcess, tmp_path) -> None:  # type: ignore[no-untyped-def]
    blue, red, civil = hub.client("BLUE"), hub.client("RED"), hub.client("CIVIL")
    proto = blue.get("/v1/protocol").json()
    assert proto["in_force"] is True and proto["pending"] == []
    # RED drafts an amendment: 6 NM horizontal
    doc = proto["document"]
    doc["minima"]["default"]["horizontal_nm"] = 6.0
    draft = red.post("/v1/protocol/drafts", json={"parent": proto["digest"], "document": doc}).json()
    assert sorted(c["path"] for c in draft["diff"]) == ["minima.default.horizontal_nm", "parent", "revision"]
    data = base64.b64decode(draft["canonical_b64"])
    # forged: BLUE's signature presented by RED is refused, nothing recorded
    forged = red.post(
        "/v1/protocol/versions",
        json={"canonical_b64": draft["canonical_b64"], "signature": _sign(hub, "BLUE", data)},
    )
    assert forged.status_code == 422 and forged.json()["error"]["code"] == "protocol"
    assert blue.get("/v1/protocol").json()["pending"] == []
    # genuine
    r = red.post(
        "/v1/protocol/versions",
        json={"canonical_b64": draft["canonical_b64"], "signature": _sign(hub, "RED", data)},
    )
    assert r.status_code == 201, r.text
    digest = r.json()["digest"]
    (pending,) = blue.get("/v1/protocol").json()["pending"]
    assert pending["digest"] == digest and pending["signed_by"] == ["RED"]
    assert sorted(pending["missing"]) == ["BLUE", "CIVIL"]
    # a tampered signature is refused; a replayed one (RED again) too
    bad = bytearray(base64.b64decode(_sign(hub, "BLUE", data)))
    bad[0] ^= 1
    r = blue.post(
        f"/v1/protocol/versions/{digest}/signatures", json={"signature": base64.b64encode(bad).decode()}
    )
    assert r.status_code == 422
    r = red.post(f"/v1/protocol/versions/{digest}/signatures", json={"signature": _sign(hub, "RED", data)})
    assert r.status_code == 422 and "already signed" in r.json()["error"]["message"]
    # everyone signs: it is in force, live, without a restart
    assert (
        blue.post(
            f"/v1/protocol/versions/{digest}/signatures", json={"signature": _sign(hub, "BLUE", data)}
        ).json()["state"]
        == "open"
    )
    assert (
        civil.post(
            f"/v1/protocol/versions/{digest}/signatures", json={"signature": _sign(hub, "CIVIL", data)}
        ).json()["state"]
        == "in force"
    )
    now = blue.get("/v1/protocol").json()
    assert now["digest"] == digest and now["document"]["minima"]["default"]["horizontal_nm"] == 6.0
    # the keys written for the parties are the ones in the protocol
    assert private_key_from_pem((tmp_path / "RED.key").read_bytes()).public_key() is not None


def test_the_hub_on_postgresql(hub_factory, pg_url: str) -> None:  # type: ignore[no-untyped-def]
    hub = hub_factory(db=pg_url)
    blue, red = hub.client("BLUE"), hub.client("RED")
    with hub.ws("BLUE") as wb:
        assert blue.post("/v1/reports", json={"reports": [ac("BLUE-01", 35.3, 38.0, 90)]}).status_code == 202
        assert red.post("/v1/reports", json={"reports": [ac("RED-01", 35.3, 38.8, 270)]}).status_code == 202
        red.post("/v1/messages", json={"to": "BLUE", "text": "on postgres"})
        got = collect(wb, lambda ev: {e["kind"] for e in ev} >= {"alert", "message"})
    assert any(e["kind"] == "alert" for e in got)
    assert blue.get("/v1/audit/verify").json()["ok"] is True
    hub.kill()
    time.sleep(0.5)
