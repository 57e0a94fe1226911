"""A notice answered on the line (issue 15): a ``request`` linked to the sender's notice, against a
real hub on 127.0.0.1.

The sender names its own notice; the recipient's copy is linked to the recipient's own notices
from the same conflict, never to the sender's notice id or operation (a notice id is a hash of
guessable operation ids: shown to the other party it could be brute-forced). A notice that is not
the sender's own, open and against the recipient is refused, and nothing is stored.
"""

from __future__ import annotations

import json
import time
from typing import Any

from airdecon.store import open_store
from tests.hub.conftest import HubProcess, collect, start_hub
from tests.hub.test_operations_live import file, square


def notices(hub: HubProcess, party: str) -> dict[str, str]:
    """*party*'s open notices: ``{operation: notice id}``."""
    return {n["operation"]: n["notice_id"] for n in hub.client(party).get("/v1/notices").json()["notices"]}


def line(hub: HubProcess, party: str) -> list[dict[str, Any]]:
    """*party*'s line messages, as ``GET /v1/messages`` gives them."""
    events = hub.client(party).get("/v1/messages").json()["messages"]
    return [e["data"] for e in events if e["kind"] == "message"]


def stored_messages(hub: HubProcess) -> list[tuple[str, list[str], dict[str, Any]]]:
    """Every line message in the record, read from the store: (origin, audience, payload)."""
    store = open_store(hub.db)
    try:
        events = store.events_after(0, kinds=("message",), limit=1000)
    finally:
        store.close()
    return [(e.origin, sorted(e.audience), e.payload) for e in events]  # type: ignore[arg-type,misc]


def everything(hub: HubProcess, party: str) -> str:
    """Every byte *party* can read back of the line and its plans."""
    c, now = hub.client(party), time.time()
    paths = [("/v1/messages", {}), ("/v1/events", {}), ("/v1/notices", {}), ("/v1/operations", {}),
             ("/v1/record", {"from": now - 3600, "to": now + 60})]  # fmt: skip
    return "\n".join(c.get(p, params=q).text for p, q in paths)


def plans(hub: HubProcess) -> None:
    """BLUE: B-NEAR (conflicts with RED's R-ONE) and B-FAR (with R-TWO only); RED: R-ONE, R-TWO."""
    blue, red = hub.client("BLUE"), hub.client("RED")
    assert file(blue, "B-NEAR", square(40.0, 10.0, 0.2)).status_code == 201
    assert file(blue, "B-FAR", square(44.0, 14.0, 0.2)).status_code == 201
    assert file(red, "R-ONE", square(40.1, 10.1, 0.2)).status_code == 201
    assert file(red, "R-TWO", square(44.1, 14.1, 0.2)).status_code == 201


def test_a_request_about_a_notice_reaches_the_other_party_linked_to_its_own_notices(hub: HubProcess) -> None:
    plans(hub)
    red, blue = notices(hub, "RED"), notices(hub, "BLUE")
    assert set(red) == {"R-ONE", "R-TWO"} and set(blue) == {"B-NEAR", "B-FAR"}
    with hub.ws("RED", after="live") as red_console:
        body = {"to": "BLUE", "kind": "request", "text": "Can you move your block north?",
                "fields": {"notice_id": red["R-ONE"], "ask": "amend"}}  # fmt: skip
        r = hub.client("RED").post("/v1/messages", json=body)
        assert r.status_code == 201, r.text
        mid = r.json()["message_id"]
        # the recipient's copy: its own notice of the same conflict, B-NEAR's, and not B-FAR's
        (got,) = [m for m in line(hub, "BLUE") if m["message_id"] == mid]
        assert (got["from"], got["to"], got["kind"], got["text"]) == ("RED", "BLUE", "request", body["text"])
        assert got["fields"] == {"notices": [{"notice_id": blue["B-NEAR"], "operation": "B-NEAR"}],
                                 "ask": "amend"}  # fmt: skip
        assert got["read_by_me"] is False
        # the sender's copy: its own notice and operation
        (mine,) = [m for m in line(hub, "RED") if m["message_id"] == mid]
        assert mine["fields"] == {"notice_id": red["R-ONE"], "operation": "R-ONE", "ask": "amend"}
        # listing it delivered it; BLUE reads it and replies like to any message
        assert hub.client("BLUE").post(f"/v1/messages/{mid}/read").status_code == 200
        reply = {"to": "RED", "kind": "reply", "text": "Moving north by 0900Z.", "in_reply_to": mid}
        assert hub.client("BLUE").post("/v1/messages", json=reply).status_code == 201
        seen = collect(red_console, lambda ev: any(e["kind"] == "message" and e["data"]["kind"] == "reply"
                                                   for e in ev))  # fmt: skip
    statuses = [(e["data"]["status"], e["data"]["by"]) for e in seen if e["kind"] == "receipt"]
    assert ("delivered", "BLUE") in statuses and ("read", "BLUE") in statuses
    (answer,) = [m for m in line(hub, "RED") if m["kind"] == "reply"]
    assert answer["in_reply_to"] == mid
    (mine,) = [m for m in line(hub, "RED") if m["message_id"] == mid]
    assert mine["read_by"] == ["BLUE"]
    # nothing BLUE can read names RED's notices or operations; CIVIL learns nothing of it
    text = everything(hub, "BLUE")
    for secret in (red["R-ONE"], red["R-TWO"], "R-ONE", "R-TWO"):
        assert secret not in text, secret
    civil = everything(hub, "CIVIL")
    assert mid not in civil and blue["B-NEAR"] not in civil and red["R-ONE"] not in civil
    # everything is in the record: RED's own act under its name, BLUE's copy recorded by the hub
    copies = [(o, a, p["fields"]) for o, a, p in stored_messages(hub) if p["message_id"] == mid]
    assert copies == [("RED", ["RED"], mine["fields"]), ("HUB", ["BLUE"], got["fields"])]
    assert hub.client("BLUE").get("/v1/audit/verify").json()["ok"] in (True, None)


