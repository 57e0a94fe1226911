"""Operations and hazard areas over the API, on the in-process hub (``tests/hub/harness.py``)."""

from __future__ import annotations

import json
from typing import Any

from tests.hub.harness import PARTIES, T0, World, world

NAMES = [p for p, _, _ in PARTIES]


def square(lat: float, lon: float, d: float, **kw: Any) -> dict[str, Any]:
    return {"polygon": [[lat, lon], [lat, lon + d], [lat + d, lon + d], [lat + d, lon]],
            "alt_lower_ft": kw.get("lo", 20000), "alt_upper_ft": kw.get("hi", 30000),
            "start": kw.get("start", T0), "end": kw.get("end", T0 + 3600)}  # fmt: skip


def patch(w: World, party: str, path: str, body: Any) -> Any:
    return w.client.patch(path, headers=w.headers(party), json=body)


def delete(w: World, party: str, path: str) -> Any:
    return w.client.delete(path, headers=w.headers(party))


def stream(w: World, party: str) -> list[dict[str, Any]]:
    out = []
    with w.client.websocket_connect(f"/v1/stream?after=&token={w.tokens[party]}") as ws:
        while (msg := ws.receive_json()).get("type") != "live":
            out.append(msg)
    return out


def test_filing_is_told_to_the_filer_only() -> None:
    with world() as w:
        r = w.post("BLUE", "/v1/operations", {"id": "OPSECRET", "aircraft": ["BLUE-1"], "purpose": "recce",
                                                "volumes": [square(40.0, 10.0, 0.2)]})  # fmt: skip
        assert r.status_code == 201, r.text
        assert r.json()["operation"]["version"] == 1
        assert [o["operation"] for o in w.get("BLUE", "/v1/operations").json()["operations"]] == ["OPSECRET"]
        mine = [e for e in stream(w, "BLUE") if e["kind"] == "operation"]
        assert mine and mine[0]["data"]["aircraft"] == ["BLUE-1"]
        for other in ("RED", "GREEN", "CIVIL"):
            assert w.get(other, "/v1/operations").json()["operations"] == []
            assert "OPSECRET" not in json.dumps(stream(w, other))


def test_two_plans_within_the_minima_give_each_party_its_own_clipped_part() -> None:
    with world() as w:
        w.post("BLUE", "/v1/operations", {"id": "B-OP", "volumes": [square(40.0, 10.0, 0.2)]})
        theirs = square(40.1, 10.25, 0.2, lo=25000, hi=35000)
        body = {"id": "R-OP", "aircraft": ["RED-9"], "purpose": "strike", "volumes": [theirs]}
        r = w.post("RED", "/v1/operations", body)
        assert r.status_code == 201, r.text
        assert [n["with"] for n in r.json()["notices"]] == ["BLUE"]
        blue = w.get("BLUE", "/v1/notices").json()["notices"]
        assert len(blue) == 1
        n = blue[0]
        assert (n["operation"], n["with"], n["state"]) == ("B-OP", "RED", "open")
        part = n["parts"][0]
        assert (part["alt_lower_ft"], part["alt_upper_ft"]) == (24000, 30000)
        assert all(10.0 <= lon <= 10.2 + 1e-9 and 40.0 <= lat <= 40.2 + 1e-9 for lat, lon in part["polygon"])
        text = json.dumps(blue) + json.dumps(stream(w, "BLUE")) + w.get("BLUE", "/v1/operations").text
        for secret in ("R-OP", "RED-9", "strike", "10.45", "40.3,"):
            assert secret not in text
        red = w.get("RED", "/v1/notices").json()["notices"]
        assert [(x["operation"], x["with"]) for x in red] == [("R-OP", "BLUE")]
        assert w.get("GREEN", "/v1/notices").json()["notices"] == []
        assert any(e["kind"] == "notice" for e in stream(w, "BLUE"))


def test_plans_that_touch_in_space_but_not_in_time_give_no_notice() -> None:
    with world() as w:
        w.post("BLUE", "/v1/operations", {"id": "A", "volumes": [square(40.0, 10.0, 0.2)]})
        later = square(40.0, 10.0, 0.2, start=T0 + 3600 + 301, end=T0 + 7200)
        assert w.post("RED", "/v1/operations", {"id": "B", "volumes": [later]}).status_code == 201
        for party in NAMES:
            assert w.get(party, "/v1/notices").json()["notices"] == []


def test_an_amendment_that_clears_the_conflict_closes_the_notice_for_both() -> None:
    with world() as w:
        w.post("BLUE", "/v1/operations", {"id": "A", "volumes": [square(40.0, 10.0, 0.2)]})
        w.post("RED", "/v1/operations", {"id": "B", "volumes": [square(40.0, 10.0, 0.2)]})
        assert len(w.get("BLUE", "/v1/notices").json()["notices"]) == 1
        r = patch(w, "RED", "/v1/operations/B", {"volumes": [square(40.0, 10.0, 0.2, lo=31000, hi=35000)]})
        assert r.status_code == 200, r.text
        assert r.json()["operation"]["version"] == 2
        for party in ("BLUE", "RED"):
            assert w.get(party, "/v1/notices").json()["notices"] == []
            notices = [e["data"] for e in stream(w, party) if e["kind"] == "notice"]
            assert [n["state"] for n in notices] == ["open", "cleared"]
        versions = [e["data"]["version"] for e in stream(w, "RED") if e["kind"] == "operation"]
        assert versions == [1, 2]  # the previous version stays in the record


