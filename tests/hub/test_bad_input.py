"""Bad input gets a clear 4xx with the one error envelope, never a 500, and loses nothing else."""

from __future__ import annotations

import json
import random
import time

import httpx
import pytest

from tests.hub.conftest import HubProcess, ac


def envelope_ok(r: httpx.Response, status: int, code: str | None = None) -> dict:  # type: ignore[type-arg]
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"])
    if code:
        assert body["error"]["code"] == code
    return body["error"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        (b"{not json", 400, "bad_request"),
        (b'{"reports": [NaN]}', 400, "bad_request"),
        (b'{"reports": [{"lat": Infinity}]}', 400, "bad_request"),
        (b"[1, 2, 3]", 400, "bad_request"),
        (b"\xff\xfe\x00garbage", 400, "bad_request"),
        (b'{"reports": "BLUE-01"}', 422, "invalid_input"),
        (b'{"reports": []}', 422, "invalid_input"),
        (
            b'{"reports": [{"id": "B1", "lat": "35", "lon": 38, "alt_ft": 1, "gs_kt": 1, "trk_deg": 1}]}',
            422,
            "invalid_report",
        ),
    ],
)
def test_malformed_reports(hub: HubProcess, content: bytes, status: int, code: str) -> None:
    r = hub.client("BLUE").post("/v1/reports", content=content, headers={"Content-Type": "application/json"})
    envelope_ok(r, status, code)


def test_partial_batches_keep_the_valid_reports(hub: HubProcess) -> None:
    blue = hub.client("BLUE")
    batch = [
        ac("OK-1", 35.0, 38.0, 90),
        ac("BAD-LAT", 95.0, 38.0, 90),
        ac("BAD-TIME", 35.0, 38.0, 90) | {"t": time.time() - 7200},
        ac("BAD-SQUAWK", 35.0, 38.0, 90) | {"squawk": "7800"},
        ac("BAD-SPEED", 35.0, 38.0, 90) | {"gs_kt": -5},
        {"id": "EXTRA", "lat": 35, "lon": 38, "alt_ft": 1, "gs_kt": 1, "trk_deg": 1, "weapon": "x"},
        ac("OK-2", 35.1, 38.0, 90),
    ]
    r = blue.post("/v1/reports", json={"reports": batch})
    assert r.status_code == 202
    body = r.json()
    assert body["accepted"] == 2
    fields = {(x["record"], x["field"]) for x in body["rejected"]}
    assert fields == {
        ("BAD-LAT", "lat"),
        ("BAD-TIME", "t"),
        ("BAD-SQUAWK", "squawk"),
        ("BAD-SPEED", "gs_kt"),
        ("EXTRA", "weapon"),
    }
    own = sorted(t["id"] for t in blue.get("/v1/tracks").json()["tracks"] if t["kind"] == "own")
    assert own == ["OK-1", "OK-2"]
    # all invalid: 422 naming the first bad report and field
    err = envelope_ok(blue.post("/v1/reports", json={"reports": [batch[1]]}), 422, "invalid_report")
    assert err["details"] == {"record": "BAD-LAT", "field": "lat"}


def test_credentials(hub: HubProcess) -> None:
    anon = hub.client(None)
    envelope_ok(anon.get("/v1/tracks"), 401, "unauthorized")
    envelope_ok(anon.get("/v1/tracks", headers={"Authorization": "Bearer nope"}), 401, "unauthorized")
    envelope_ok(anon.get("/v1/tracks", headers={"Authorization": "Basic dXNlcjpwdw=="}), 401, "unauthorized")
    r = anon.get("/v1/tracks", headers={"Authorization": "Bearer " + "x" * 5000})
    assert r.status_code in (401, 431)
    # the WebSocket refuses too, with its documented close code
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    url = hub.base.replace("http", "ws", 1) + "/v1/stream?token=nope"
    with connect(url) as ws:
        first = json.loads(ws.recv(timeout=5))
        assert first["error"]["code"] == "unauthorized"
        with pytest.raises(ConnectionClosed) as info:
            ws.recv(timeout=5)
        assert info.value.rcvd is not None and info.value.rcvd.code == 4401


