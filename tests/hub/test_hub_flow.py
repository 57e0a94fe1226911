"""End to end over real HTTP and WebSocket: reports -> alerts and advisories, distress, the line, resume."""

from __future__ import annotations

import time

import pytest

from tests.hub.conftest import HubProcess, ac, collect


def kinds(events, kind):  # type: ignore[no-untyped-def]
    return [e for e in events if e["kind"] == kind]


def test_reports_raise_alerts_and_advisories_for_both_parties(hub: HubProcess) -> None:
    blue, red = hub.client("BLUE"), hub.client("RED")
    with hub.ws("BLUE") as wb, hub.ws("RED") as wr:
        r = blue.post("/v1/reports", json={"reports": [ac("BLUE-01", 35.3, 38.0, 90)]})
        assert r.status_code == 202, r.text
        assert r.json()["accepted"] == 1
        r = red.post("/v1/reports", json={"reports": [ac("RED-01", 35.3, 38.8, 270)]})
        assert r.status_code == 202
        eb = collect(wb, lambda ev: any(e["kind"] == "advisory" for e in ev))
        er = collect(wr, lambda ev: any(e["kind"] == "advisory" for e in ev))
    (ab,) = [e["data"] for e in kinds(eb, "alert")]
    (ar,) = [e["data"] for e in kinds(er, "alert")]
    assert ab["kind"] == ar["kind"] == "raised"
    assert ab["alert_id"] == ar["alert_id"]
    assert ab["own"][0]["id"] == "BLUE-01" and ar["own"][0]["id"] == "RED-01"
    assert ab["threat"]["ref"] == f"threat:{ab['alert_id']}"
    assert 130 < ab["t_in_s"] < 145  # 0.8 deg of longitude at 35.3N, 900 kt closure, 5 NM
    adv_b = kinds(eb, "advisory")[0]["data"]
    adv_r = kinds(er, "advisory")[0]["data"]
    assert adv_b["aircraft"] == "BLUE-01" and adv_r["aircraft"] == "RED-01"
    assert adv_b["rule"] == adv_r["rule"] == "head-on"
    # both turn right (Annex 2 head-on): new track clockwise of the current one
    assert 0 < (adv_b["trk_deg"] - 90) % 360 < 90
    assert 0 < (adv_r["trk_deg"] - 270) % 360 < 90
    # the current alerts view agrees, with the advisory for the party's own aircraft only
    alerts = blue.get("/v1/alerts").json()["alerts"]
    assert len(alerts) == 1 and alerts[0]["own"][0]["advisory"]["aircraft"] == "BLUE-01"


def test_distress_is_broadcast_acknowledged_and_escalated(hub_factory) -> None:  # type: ignore[no-untyped-def]
    hub = hub_factory(ack_s=1.0, escalate_s=3.0)
    red, blue, civil = hub.client("RED"), hub.client("BLUE"), hub.client("CIVIL")
    with hub.ws("BLUE") as wb, hub.ws("CIVIL") as wc:
        r = red.post("/v1/reports", json={"reports": [ac("RED-04", 35.5, 40.3, 200, squawk="7700")]})
        assert r.status_code == 202
        eb = collect(wb, lambda ev: any(e["kind"] == "distress" for e in ev))
        ec = collect(wc, lambda ev: any(e["kind"] == "distress" for e in ev))
        d_b = kinds(eb, "distress")[0]["data"]
        d_c = kinds(ec, "distress")[0]["data"]
        assert d_b == d_c  # every party gets the same broadcast
        assert d_b["stage"] == "raised" and d_b["party"] == "RED" and d_b["id"] == "RED-04"
        assert "7700" in d_b["reason"]
        assert d_b["frequencies_mhz"] == [121.5, 243.0]
        assert d_b["position"]["alt_ft"] == pytest.approx(25000, abs=200)
        assert set(d_b["awaiting"]) == {"BLUE", "CIVIL"}
        # nobody acknowledges: re-sent, then escalated
        collect(
            wb,
            lambda ev: any(e["kind"] == "distress" and e["data"]["stage"] == "escalated" for e in ev),
            timeout=20,
            into=eb,
        )
        assert any(e["data"]["stage"] == "resent" for e in kinds(eb, "distress"))
        did = d_b["distress_id"]
        assert blue.post("/v1/acks", json={"distress_id": did}).status_code == 200
        r = civil.post("/v1/acks", json={"distress_id": did})
        assert r.status_code == 200 and r.json()["awaiting"] == []
        acks = collect(wb, lambda ev: len(kinds(ev, "ack")) >= 2, into=eb)
        assert {e["data"]["by"] for e in kinds(acks, "ack")} == {"BLUE", "CIVIL"}
    # every party sees the distressed aircraft in its picture
    tracks = blue.get("/v1/tracks").json()["tracks"]
    assert [t["id"] for t in tracks if t["kind"] == "distress"] == ["RED-04"]