def test_withdrawing_clears_the_notices_and_is_idempotent() -> None:
    with world() as w:
        w.post("BLUE", "/v1/operations", {"id": "A", "volumes": [square(40.0, 10.0, 0.2)]})
        w.post("RED", "/v1/operations", {"id": "B", "volumes": [square(40.0, 10.0, 0.2)]})
        assert delete(w, "RED", "/v1/operations/B").json()["operation"]["state"] == "withdrawn"
        assert delete(w, "RED", "/v1/operations/B").status_code == 200
        assert w.get("BLUE", "/v1/notices").json()["notices"] == []
        assert patch(w, "RED", "/v1/operations/B", {"state": "active"}).status_code == 422


def test_a_hazard_area_reaches_every_party_with_the_filers_contact() -> None:
    with world() as w:
        r = w.post("RED", "/v1/operations", {"id": "HZ-1", "public": True, "purpose": "live firing",
                                              "volumes": [{"circle": {"lat": 41, "lon": 11, "radius_nm": 10},
                                                           "alt_lower_ft": 0, "alt_upper_ft": 40000,
                                                           "start": T0, "end": T0 + 7200}]})  # fmt: skip
        assert r.status_code == 201, r.text
        for party in NAMES:
            ops = w.get(party, "/v1/operations").json()["operations"]
            assert [o["operation"] for o in ops] == ["HZ-1"], party
            assert ops[0]["party"] == "RED"
            if party != "RED":
                assert ops[0]["contacts"] == [{"name": "RED duty", "phone": "+0 000 0000"}]
            events = [e for e in stream(w, party) if e["kind"] == "operation"]
            assert events and events[0]["data"]["contacts"][0]["name"] == "RED duty"


def test_validation_errors_name_the_field() -> None:
    with world() as w:
        r = w.post("BLUE", "/v1/operations", {"id": "A", "volumes": [square(40, 10, 0.2)], "secret": 1})
        assert r.status_code == 422
        assert r.json()["error"]["code"] == "invalid_operation"
        assert r.json()["error"]["details"]["field"] == "secret"
        bad = square(40, 10, 0.2, start=T0 + 10, end=T0)
        r = w.post("BLUE", "/v1/operations", {"id": "A", "volumes": [bad]})
        assert (r.status_code, r.json()["error"]["details"]["field"]) == (422, "volumes[0].end")
        w.post("BLUE", "/v1/operations", {"id": "A", "volumes": [square(40, 10, 0.2)]})
        assert (
            w.post("BLUE", "/v1/operations", {"id": "A", "volumes": [square(40, 10, 0.2)]}).status_code == 409
        )
        assert patch(w, "BLUE", "/v1/operations/A", {"public": True}).status_code == 422
        # another party's id, like an unknown one: not found, its existence not disclosed
        assert patch(w, "RED", "/v1/operations/A", {"state": "ended"}).status_code == 404
        assert delete(w, "RED", "/v1/operations/A").status_code == 404


def test_the_quota_of_live_operations() -> None:
    from airdecon.hub._operations import MAX_LIVE

    with world() as w:
        for k in range(MAX_LIVE):
            far = square(-30.0 + k * 0.5, 150.0, 0.1)
            assert w.post("GREEN", "/v1/operations", {"id": f"G{k}", "volumes": [far]}).status_code == 201
        r = w.post("GREEN", "/v1/operations", {"id": "ONE-MORE", "volumes": [square(0, 0, 0.1)]})
        assert r.status_code == 429
        assert r.json()["error"]["code"] == "quota_exceeded"
        assert patch(w, "GREEN", "/v1/operations/G0", {"state": "ended"}).status_code == 200
        assert (
            w.post("GREEN", "/v1/operations", {"id": "ONE-MORE", "volumes": [square(0, 0, 0.1)]}).status_code
            == 201
        )


def test_operations_and_notices_survive_a_restart_of_the_service() -> None:
    from airdecon.hub._operations import Operations

    with world() as w:
        w.post("BLUE", "/v1/operations", {"id": "A", "volumes": [square(40.0, 10.0, 0.2)]})
        w.post("RED", "/v1/operations", {"id": "B", "volumes": [square(40.0, 10.0, 0.2)]})
        before = w.get("BLUE", "/v1/notices").json()
        head = w.hub.store.head().seq
        again = Operations(w.hub.context, w.hub.record)
        assert again.notices_for("BLUE") == before["notices"]
        assert [o["operation"] for o in again.listed("RED")] == ["B"]
        assert w.hub.store.head().seq == head  # nothing changed, nothing re-recorded


def test_amendments_as_fast_as_allowed_rebuild_the_area_index_at_most_once_a_second() -> None:
    from airdecon.hub._operations import REINDEX_S

    with world() as w:
        body = {"id": "A", "state": "active", "volumes": [square(40.0, 10.0, 0.2)]}
        assert w.post("RED", "/v1/operations", body).status_code == 201
        w.cycle(advise=False)
        built = w.hub.operations.area_index()
        for k in range(20):  # a flood of amendments within one second of the hub's time
            assert (
                patch(
                    w, "RED", "/v1/operations/A", {"volumes": [square(40.0, 10.0 + k / 100, 0.2)]}
                ).status_code
                == 200
            )
            w.cycle(advise=False)
            assert w.hub.operations.area_index() is built
        w.clock.advance(REINDEX_S)
        w.cycle(advise=False)
        fresh = w.hub.operations.area_index()
        assert fresh is not built and fresh.volumes[0].volume.polygon[0] == (40.0, 10.19)
