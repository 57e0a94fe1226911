"""Area alerts and conformance notices across a hub restart (issue 15), on a real hub and SQLite.

An area alert open before the restart is the same alert after it (same pseudonym, not raised
again), one that no longer holds is cleared under its own id, and an aircraft out of its
operation is still out, told once, and told when it is back.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.hub.conftest import HubProcess, ac, collect, start_hub

EAST_DEG_S = 450 * 1852 / 3600 / (111_320 * 0.7634)  # 450 kt east at 40.25° N, degrees of longitude a second


def square(lat: float, lon: float, d: float, lo: float = 20000) -> dict[str, Any]:
    now = time.time()
    return {"polygon": [[lat, lon], [lat, lon + d], [lat + d, lon + d], [lat + d, lon]],
            "alt_lower_ft": lo, "alt_upper_ft": 30000, "start": now - 60, "end": now + 3600}  # fmt: skip


def of(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [e["data"] for e in events if e["kind"] == kind]


def record(hub: HubProcess, party: str, kind: str) -> list[dict[str, Any]]:
    """Every event of *kind* the record holds for *party*, in order."""
    out: list[dict[str, Any]] = []
    after: str | None = None
    for _ in range(50):
        params = {"limit": 1000, **({"after": after} if after else {})}
        page = hub.client(party).get("/v1/events", params=params).json()["events"]
        out += [e["data"] for e in page if e["kind"] == kind]
        if len(page) < 1000:
            return out
        after = page[-1]["cursor"]
    raise AssertionError("the record did not end")


def alerts(hub: HubProcess, party: str) -> dict[str, str]:
    """*party*'s current area alerts: aircraft (or the owner's pseudonym) -> alert id."""
    return {
        a["aircraft"]: a["area_alert_id"]
        for a in hub.client(party).get("/v1/area-alerts").json()["area_alerts"]
    }


def test_area_alerts_and_conformance_are_the_same_after_a_restart(hub_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    hub = hub_factory()
    blue, red = hub.client("BLUE"), hub.client("RED")
    body = {
        "id": "R-OP",
        "state": "active",
        "aircraft": ["RED-9", "RED-8"],
        "volumes": [square(40.0, 10.0, 0.5)],
    }
    assert red.post("/v1/operations", json=body).status_code == 201
    # a hazard area of RED's own, its second volume in the path of RED's own RED-5
    far = {**square(50.0, 20.0, 0.1), "alt_lower_ft": 0}
    hazard = {"id": "HZ", "public": True, "volumes": [far, square(40.0, 11.0, 0.5, lo=0)]}
    assert red.post("/v1/operations", json=hazard).status_code == 201
    t0 = time.time()
    with hub.ws("BLUE") as wb, hub.ws("RED") as wr:
        blue.post(
            "/v1/reports", json={"reports": [ac("BLUE-1", 40.25, 9.7, 90), ac("BLUE-2", 40.35, 9.7, 90)]}
        )
        # RED-9 0.18 NM inside the north edge, then out of it
        red.post(
            "/v1/reports",
            json={"reports": [ac("RED-9", 40.497, 10.25, 0, gs=200), ac("RED-5", 40.25, 10.7, 90)]},
        )
        collect(wb, lambda ev: len(of(ev, "area-alert")) >= 2)
        # RED-5's alert comes of the cycle that took RED-9's report with it: RED-9 was seen inside
        collect(wr, lambda ev: any(a.get("aircraft") == "RED-5" for a in of(ev, "area-alert")))
        red.post("/v1/reports", json={"reports": [ac("RED-9", 40.5005, 10.25, 0, gs=200)]})
        collect(wr, lambda ev: bool(of(ev, "conformance")))
    before = alerts(hub, "BLUE")
    assert set(before) == {"BLUE-1", "BLUE-2"}
    theirs = alerts(hub, "RED")
    assert len(theirs) == 3 and set(before.values()) < set(theirs.values()) and "RED-5" in theirs
    (left,) = red.get("/v1/notices").json()["conformance"]
    assert (left["aircraft"], left["state"]) == ("RED-9", "left")
    # RED-8's last report, 5 s old, has it 11 m inside the north edge at 100 kt: flown on, it is out
    # before any cycle sees it in, so nothing is told; it left while the hub was down, in effect
    t8 = time.time() - 5.0
    r = red.post("/v1/reports", json={"reports": [{**ac("RED-8", 40.4999, 10.3, 0, gs=100), "t": t8}]})
    assert r.json()["accepted"] == 1, r.text

    hub.proc.terminate()
    hub.proc.wait(timeout=20)
    again = start_hub(tmp_path, hub.db, hub.protocol, hub.tokens, hub.keys)
    try:
        # at once, before any report: the same alerts under the same pseudonyms, the same notice
        assert alerts(again, "BLUE") == before
        assert alerts(again, "RED") == theirs
        assert left in again.client("RED").get("/v1/notices").json()["conformance"]
        blue, red = again.client("BLUE"), again.client("RED")
        with again.ws("BLUE", after="live") as wb, again.ws("RED", after="live") as wr:
            # BLUE-1 flies on into R-OP, BLUE-2 turned away while the hub was down, RED-9 is still out
            on = (time.time() - t0) * EAST_DEG_S  # where 450 kt east has taken BLUE-1 and RED-5 since
            r = blue.post("/v1/reports", json={"reports": [ac("BLUE-1", 40.25, 9.7 + on, 90),
                                                           ac("BLUE-2", 40.35, 9.7 + on, 270)]})  # fmt: skip
            assert r.json()["accepted"] == 2, r.text
            north = (time.time() - t8) * 100 * 1852 / 3600 / 111_050  # RED-8 flown on, degrees
            reports = [ac("RED-9", 40.5006, 10.25, 0, gs=200), ac("RED-5", 40.25, 10.7 + on, 90),
                       ac("RED-8", 40.4999 + north, 10.3, 0, gs=100)]  # fmt: skip
            r = red.post("/v1/reports", json={"reports": reports})
            assert r.json()["accepted"] == 3, r.text
            got = collect(
                wb, lambda ev: any(a["kind"] == "cleared" for a in of(ev, "area-alert")), timeout=20
            )
            assert [(a["aircraft"], a["area_alert_id"], a["kind"]) for a in of(got, "area-alert")] == [
                ("BLUE-2", before["BLUE-2"], "cleared")
            ]
            assert alerts(again, "BLUE") == {"BLUE-1": before["BLUE-1"]}
            # back inside: told, once
            red.post("/v1/reports", json={"reports": [ac("RED-9", 40.45, 10.25, 0, gs=200)]})
            back = collect(wr, lambda ev: any(c["state"] == "back" for c in of(ev, "conformance")))
        assert [c["state"] for c in of(back, "conformance") if c["aircraft"] == "RED-9"] == ["back"]
        assert of(back, "area-alert") == [
            {"area_alert_id": before["BLUE-2"], "kind": "cleared", "role": "area", "state": "cleared",
             "operation": "R-OP", "volume": 0, "party": "BLUE"}
        ]  # fmt: skip
        # the record: each alert raised once, under one id; one notice that RED-9 left, one that it is back
        mine = record(again, "BLUE", "area-alert")
        assert sorted((a["aircraft"], a["kind"]) for a in mine) == [
            ("BLUE-1", "raised"), ("BLUE-2", "cleared"), ("BLUE-2", "raised")
        ]  # fmt: skip
        assert {a["aircraft"]: a["area_alert_id"] for a in mine} == before
        theirs_after = record(again, "RED", "area-alert")
        assert {a["area_alert_id"] for a in theirs_after} == set(theirs.values())
        assert [a["kind"] for a in theirs_after if a.get("aircraft") == "RED-5"] == ["raised"]
        assert alerts(again, "RED")["RED-5"] == theirs["RED-5"]
        # RED-9 left, told once; RED-8 told it left after the restart; RED-9 back
        told = [(c["aircraft"], c["state"]) for c in record(again, "RED", "conformance")]
        assert told == [("RED-9", "left"), ("RED-8", "left"), ("RED-9", "back")]
        assert [c["aircraft"] for c in again.client("RED").get("/v1/notices").json()["conformance"]] == [
            "RED-8"
        ]
    finally:
        again.proc.terminate()
        again.proc.wait(timeout=10)