def test_declared_mayday_reaches_every_party(hub: HubProcess) -> None:
    blue = hub.client("BLUE")
    blue.post("/v1/reports", json={"reports": [ac("BLUE-09", 34.0, 37.0, 10)]})
    with hub.ws("RED") as wr:
        r = blue.post("/v1/distress", json={"id": "BLUE-09", "reason": "MAYDAY engine fire"})
        assert r.status_code == 201, r.text
        ev = collect(wr, lambda ev: any(e["kind"] == "distress" for e in ev))
    assert kinds(ev, "distress")[0]["data"]["reason"] == "MAYDAY engine fire"
    # declaring again while open does not open a second case
    assert blue.post("/v1/distress", json={"id": "BLUE-09"}).json()["new"] is False


def test_line_messages_with_delivery_and_read_receipts(hub: HubProcess) -> None:
    blue, red, civil = hub.client("BLUE"), hub.client("RED"), hub.client("CIVIL")
    with hub.ws("BLUE") as wb:
        with hub.ws("RED") as wr:
            r = blue.post(
                "/v1/messages", json={"to": "RED", "kind": "safety-notice", "text": "Two-ship FL200"}
            )
            assert r.status_code == 201, r.text
            mid = r.json()["message_id"]
            got = collect(wr, lambda ev: any(e["kind"] == "message" for e in ev))
            msg = kinds(got, "message")[0]["data"]
            assert msg == {**msg, "message_id": mid, "from": "BLUE", "to": "RED", "kind": "safety-notice"}
            collect(
                wb, lambda ev: any(e["kind"] == "receipt" and e["data"]["status"] == "delivered" for e in ev)
            )
            assert red.post(f"/v1/messages/{mid}/read").status_code == 200
        collect(wb, lambda ev: any(e["kind"] == "receipt" and e["data"]["status"] == "read" for e in ev))
    # CIVIL was not a recipient: it never sees the message
    assert all(e["kind"] != "message" for e in civil.get("/v1/messages").json()["messages"])
    # a third party cannot mark it read, nor reveal it exists
    r = civil.post(f"/v1/messages/{mid}/read")
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_input"
    # idempotent resend: the same key returns the same message, recorded once
    k = {"idempotency_key": "retry-1"}
    m1 = blue.post("/v1/messages", json={"to": "all", "text": "hello", **k}).json()
    m2 = blue.post("/v1/messages", json={"to": "all", "text": "hello", **k}).json()
    assert m1["message_id"] == m2["message_id"]
    alls = [e for e in red.get("/v1/messages").json()["messages"] if e["data"].get("text") == "hello"]
    assert len(alls) == 1
    r = blue.post("/v1/messages", json={"to": "all", "text": "different", **k})
    assert r.status_code == 409


def test_stream_resumes_after_reconnect_without_gaps(hub: HubProcess) -> None:
    blue, red = hub.client("BLUE"), hub.client("RED")
    with hub.ws("RED") as w:
        for n in range(3):
            blue.post("/v1/messages", json={"to": "RED", "text": f"m{n}"})
        first = collect(w, lambda ev: len(kinds(ev, "message")) >= 3)
    cursor = first[-1]["cursor"]
    for n in range(3, 6):
        blue.post("/v1/messages", json={"to": "RED", "text": f"m{n}"})
    with hub.ws("RED", after=cursor) as w:
        rest = collect(w, lambda ev: len(kinds(ev, "message")) >= 3)
    texts = [e["data"]["text"] for e in kinds(first, "message") + kinds(rest, "message")]
    assert texts == [f"m{n}" for n in range(6)]
    # the same events over HTTP, after the same cursor
    polled = red.get("/v1/events", params={"after": cursor}).json()["events"]
    assert [e["data"]["text"] for e in polled if e["kind"] == "message"] == ["m3", "m4", "m5"]
    # a cursor is bound to its party: BLUE cannot use RED's
    r = blue.get("/v1/events", params={"after": cursor})
    assert r.status_code == 422 and "cursor" in r.json()["error"]["message"]