def test_oversized_and_too_many(hub: HubProcess) -> None:
    blue = hub.client("BLUE")
    big = b'{"reports": [' + b" " * (3 * 1024 * 1024) + b"]}"
    envelope_ok(
        blue.post("/v1/reports", content=big, headers={"Content-Type": "application/json"}),
        413,
        "payload_too_large",
    )
    many = [ac(f"A{k}", 35.0 + k * 1e-4, 38.0, 90) for k in range(10_001)]
    envelope_ok(blue.post("/v1/reports", json={"reports": many}), 422, "invalid_input")


def test_unknown_things(hub: HubProcess) -> None:
    blue = hub.client("BLUE")
    envelope_ok(blue.get("/v1/nothing"), 404, "not_found")
    envelope_ok(blue.delete("/v1/tracks"), 405, "method_not_allowed")
    envelope_ok(blue.post("/v1/acks", json={"distress_id": "D-999"}), 422, "invalid_input")
    envelope_ok(blue.post("/v1/messages", json={"to": "MARTIANS", "text": "hi"}), 422, "invalid_input")
    envelope_ok(blue.post("/v1/messages", json={"to": "RED", "text": ""}), 422, "invalid_input")
    envelope_ok(blue.post("/v1/messages", json={"to": "RED", "text": "x", "kind": "ultimatum"}), 422)
    envelope_ok(blue.get("/v1/events", params={"after": "garbage!!"}), 422, "invalid_input")
    envelope_ok(blue.get("/v1/events", params={"limit": "lots"}), 422, "invalid_request")
    envelope_ok(blue.get("/v1/record", params={"from": "nan", "to": "1"}), 422)


def test_floods_are_throttled_not_fatal(hub_factory) -> None:  # type: ignore[no-untyped-def]
    hub = hub_factory(args=("--rate-per-s", "20", "--burst", "30"))
    blue = hub.client("BLUE")
    statuses = [blue.get("/v1/health").status_code for _ in range(5)]
    assert statuses == [200] * 5
    codes = set()
    for _ in range(600):
        codes.add(blue.get("/v1/protocol").status_code)
        if 429 in codes:
            break
    assert 429 in codes
    err = blue.get("/v1/protocol").json()["error"]
    assert err["code"] == "rate_limited"
    # and the other parties are not affected
    assert hub.client("RED").get("/v1/tracks").status_code == 200


def test_random_junk_never_causes_a_500(hub: HubProcess) -> None:
    rng = random.Random(7)
    blue = hub.client("BLUE")
    values = [None, True, -1, 0, 1e308, -1e308, "", "x" * 300, [], {}, [1], {"a": 1}, 35.0, "7700", 7700]
    fields = [
        "id",
        "lat",
        "lon",
        "alt_ft",
        "gs_kt",
        "trk_deg",
        "vs_fpm",
        "t",
        "squawk",
        "emergency",
        "callsign",
        "on_ground",
        "party",
    ]
    for _ in range(150):
        rep = {f: rng.choice(values) for f in rng.sample(fields, rng.randint(0, len(fields)))}
        r = blue.post("/v1/reports", json={"reports": [rep]})
        assert r.status_code in (202, 422), (rep, r.text)
    for path in ("/v1/messages", "/v1/acks", "/v1/distress", "/v1/protocol/drafts", "/v1/protocol/versions"):
        for _ in range(10):
            body = {
                k: rng.choice(values)
                for k in rng.sample(
                    [
                        "to",
                        "text",
                        "kind",
                        "id",
                        "distress_id",
                        "parent",
                        "document",
                        "canonical_b64",
                        "signature",
                    ],
                    4,
                )
            }
            r = blue.post(path, json=body)
            assert r.status_code < 500, (path, body, r.text)
    assert hub.proc.poll() is None
