"""Read receipts reach the sender and the reader's own consoles, never a third party; ``GET
/v1/messages`` says of each message whether the caller read it (``read_by_me``) or who read it
(``read_by``), so a console that reloads shows read messages as read."""

from __future__ import annotations

import time
from typing import Any

from airdecon.store import NewEvent, open_store
from tests.hub.conftest import HubProcess, collect, start_hub


def messages(hub: HubProcess, party: str) -> dict[str, dict[str, Any]]:
    """*party*'s line messages by text, as ``GET /v1/messages`` gives them."""
    events = hub.client(party).get("/v1/messages").json()["messages"]
    return {e["data"]["text"]: e["data"] for e in events if e["kind"] == "message"}


def receipts(hub: HubProcess, party: str, path: str = "/v1/events") -> list[dict[str, Any]]:
    body = hub.client(party).get(path).json()
    return [e["data"] for e in body.get("events", body.get("messages")) if e["kind"] == "receipt"]


def send(hub: HubProcess, party: str, to: str, text: str) -> str:
    r = hub.client(party).post("/v1/messages", json={"to": to, "text": text})
    assert r.status_code == 201, r.text
    return str(r.json()["message_id"])


def test_the_reader_learns_its_own_read_and_the_list_says_so(hub: HubProcess) -> None:
    direct = send(hub, "BLUE", "RED", "direct")
    send(hub, "BLUE", "all", "to all")
    got = messages(hub, "RED")
    assert got["direct"]["read_by_me"] is False and got["to all"]["read_by_me"] is False
    assert "read_by" not in got["direct"]  # not RED's message: who read it is not RED's business
    sent = messages(hub, "BLUE")
    assert sent["direct"]["read_by"] == [] and "read_by_me" not in sent["direct"]
    # RED reads it on one console: its other console is told
    with hub.ws("RED", after="live") as other_console:
        assert hub.client("RED").post(f"/v1/messages/{direct}/read").status_code == 200
        seen = collect(other_console, lambda ev: any(e["kind"] == "receipt" for e in ev))
    (receipt,) = [e["data"] for e in seen if e["kind"] == "receipt"]
    assert receipt == {"message_id": direct, "status": "read", "by": "RED"}
    # ... and so is any console RED opens later
    got = messages(hub, "RED")
    assert got["direct"]["read_by_me"] is True and got["to all"]["read_by_me"] is False
    assert messages(hub, "BLUE")["direct"]["read_by"] == ["RED"]
    # marking it read again changes nothing
    assert hub.client("RED").post(f"/v1/messages/{direct}/read").status_code == 200
    assert [r["by"] for r in receipts(hub, "BLUE") if r["status"] == "read"] == ["RED"]


def test_a_third_party_never_learns_who_read_a_message_to_all(hub: HubProcess) -> None:
    mid = send(hub, "BLUE", "all", "to all")
    with hub.ws("RED", after="live") as red_console:
        assert hub.client("CIVIL").post(f"/v1/messages/{mid}/read").status_code == 200
        assert hub.client("RED").post(f"/v1/messages/{mid}/read").status_code == 200
        send(hub, "BLUE", "all", "sentinel")  # everything before it has reached RED's console
        streamed = collect(red_console, lambda ev: any(e["data"].get("text") == "sentinel" for e in ev))
    # the sender learns both reads
    assert messages(hub, "BLUE")["to all"]["read_by"] == ["CIVIL", "RED"]
    # RED learns its own read only, on every face
    now = time.time()
    record = hub.client("RED").get("/v1/record", params={"from": now - 600, "to": now + 60}).json()
    faces = {
        "stream": [e["data"] for e in streamed if e["kind"] == "receipt"],
        "events": receipts(hub, "RED"),
        "messages": receipts(hub, "RED", "/v1/messages"),
        "record": [e["data"] for e in record["events"] if e["kind"] == "receipt"],
    }
    for face, got in faces.items():
        assert [(r["status"], r["by"]) for r in got if r["message_id"] == mid] == [("read", "RED")], face
    red = messages(hub, "RED")["to all"]
    assert red["read_by_me"] is True and "read_by" not in red
    assert messages(hub, "CIVIL")["to all"]["read_by_me"] is True
    assert "CIVIL" not in hub.client("RED").get("/v1/messages").text


def test_listing_messages_delivers_them(hub: HubProcess) -> None:
    """A console that loads the line over HTTP (no socket open when the message came) has had
    the message delivered: its sender gets the receipt."""
    mid = send(hub, "BLUE", "RED", "while RED was away")
    assert not [r for r in receipts(hub, "BLUE") if r["message_id"] == mid]
    messages(hub, "RED")
    messages(hub, "RED")  # once only
    got = [(r["status"], r["by"]) for r in receipts(hub, "BLUE") if r["message_id"] == mid]
    assert got == [("delivered", "RED")]


def test_a_read_recorded_before_readers_were_told_still_counts(hub: HubProcess, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Receipts recorded by an older hub went to the sender only; their reader still sees the
    message as read, and marking it read again is no conflict."""
    mid = send(hub, "BLUE", "RED", "read long ago")
    hub.kill()
    store = open_store(hub.db)
    try:
        old = NewEvent(
            "receipt",
            "HUB",
            {"message_id": mid, "status": "read", "by": "RED"},
            audience=["BLUE"],
            idempotency_key=f"read:{mid}:RED",
        )
        store.append(old, at=time.time())
    finally:
        store.close()
    again = start_hub(tmp_path, hub.db, hub.protocol, hub.tokens, hub.keys)
    try:
        assert messages(again, "RED")["read long ago"]["read_by_me"] is True
        r = again.client("RED").post(f"/v1/messages/{mid}/read")
        assert r.status_code == 200, r.text
        assert messages(again, "BLUE")["read long ago"]["read_by"] == ["RED"]
        assert again.client("BLUE").get("/v1/audit/verify").json()["ok"] is True
    finally:
        for c in again.clients:
            c.close()
        again.proc.terminate()
        again.proc.wait(timeout=10)


def test_a_message_polled_over_http_is_delivered_once(hub: HubProcess) -> None:
    mid = send(hub, "BLUE", "RED", "polled")
    assert not [r for r in receipts(hub, "BLUE") if r["message_id"] == mid]  # not fetched yet
    polled = hub.client("RED").get("/v1/events").json()["events"]
    assert [e["data"]["text"] for e in polled if e["kind"] == "message"] == ["polled"]
    hub.client("RED").get("/v1/events")  # fetched again: still one receipt
    delivered = [r for r in receipts(hub, "BLUE") if r["message_id"] == mid]
    assert delivered == [{"message_id": mid, "status": "delivered", "by": "RED"}]
    assert not [r for r in receipts(hub, "CIVIL") if r["message_id"] == mid]  # nobody else's business
