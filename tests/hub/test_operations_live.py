"""Planned operations against a real hub on 127.0.0.1 (issue 15): notices, hazard areas, live
tracks against plans, conformance, the protocol's minima and time buffer, windows that end.

Every exchange is over real HTTP and WebSocket, as parties would talk to the hub.
"""

from __future__ import annotations

import json
import time
from typing import Any

import shapely

from tests.hub.conftest import HubProcess, ac, collect

NM_LAT = 1 / 60.0  # degrees of latitude per NM


def square(lat: float, lon: float, d: float, **kw: Any) -> dict[str, Any]:
    now = time.time()
    return {"polygon": [[lat, lon], [lat, lon + d], [lat + d, lon + d], [lat + d, lon]],
            "alt_lower_ft": kw.get("lo", 20000), "alt_upper_ft": kw.get("hi", 30000),
            "start": kw.get("start", now - 60), "end": kw.get("end", now + 3600)}  # fmt: skip


def file(client: Any, ident: str, *volumes: dict[str, Any], **fields: Any) -> Any:
    """File an operation; the hub's answer."""
    return client.post("/v1/operations", json={"id": ident, "volumes": list(volumes), **fields})


def of(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [e["data"] for e in events if e["kind"] == kind]


def poly(part: dict[str, Any]) -> shapely.Polygon:
    return shapely.Polygon([(lon, lat) for lat, lon in part["polygon"]])


def test_plans_notices_and_a_hazard_area_for_every_party(hub: HubProcess) -> None:
    blue, red, civil = hub.client("BLUE"), hub.client("RED"), hub.client("CIVIL")
    assert (
        blue.post("/v1/operations", json={"id": "B-OP", "volumes": [square(40.0, 10.0, 0.2)]}).status_code
        == 201
    )
    theirs = square(40.1, 10.25, 0.2, lo=25000, hi=35000)
    r = red.post("/v1/operations", json={"id": "R-OP", "aircraft": ["RED-9"], "purpose": "strike",
                                          "volumes": [theirs]})  # fmt: skip
    assert r.status_code == 201, r.text
    (n,) = blue.get("/v1/notices").json()["notices"]
    assert (n["operation"], n["with"]) == ("B-OP", "RED")
    part = n["parts"][0]
    # inside BLUE's own volume, and within RED's grown by 5 NM (0.2° + 5 NM east of 10.25 at 40° N)
    own = shapely.Polygon([(10.0, 40.0), (10.2, 40.0), (10.2, 40.2), (10.0, 40.2)])
    assert poly(part).within(own.buffer(1e-5))
    assert min(lon for _, lon in part["polygon"]) >= 10.25 - 5 * NM_LAT / 0.766 - 1e-3
    assert (part["alt_lower_ft"], part["alt_upper_ft"]) == (24000, 30000)
    text = json.dumps(blue.get("/v1/notices").json()) + blue.get("/v1/operations").text
    assert not [s for s in ("R-OP", "RED-9", "strike", "10.45") if s in text]
    (rn,) = red.get("/v1/notices").json()["notices"]
    assert poly(rn["parts"][0]).within(shapely.Polygon([(10.25, 40.1), (10.45, 40.1), (10.45, 40.3),
                                                         (10.25, 40.3)]).buffer(1e-5))  # fmt: skip
    # touching in space but not in time (past the 5 min buffer): no notice
    later = square(40.0, 10.0, 0.2, start=time.time() + 3600 + 301, end=time.time() + 7200)
    assert civil.post("/v1/operations", json={"id": "C-LATER", "volumes": [later]}).status_code == 201
    assert civil.get("/v1/notices").json()["notices"] == []
    # a hazard area reaches every party, with the filer's contact
    hz = {"circle": {"lat": 45.0, "lon": 12.0, "radius_nm": 5}, "alt_lower_ft": 0, "alt_upper_ft": 40000,
          "start": time.time() - 60, "end": time.time() + 3600}  # fmt: skip
    assert red.post("/v1/operations", json={"id": "HZ-1", "public": True, "volumes": [hz]}).status_code == 201
    for c in (blue, red, civil):
        hazards = [o for o in c.get("/v1/operations").json()["operations"] if o["public"]]
        assert [(o["operation"], o["party"]) for o in hazards] == [("HZ-1", "RED")]
        assert hazards[0].get("contacts", [{"name": "RED duty"}])[0]["name"] == "RED duty"
    # acknowledged like a safety notice: the filer and the acknowledging party learn it, no one else
    assert blue.post("/v1/operations/HZ-1/ack", json={"party": "RED"}).json()["acknowledged"] is True
    assert (
        blue.post("/v1/operations/HZ-1/ack", json={"party": "RED"}).status_code == 200
    )  # again: as it stands

    def hazard(c: Any) -> dict[str, Any]:
        return next(o for o in c.get("/v1/operations").json()["operations"] if o["operation"] == "HZ-1")

    assert hazard(blue)["acknowledged"] is True and hazard(civil)["acknowledged"] is False
    assert hazard(red)["acknowledged_by"] == ["BLUE"]
    assert "hazard-ack" in red.get("/v1/events").text and "hazard-ack" not in civil.get("/v1/events").text
    # a new version must be acknowledged anew
    assert (
        red.patch("/v1/operations/HZ-1", json={"volumes": [{**hz, "alt_upper_ft": 30000}]}).status_code == 200
    )
    assert hazard(blue)["acknowledged"] is False and hazard(red)["acknowledged_by"] == []
    # another party's plan that is not a hazard area is as unknown as none; one's own needs none
    assert blue.post("/v1/operations/R-OP/ack", json={"party": "RED"}).status_code == 404
    assert blue.post("/v1/operations/NOPE/ack", json={"party": "RED"}).status_code == 404
    assert red.post("/v1/operations/HZ-1/ack", json={"party": "RED"}).status_code == 422
    assert blue.post("/v1/operations/HZ-1/ack", json={"party": "RED", "x": 1}).status_code == 422


def test_an_aircraft_heading_into_an_active_volume_alerts_its_party_with_the_crossed_part_only(
    hub: HubProcess,
) -> None:
    blue, red, civil = hub.client("BLUE"), hub.client("RED"), hub.client("CIVIL")
    body = {
        "id": "R-SECRET",
        "aircraft": ["RED-9"],
        "purpose": "strike",
        "volumes": [square(40.0, 10.0, 0.5)],
    }
    assert red.post("/v1/operations", json=body).status_code == 201
    with hub.ws("BLUE") as wb, hub.ws("RED") as wr:
        blue.post("/v1/reports", json={"reports": [ac("BLUE-1", 40.25, 9.7, 90)]})
        time.sleep(2.0)  # cycles run: a planned volume raises nothing
        assert blue.get("/v1/area-alerts").json()["area_alerts"] == []
        assert red.patch("/v1/operations/R-SECRET", json={"state": "active"}).status_code == 200
        blue.post("/v1/reports", json={"reports": [ac("BLUE-1", 40.25, 9.705, 90)]})
        eb = collect(wb, lambda ev: bool(of(ev, "area-alert")))
        er = collect(wr, lambda ev: bool(of(ev, "area-alert")))
    (a,) = of(eb, "area-alert")
    assert (a["role"], a["aircraft"], a["with"], a["hazard"]) == ("aircraft", "BLUE-1", "RED", False)
    # 0.295° of longitude at 40.25° N is 13.5 NM: ~108 s at 450 kt
    assert 95 <= a["in_s"] <= 115, a
    assert "will enter an active area in" in a["text"]
    part = a["area"]
    whole = shapely.Polygon([(10.0, 40.0), (10.5, 40.0), (10.5, 40.5), (10.0, 40.5)])
    assert poly(part).within(whole.buffer(1e-5))
    assert poly(part).area < 0.5 * whole.area
    # within the 5 NM corridor of the path, a geodesic from 40.25° N bending ~0.2 NM south by the exit
    for lat, _ in part["polygon"]:
        assert 40.25 - 5.25 * NM_LAT <= lat <= 40.25 + 5.0 * NM_LAT
    assert (part["alt_lower_ft"], part["alt_upper_ft"]) == (24000, 26000)
    text = json.dumps(eb) + json.dumps(blue.get("/v1/area-alerts").json())
    for secret in ("R-SECRET", "RED-9", "strike", "40.5,", "[40.0,", "20000", "30000"):
        assert secret not in text, secret
    (o,) = of(er, "area-alert")
    assert (o["role"], o["operation"], o["party"]) == ("area", "R-SECRET", "BLUE")
    assert o["aircraft"] == f"threat:{a['area_alert_id']}"
    # where and when at the coarse precision (5 NM, 1,000 ft, 10 s): "about here"
    assert o["precision"] == "coarse" and o["enter_at"] % 10 == 0
    assert abs(o["at"]["lon"] - 10.0) < 0.12 and abs(o["at"]["lat"] - 40.25) < 0.09
    assert "BLUE-1" not in json.dumps(er) + red.get("/v1/area-alerts").text
    assert civil.get("/v1/area-alerts").json()["area_alerts"] == []
    # withdrawn, the volume raises nothing more: its alerts clear at once (not after the 5 s hold)
    with hub.ws("BLUE", after="live") as wb:
        assert red.delete("/v1/operations/R-SECRET").status_code == 200
        gone = collect(wb, lambda ev: any(e["kind"] == "cleared" for e in of(ev, "area-alert")), timeout=4)
    assert [e["aircraft"] for e in of(gone, "area-alert")] == ["BLUE-1"]
    assert blue.get("/v1/area-alerts").json()["area_alerts"] == []


def test_a_hazard_area_in_the_path_is_shown_in_full_to_any_party(hub: HubProcess) -> None:
    red, civil = hub.client("RED"), hub.client("CIVIL")
    hz = {"circle": {"lat": 41.0, "lon": 11.0, "radius_nm": 6}, "alt_lower_ft": 0, "alt_upper_ft": 40000,
          "start": time.time() - 60, "end": time.time() + 3600}  # fmt: skip
    assert (
        red.post("/v1/operations", json={"id": "RANGE-7", "public": True, "volumes": [hz]}).status_code == 201
    )
    with hub.ws("CIVIL") as wc:
        civil.post("/v1/reports", json={"reports": [ac("CIV-1", 41.0, 10.7, 90, gs=300)]})
        (a,) = of(collect(wc, lambda ev: bool(of(ev, "area-alert"))), "area-alert")
    assert (a["hazard"], a["operation"], a["with"]) == (True, "RANGE-7", "RED")
    assert a["area"]["circle"] == {"lat": 41.0, "lon": 11.0, "radius_nm": 6.0}
    assert "hazard area" in a["text"]
    mine = red.get("/v1/area-alerts").json()["area_alerts"]
    assert [(x["operation"], x["party"]) for x in mine] == [("RANGE-7", "CIVIL")]


def test_an_assigned_aircraft_leaving_its_active_volume_tells_its_own_party_only(hub: HubProcess) -> None:
    blue, red = hub.client("BLUE"), hub.client("RED")
    body = {"id": "R-OP", "state": "active", "aircraft": ["RED-9"], "volumes": [square(40.0, 10.0, 0.5)]}
    assert red.post("/v1/operations", json=body).status_code == 201
    with hub.ws("RED") as wr:
        # 0.18 NM inside the north edge at 200 kt: inside for ~3 s more as the hub flies it on
        red.post("/v1/reports", json={"reports": [ac("RED-9", 40.497, 10.25, 0, gs=200)]})
        time.sleep(1.0)  # a cycle sees it inside
        assert red.get("/v1/notices").json()["conformance"] == []
        red.post("/v1/reports", json={"reports": [ac("RED-9", 40.5005, 10.25, 0, gs=200)]})
        (c,) = of(collect(wr, lambda ev: bool(of(ev, "conformance"))), "conformance")
    assert (c["operation"], c["aircraft"], c["state"]) == ("R-OP", "RED-9", "left")
    assert [x["aircraft"] for x in red.get("/v1/notices").json()["conformance"]] == ["RED-9"]
    assert blue.get("/v1/notices").json()["conformance"] == []
    assert "conformance" not in blue.get("/v1/events").text
    assert "RED-9" not in blue.get("/v1/events").text + blue.get("/v1/notices").text


def test_notices_use_the_protocols_overrides_and_time_buffer_and_windows_end(hub_factory) -> None:  # type: ignore[no-untyped-def]
    extra = {"minima": {"altitude_bands": [{"name": "upper", "floor_ft": 19000, "horizontal_nm": 10}],
                        "plan_buffer_s": 900}}  # fmt: skip
    hub = hub_factory(extra=extra)
    blue, red = hub.client("BLUE"), hub.client("RED")
    assert (
        blue.post("/v1/operations", json={"id": "B", "volumes": [square(40.0, 10.0, 0.2)]}).status_code == 201
    )
    # 0.15° of longitude at 40° N: ~6.9 NM apart — beyond the default 5 NM, within the band's 10 NM
    r = red.post("/v1/operations", json={"id": "R", "volumes": [square(40.0, 10.35, 0.2)]})
    assert [n["with"] for n in r.json()["notices"]] == ["BLUE"]
    (n,) = blue.get("/v1/notices").json()["notices"]
    assert n["minima"] == {"horizontal_nm": 10.0, "vertical_ft": 1000.0, "buffer_s": 900.0}
    # low down the default holds: the same gap gives no notice
    assert file(blue, "B-LOW", square(42.0, 10.0, 0.2, lo=0, hi=5000)).status_code == 201
    assert file(red, "R-LOW", square(42.0, 10.35, 0.2, lo=0, hi=5000)).json()["notices"] == []
    # 10 minutes apart in time, same place: within the protocol's 15 min buffer
    now = time.time()
    a = square(44.0, 10.0, 0.2, lo=0, hi=5000, start=now + 3600, end=now + 7200)
    b = square(44.0, 10.0, 0.2, lo=0, hi=5000, start=now + 7800, end=now + 9000)
    assert blue.post("/v1/operations", json={"id": "B-T", "volumes": [a]}).status_code == 201
    assert [n["with"] for n in file(red, "R-T", b).json()["notices"]] == ["BLUE"]
    # a window that passes ends the operation by itself, and clears its notices
    short = square(46.0, 10.0, 0.2, start=now - 60, end=now + 2)
    assert blue.post("/v1/operations", json={"id": "B-SHORT", "volumes": [short]}).status_code == 201
    with hub.ws("BLUE") as wb:
        ended = collect(
            wb, lambda ev: any(e.get("change") == "ended" for e in of(ev, "operation")), timeout=20
        )
    assert [e["operation"] for e in of(ended, "operation") if e.get("change") == "ended"] == ["B-SHORT"]
    states = {o["operation"]: o["state"] for o in blue.get("/v1/operations").json()["operations"]}
    assert states["B-SHORT"] == "ended" and states["B"] == "planned"


def test_the_plan_command_files_lists_and_withdraws_against_a_hub(
    hub: HubProcess, tmp_path: Any, capsys: Any
) -> None:
    from airdecon.cli import main

    now = time.time()
    (tmp_path / "red.json").write_text(json.dumps({"id": "R-OP", "volumes": [square(40.0, 10.0, 0.2)]}))
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"""operations:
  - id: B-OP
    volumes:
      - polygon: [[40.05, 10.05], [40.05, 10.25], [40.25, 10.25], [40.25, 10.05]]
        alt_lower_ft: 20000
        alt_upper_ft: 30000
        start: {now - 60}
        end: {now + 3600}
  - id: B-RANGE
    public: true
    volumes:
      - circle: {{lat: 45.0, lon: 12.0, radius_nm: 5}}
        alt_lower_ft: 0
        alt_upper_ft: 10000
        start: "2027-01-15T09:00:00Z"
        end: "2027-01-15T11:00:00Z"
""")
    base = ["--hub", hub.base, "--party", "BLUE", "--token", hub.tokens["BLUE"]]
    red = ["--hub", hub.base, "--party", "RED", "--token", hub.tokens["RED"]]
    assert main(["plan", "file", str(tmp_path / "red.json"), *red]) == 0
    assert main(["plan", "file", str(plan), *base]) == 0
    out = capsys.readouterr().out
    assert "filed operation B-OP (version 1, planned, 1 volume)" in out
    assert "NOTICE N-" in out and "RED's plan" in out
    assert "filed hazard area B-RANGE" in out
    assert main(["plan", "list", *base]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "B-OP" in out and "B-RANGE" in out and "R-OP" not in out
    assert main(["plan", "withdraw", "B-OP", *base]) == 0
    assert "B-OP: withdrawn (version 2)" in capsys.readouterr().out
    assert hub.client("RED").get("/v1/notices").json()["notices"] == []
    # a refusal is the hub's answer, in one line, exit status 1
    (tmp_path / "bad.json").write_text(
        json.dumps({"id": "X", "volumes": [square(40, 10, 0.2, end=now - 3600)]})
    )
    assert main(["plan", "file", str(tmp_path / "bad.json"), *base]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "X: 422 invalid_operation: volumes[0].end: must be after start" in err
    assert main(["plan", "withdraw", "R-OP", *base]) == 1  # another party's: not found
    assert "404" in capsys.readouterr().err
