"""Need to know, proven on every face: party BLUE never receives a field of RED's aircraft outside an
alert or a distress — not through tracks, alerts, events, the stream, messages, the record, the
protocol, audit verification, errors, ids or counts.
"""

from __future__ import annotations

import json
import time

from tests.hub.conftest import HubProcess, ac, collect


def secret() -> dict:  # type: ignore[type-arg]
    """RED's secret aircraft: far from everyone, with a callsign and an unusual position (fresh time)."""
    return ac("RED-SECRET-7", 33.123457, 41.987653, 45, alt=31234, gs=377, callsign="VIPER77", squawk="4521")


def threat() -> dict:  # type: ignore[type-arg]
    """RED's aircraft in conflict with BLUE (fresh time)."""
    return ac("RED-HIDDEN-1", 35.3, 38.8, 270, callsign="COBRA11")


SECRET_STRINGS = ("RED-SECRET-7", "VIPER77", "4521", "33.123457", "41.987653", "31234")
# RED's aircraft in conflict with BLUE: its id and callsign are never disclosed, its position only
# during the alert
THREAT_IDS = ("RED-HIDDEN-1", "COBRA11")


def everything_blue_can_read(hub: HubProcess) -> str:
    """Every HTTP answer BLUE can get, concatenated (raw text, so nothing hides in a field)."""
    blue = hub.client("BLUE")
    now = time.time()
    texts = [
        blue.get(path, params=params).text
        for path, params in [
            ("/v1/tracks", None),
            ("/v1/alerts", None),
            ("/v1/alerts/history", None),
            ("/v1/events", None),
            ("/v1/distress", None),
            ("/v1/messages", None),
            ("/v1/protocol", None),
            ("/v1/audit/verify", None),
            ("/v1/record", {"from": now - 3600, "to": now + 60}),
        ]
    ]
    # errors about aircraft BLUE does not own say the same words whether the aircraft exists or not
    a = blue.post("/v1/distress", json={"id": "RED-SECRET-7"})
    b = blue.post("/v1/distress", json={"id": "NO-SUCH-1"})
    assert a.status_code == b.status_code == 422
    assert a.json()["error"]["message"].replace("RED-SECRET-7", "X") == b.json()["error"]["message"].replace(
        "NO-SUCH-1", "X"
    )
    texts.append(json.dumps(blue.get("/v1/tracks").json()))
    return "\n".join(texts)


def test_blue_sees_only_what_an_alert_requires(hub: HubProcess) -> None:
    blue, red, civil = hub.client("BLUE"), hub.client("RED"), hub.client("CIVIL")
    with hub.ws("BLUE") as wb:
        red.post("/v1/reports", json={"reports": [secret(), threat()]})
        civil.post("/v1/reports", json={"reports": [ac("CIV-100", 34.0, 36.0, 90, callsign="AFR123")]})
        blue.post("/v1/reports", json={"reports": [ac("BLUE-01", 35.3, 38.0, 90)]})
        red.post("/v1/messages", json={"to": "CIVIL", "text": "RED-SECRET-7 is VIPER77 squawking 4521"})
        streamed = collect(wb, lambda ev: any(e["kind"] == "advisory" for e in ev))
        time.sleep(1.5)  # let any further (wrongly addressed) events arrive
        while True:
            try:
                streamed.append(json.loads(wb.recv(timeout=0.5)))
            except TimeoutError:
                break
    stream_text = json.dumps(streamed)
    http_text = everything_blue_can_read(hub)
    for s in SECRET_STRINGS + THREAT_IDS:
        assert s not in stream_text, f"{s} leaked on the stream"
        assert s not in http_text, f"{s} leaked over HTTP"
    # what BLUE does see: its own aircraft, the civil one, and the threat under a pseudonym
    tracks = blue.get("/v1/tracks").json()["tracks"]
    by_kind = sorted(t["kind"] for t in tracks)
    assert by_kind == ["civil", "own", "threat"]
    disclosed = next(t for t in tracks if t["kind"] == "threat")
    assert disclosed["ref"].startswith("threat:AL-")
    allowed = {"kind", "ref", "alert_id", "precision", "lat", "lon", "alt_ft", "gs_kt", "trk_deg", "relative"}
    assert set(disclosed) <= allowed
    civ = next(t for t in tracks if t["kind"] == "civil")
    assert civ["callsign"] == "AFR123"  # civil traffic is public
    # no count of others leaks through cursors: they are opaque, not sequence numbers
    cursors = [e["cursor"] for e in streamed if e.get("type") == "event"]  # (heads carry none)
    assert all(not c.isdigit() for c in cursors) and len(set(cursors)) == len(cursors)


def test_threat_disclosure_ends_with_the_alert(hub: HubProcess) -> None:
    blue, red = hub.client("BLUE"), hub.client("RED")
    blue.post("/v1/reports", json={"reports": [ac("BLUE-01", 35.3, 38.0, 90)]})
    red.post("/v1/reports", json={"reports": [threat()]})
    deadline = time.time() + 10
    while not any(t["kind"] == "threat" for t in blue.get("/v1/tracks").json()["tracks"]):
        assert time.time() < deadline, "no threat disclosed"
        time.sleep(0.2)
    # RED turns away: the conflict disappears, the alert clears after its hold time
    red.post("/v1/reports", json={"reports": [{**threat(), "trk_deg": 90.0}]})
    deadline = time.time() + 50  # the alert clears after its 30 s hold
    while any(t["kind"] == "threat" for t in blue.get("/v1/tracks").json()["tracks"]):
        assert time.time() < deadline, "threat still disclosed after the alert ended"
        time.sleep(0.5)
    # nothing about it remains in BLUE's picture
    assert all(t["kind"] in ("own", "civil") for t in blue.get("/v1/tracks").json()["tracks"])


def test_reporting_for_another_party_is_refused_and_ids_do_not_collide(hub: HubProcess) -> None:
    blue, red = hub.client("BLUE"), hub.client("RED")
    red.post("/v1/reports", json={"reports": [secret()]})
    r = blue.post("/v1/reports", json={"reports": [{**ac("BLUE-03", 34.0, 37.0, 0), "party": "RED"}]})
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"] == "party"
    # BLUE may name an aircraft like RED's: it is BLUE's own, it neither touches nor reveals RED's
    r = blue.post("/v1/reports", json={"reports": [{**secret(), "lat": 10.0, "lon": 10.0}]})
    assert r.status_code == 202
    mine = [t for t in blue.get("/v1/tracks").json()["tracks"] if t["kind"] == "own"]
    assert [(t["lat"], t["lon"]) for t in mine] == [(10.0, 10.0)]
    reds = [t for t in red.get("/v1/tracks").json()["tracks"] if t["kind"] == "own"]
    assert [(t["lat"], t["lon"]) for t in reds] == [(33.123457, 41.987653)]


def test_audit_export_per_party_redacts_what_it_may_not_see(hub: HubProcess, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    red, blue = hub.client("RED"), hub.client("BLUE")
    red.post("/v1/reports", json={"reports": [secret()]})
    blue.post("/v1/messages", json={"to": "all", "text": "hello all"})
    out = tmp_path / "blue.json"
    now = time.time()
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "airdecon",
            "audit",
            "export",
            "--db",
            hub.db,
            "--from",
            str(now - 600),
            "--to",
            str(now + 600),
            "--party",
            "BLUE",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 0, res.stderr
    text = out.read_text()
    assert "hello all" in text
    for s in SECRET_STRINGS:
        assert s not in text