def test_reports_over_the_websocket(hub: HubProcess) -> None:
    import json

    with hub.ws("BLUE") as w:
        w.send(json.dumps({"type": "reports", "ref": "r1", "reports": [ac("BLUE-02", 36.0, 37.0, 0)]}))
        deadline = time.time() + 10
        while time.time() < deadline:
            msg = json.loads(w.recv(timeout=10))
            if msg.get("type") == "ack":
                assert msg["ref"] == "r1" and msg["accepted"] == 1
                break
        else:
            raise AssertionError("no ack")
        w.send("not json")
        while True:
            msg = json.loads(w.recv(timeout=10))
            if msg.get("type") == "error":
                assert msg["error"]["code"] == "bad_request"
                break
    tracks = hub.client("BLUE").get("/v1/tracks").json()["tracks"]
    assert [t["id"] for t in tracks if t["kind"] == "own"] == ["BLUE-02"]


def test_stream_messages_in_flight_together_are_each_acked_once(hub: HubProcess) -> None:
    """More messages than the hub handles at once per connection, big and small, sent without
    waiting: each is answered once with its ref (in whatever order), and every report is in."""
    import json

    big = [ac(f"BLUE-B{k:03d}", 30.0 + k * 0.01, 20.0, 90) for k in range(150)]
    sent = {}
    with hub.ws("BLUE") as w:
        for n in range(10):
            reports = big if n % 3 == 0 else [ac(f"BLUE-S{n}", 40.0, 21.0 + n * 0.1, 90)]
            sent[f"m{n}"] = len(reports)
            w.send(json.dumps({"type": "reports", "ref": f"m{n}", "reports": reports}))
        w.send(json.dumps({"type": "ping", "ref": "p"}))
        answers: dict[str, dict] = {}
        deadline = time.time() + 20
        while len(answers) < 11 and time.time() < deadline:
            msg = json.loads(w.recv(timeout=20))
            if msg.get("type") in ("ack", "pong"):
                assert msg["ref"] not in answers, "answered twice"
                answers[msg["ref"]] = msg
    assert answers["p"]["type"] == "pong"
    assert {ref: a["accepted"] for ref, a in answers.items() if ref != "p"} == sent
    ids = {t["id"] for t in hub.client("BLUE").get("/v1/tracks").json()["tracks"] if t["kind"] == "own"}
    assert ids == {r["id"] for r in big} | {f"BLUE-S{n}" for n in range(10) if n % 3}


def test_openapi_documents_the_routes(hub: HubProcess) -> None:
    spec = hub.client(None).get("/openapi.json").json()
    for path in (
        "/v1/reports",
        "/v1/tracks",
        "/v1/alerts",
        "/v1/distress",
        "/v1/acks",
        "/v1/messages",
        "/v1/protocol",
        "/v1/audit/verify",
        "/v1/record",
    ):
        assert path in spec["paths"], path
    assert "requestBody" in spec["paths"]["/v1/reports"]["post"]


def test_replay_feeds_the_hub_as_civil_traffic(hub: HubProcess, shared_dir, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`airdecon replay --hub URL --party CIVIL`: the recorded AF787/TBM900 encounter, live on the hub."""
    import subprocess
    import sys

    rec = shared_dir / "data" / "encounter_af787_tbm900_20171201.parquet"
    import pandas as pd

    frame = pd.read_parquet(rec, columns=["timestamp", "icao24"])
    t0 = frame.groupby("icao24")["timestamp"].min().max().timestamp()  # both aircraft recorded from here
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "airdecon",
            "replay",
            str(rec),
            "--out",
            str(tmp_path / "out"),
            "--no-plot",
            "--from",
            str(t0 + 300),
            "--to",
            str(t0 + 330),
            "--speed",
            "10",
            "--hub",
            hub.base,
            "--party",
            "CIVIL",
            "--token",
            hub.tokens["CIVIL"],
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert "posts failed" in res.stdout and ", 0 posts failed" in res.stdout, res.stdout
    civil = hub.client("CIVIL")
    tracks = [t for t in civil.get("/v1/tracks").json()["tracks"] if t["kind"] == "own"]
    assert len(tracks) == 2
    # the two civil aircraft are in loss of separation: civil pairs are always watched
    deadline = time.time() + 10
    while not civil.get("/v1/alerts").json()["alerts"]:
        assert time.time() < deadline, "no alert for the formation encounter"
        time.sleep(0.3)
    (alert,) = civil.get("/v1/alerts").json()["alerts"]
    assert alert["level"] == "loss"
    # and BLUE sees them as civil traffic, publicly
    assert sorted(t["kind"] for t in hub.client("BLUE").get("/v1/tracks").json()["tracks"]) == [
        "civil",
        "civil",
    ]
