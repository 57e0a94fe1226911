"""``GET /v1/distress``: the open distress cases, as every party's console loads them at start."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.hub.conftest import HubProcess, ac, collect, start_hub

PARTIES = ("BLUE", "RED", "CIVIL")


def open_cases(hub: HubProcess, party: str) -> dict[str, dict[str, Any]]:
    r = hub.client(party).get("/v1/distress")
    assert r.status_code == 200, r.text
    return {c["id"]: c for c in r.json()["distress"]}


def test_open_distress_is_listed_for_every_party_until_closed(hub: HubProcess) -> None:
    blue, red = hub.client("BLUE"), hub.client("RED")
    quiet = ac("RED-QUIET-5", 33.123457, 41.987653, 45, alt=31234, callsign="VIPER77")
    red.post("/v1/reports", json={"reports": [ac("RED-04", 35.5, 40.3, 200, squawk="7700"), quiet]})
    blue.post("/v1/reports", json={"reports": [ac("BLUE-09", 34.0, 37.0, 10)]})
    r = blue.post("/v1/distress", json={"id": "BLUE-09", "reason": "MAYDAY engine fire"})
    assert r.status_code == 201, r.text
    for party in PARTIES:
        cases = open_cases(hub, party)
        assert sorted(cases) == ["BLUE-09", "RED-04"], party
        squawk, mayday = cases["RED-04"], cases["BLUE-09"]
        assert squawk["party"] == "RED" and "7700" in squawk["reason"] and squawk["stage"] == "raised"
        assert mayday["party"] == "BLUE" and mayday["reason"] == "MAYDAY engine fire"
        assert squawk["position"]["alt_ft"] == pytest.approx(25000, abs=200)
        assert mayday["frequencies_mhz"] == [121.5, 243.0]
        # the party in distress knows it; every other party is awaited
        assert squawk["acknowledged_by"] == ["RED"] and sorted(squawk["awaiting"]) == ["BLUE", "CIVIL"]
        assert mayday["acknowledged_by"] == ["BLUE"] and sorted(mayday["awaiting"]) == ["CIVIL", "RED"]
    # the same fields as the broadcasts, through the same need-to-know function
    broadcast = next(
        e["data"]
        for e in hub.client("CIVIL").get("/v1/events").json()["events"]
        if e["kind"] == "distress" and e["data"]["id"] == "RED-04"
    )
    listed = open_cases(hub, "CIVIL")["RED-04"]
    assert set(listed) == set(broadcast)
    assert {k: v for k, v in listed.items() if k != "position"} == {
        k: v for k, v in broadcast.items() if k != "position"
    }
    # an acknowledgement shrinks the awaited parties, for everyone
    did = squawk["distress_id"]
    assert blue.post("/v1/acks", json={"distress_id": did}).status_code == 200
    for party in PARTIES:
        case = open_cases(hub, party)["RED-04"]
        assert case["awaiting"] == ["CIVIL"] and case["acknowledged_by"] == ["BLUE", "RED"]
    # closed: gone from every party's list, the other case stays
    assert red.post(f"/v1/distress/{did}/close").status_code == 200
    for party in PARTIES:
        assert sorted(open_cases(hub, party)) == ["BLUE-09"]
    # RED's aircraft not in distress never shows through it, not even while RED-04 was listed
    for text in ("RED-QUIET-5", "VIPER77", "33.123457", "41.987653", "31234"):
        assert text not in blue.get("/v1/distress").text


def test_the_cursor_given_with_the_cases_resumes_the_stream_without_a_gap(hub: HubProcess) -> None:
    red, civil = hub.client("RED"), hub.client("CIVIL")
    red.post("/v1/reports", json={"reports": [ac("RED-04", 35.5, 40.3, 200)]})
    did = red.post("/v1/distress", json={"id": "RED-04"}).json()["distress_id"]
    listed = hub.client("BLUE").get("/v1/distress").json()
    assert [c["distress_id"] for c in listed["distress"]] == [did]
    assert civil.post("/v1/acks", json={"distress_id": did}).status_code == 200
    with hub.ws("BLUE", after=listed["cursor"]) as w:
        got = collect(w, lambda ev: any(e["kind"] == "ack" for e in ev))
    # what the list already showed is not replayed; what came after it is there
    (ack,) = [e for e in got if e["kind"] in ("distress", "ack")]
    assert ack["kind"] == "ack" and ack["data"]["by"] == "CIVIL"


def test_the_stage_follows_resends_and_escalation(hub_factory) -> None:  # type: ignore[no-untyped-def]
    hub = hub_factory(ack_s=1.0, escalate_s=3.0)
    hub.client("RED").post("/v1/reports", json={"reports": [ac("RED-04", 35.5, 40.3, 200, squawk="7700")]})
    seen = []
    deadline = time.time() + 20
    while not seen or seen[-1] != "escalated":
        assert time.time() < deadline, f"stages seen: {seen}"
        stage = open_cases(hub, "BLUE")["RED-04"]["stage"]
        if not seen or seen[-1] != stage:
            seen.append(stage)
        time.sleep(0.2)
    # (the first look may come after the first re-send on a busy machine)
    assert seen in (["raised", "resent", "escalated"], ["resent", "escalated"]), seen


def test_the_route_is_documented(hub: HubProcess) -> None:
    spec = hub.client(None).get("/openapi.json").json()
    get = spec["paths"]["/v1/distress"]["get"]
    assert get["tags"] == ["distress"]
    schema = get["responses"]["200"]["content"]["application/json"]["schema"]
    item = schema["properties"]["distress"]["items"]
    assert {"distress_id", "stage", "position", "frequencies_mhz", "awaiting"} <= set(item["properties"])
    assert hub.client(None).get("/v1/distress").status_code == 401


def test_a_restart_keeps_the_stage_and_does_not_escalate_again(hub_factory, tmp_path) -> None:  # type: ignore[no-untyped-def]
    hub = hub_factory(ack_s=1.0, escalate_s=2.0)
    hub.client("RED").post("/v1/reports", json={"reports": [ac("RED-04", 35.5, 40.3, 200, squawk="7700")]})
    deadline = time.time() + 20
    while open_cases(hub, "BLUE")["RED-04"]["stage"] != "escalated":
        assert time.time() < deadline
        time.sleep(0.2)
    hub.proc.terminate()
    hub.proc.wait(timeout=20)
    again = start_hub(tmp_path, hub.db, hub.protocol, hub.tokens, hub.keys)
    try:
        assert open_cases(again, "BLUE")["RED-04"]["stage"] == "escalated"
        time.sleep(3.0)  # several re-send periods: re-sends go on, a second escalation must not come
        stages = [
            e["data"]["stage"]
            for e in again.client("BLUE").get("/v1/events", params={"limit": 1000}).json()["events"]
            if e["kind"] == "distress"
        ]
        assert stages.count("escalated") == 1 and "resent" in stages[stages.index("escalated") :], stages
    finally:
        again.proc.terminate()
        again.proc.wait(timeout=10)