def test_a_request_about_a_notice_that_is_not_yours_open_and_against_them_is_refused(
    hub: HubProcess,
) -> None:
    plans(hub)
    red, blue = notices(hub, "RED"), notices(hub, "BLUE")
    civil = hub.client("CIVIL")
    assert file(civil, "C-ONE", square(40.15, 10.15, 0.1, lo=28000, hi=40000)).status_code == 201
    red = notices(hub, "RED")  # R-ONE has a notice against CIVIL now too
    (red_vs_civil,) = [n["notice_id"] for n in hub.client("RED").get("/v1/notices").json()["notices"]
                       if n["with"] == "CIVIL"]  # fmt: skip
    # a notice RED had, cleared: R-TWO amended away from B-FAR
    cleared = red["R-TWO"]
    r = hub.client("RED").patch("/v1/operations/R-TWO", json={"volumes": [square(30.0, 5.0, 0.2)]})
    assert r.status_code == 200, r.text
    assert "R-TWO" not in notices(hub, "RED")
    before = stored_messages(hub)

    def ask(fields: dict[str, Any], to: str = "BLUE", kind: str = "request") -> Any:
        return hub.client("RED").post("/v1/messages", json={"to": to, "kind": kind, "text": "move?",
                                                             "fields": fields})  # fmt: skip

    # another party's notice, a made-up one, a cleared one: the one answer, so none can be probed
    answers = [ask({"notice_id": n}) for n in (blue["B-NEAR"], "N-000000000000", cleared)]
    for n, a in zip((blue["B-NEAR"], "N-000000000000", cleared), answers, strict=True):
        assert a.status_code == 404, a.text
        assert a.json()["error"]["code"] == "not_found"
        assert a.json()["error"]["message"] == f"no such open notice of yours: {n!r}"
    # a notice against a third party (CIVIL), sent to BLUE: its reader knows whom it is against
    a = ask({"notice_id": red_vs_civil})
    assert a.status_code == 422 and "against CIVIL" in a.json()["error"]["message"], a.text
    # malformed: to all, another kind, an unknown ask, an extra field, a non-string id
    for bad in (ask({"notice_id": red["R-ONE"]}, to="all"),
                ask({"notice_id": red["R-ONE"]}, kind="text"),
                ask({"notice_id": red["R-ONE"], "ask": "leave"}),
                ask({"notice_id": red["R-ONE"], "operation": "R-ONE"}),
                ask({"notice_id": 7})):  # fmt: skip
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_input", bad.text
    # nothing stored, nothing on the line
    assert stored_messages(hub) == before == []
    assert line(hub, "BLUE") == [] and line(hub, "RED") == []


def test_a_linked_request_survives_a_restart_and_replays_once(hub: HubProcess, tmp_path) -> None:  # type: ignore[no-untyped-def]
    plans(hub)
    red = notices(hub, "RED")
    body = {"to": "BLUE", "kind": "request", "text": "hold?", "fields": {"notice_id": red["R-ONE"]}}
    first = hub.client("RED").post("/v1/messages", json=body, headers={"Idempotency-Key": "k1"})
    again = hub.client("RED").post("/v1/messages", json=body, headers={"Idempotency-Key": "k1"})
    assert first.status_code == again.status_code == 201
    assert first.json()["message_id"] == again.json()["message_id"]
    assert len(stored_messages(hub)) == 2  # one copy each, not two
    # a retry after the notice cleared is still the same request, answered as it was
    r = hub.client("BLUE").patch("/v1/operations/B-NEAR", json={"volumes": [square(20.0, 5.0, 0.2)]})
    assert r.status_code == 200 and "R-ONE" not in notices(hub, "RED")
    late = hub.client("RED").post("/v1/messages", json=body, headers={"Idempotency-Key": "k1"})
    assert (late.status_code, late.json()) == (201, first.json())
    other = {**body, "text": "something else"}
    reused = hub.client("RED").post("/v1/messages", json=other, headers={"Idempotency-Key": "k1"})
    assert reused.status_code == 409, reused.text
    assert len(stored_messages(hub)) == 2
    hub.kill()
    restarted = start_hub(tmp_path, hub.db, hub.protocol, hub.tokens, hub.keys)
    try:
        (got,) = line(restarted, "BLUE")
        assert [n["operation"] for n in got["fields"]["notices"]] == ["B-NEAR"]
        assert red["R-ONE"] not in json.dumps(got)
        (mine,) = line(restarted, "RED")
        assert mine["fields"]["notice_id"] == red["R-ONE"]
    finally:
        for c in restarted.clients:
            c.close()
        restarted.proc.terminate()
        restarted.proc.wait(timeout=10)
