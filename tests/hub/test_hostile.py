"""Issue 12's reproductions: one party's bad data never breaks the line for the others.

Each case was seen on 4a5b73d (a 500, or a route broken for good afterwards); each test here
asserts the clear refusal and that everything else goes on.
"""

from __future__ import annotations

import contextlib
import json
import threading
from typing import Any

import pytest
from starlette.websockets import WebSocketDisconnect

from tests.hub.harness import World, aircraft, world


def raw(w: World, party: str, path: str, body: Any) -> Any:
    """POST *body* as JSON text with \\u escapes kept (a client may send lone surrogates)."""
    text = body if isinstance(body, str | bytes) else json.dumps(body)
    return w.client.post(path, content=text, headers=w.headers(party) | {"content-type": "application/json"})


def deep(n: int) -> Any:
    v: Any = {"x": 0}
    for _ in range(n):
        v = [v]
    return v


def head_on(w: World) -> None:
    """BLUE and RED head-on, 20 NM apart, level: a conflict that needs an advisory."""
    w.report("BLUE", aircraft("B-HEAD", 40.0, 10.0, 90))
    w.report("RED", aircraft("R-HEAD", 40.0, 10.435, 270))


def advised(w: World, party: str) -> list[dict[str, Any]]:
    return [o for a in w.get(party, "/v1/alerts").json()["alerts"] for o in a["own"] if o.get("advisory")]


def test_a_grounded_distress_aircraft_does_not_stop_advisories() -> None:
    """Case 1: CIVIL squawks 7700 on the ground; a new BLUE/RED conflict still gets advisories."""
    with world() as w:
        gnd = aircraft("CIVGND1", -5, -5, 0, alt=0, gs=0, squawk="7700", on_ground=True)
        assert w.report("CIVIL", gnd).status_code == 202
        w.step(1)
        assert any(c["id"] == "CIVGND1" for c in w.get("BLUE", "/v1/distress").json()["distress"])
        head_on(w)
        w.step(1)
        w.step(1)
        assert advised(w, "BLUE") and advised(w, "RED")


def test_a_distress_whose_reason_is_not_unicode_is_refused_and_opens_nothing() -> None:
    """Case 2: a lone surrogate in a distress reason (500 and a half-open case before)."""
    with world() as w:
        w.report("BLUE", aircraft("B1", 40, 10, 0))
        w.step(1)
        r = raw(w, "BLUE", "/v1/distress", '{"id": "B1", "reason": "fire \\ud800"}')
        assert r.status_code == 400 and r.json()["error"]["code"] == "bad_request"
        assert "lone surrogate" in r.json()["error"]["message"]
        for party in ("BLUE", "RED", "GREEN", "CIVIL"):
            got = w.get(party, "/v1/distress")
            assert got.status_code == 200 and got.json()["distress"] == []
        head_on(w)
        w.step(1)
        w.step(1)
        assert advised(w, "BLUE")
        assert w.post("BLUE", "/v1/distress", {"id": "B1", "reason": "fire"}).status_code == 201


@pytest.mark.parametrize("to", ["GREEN", "all"])
def test_a_poison_line_message_is_refused_and_the_line_goes_on(to: str) -> None:
    """Case 3: a message 300 levels deep (201, then GREEN's routes answered 500 for good)."""
    with world() as w:
        r = raw(w, "BLUE", "/v1/messages", {"to": to, "text": "hello", "fields": {"x": deep(300)}})
        assert r.status_code == 400 and "nested deeper than 32" in r.json()["error"]["message"]
        assert w.post("BLUE", "/v1/messages", {"to": to, "text": "hello"}).status_code == 201
        for path in ("/v1/messages", "/v1/events"):
            got = w.get("GREEN", path)
            assert got.status_code == 200, (path, got.text[:200])
        texts = [m["data"]["text"] for m in w.get("GREEN", "/v1/messages").json()["messages"]]
        assert texts == ["hello"]
        t = w.clock()
        assert w.get("GREEN", "/v1/record", **{"from": t - 60, "to": t + 60}).status_code == 200


HOSTILE = [
    ("/v1/reports", "[" * 5000 + "]" * 5000),
    ("/v1/messages", "[" * 5000 + "]" * 5000),
    ("/v1/distress", "{" + '"a":' * 1 + "[" * 1500 + "]" * 1500 + "}"),
    ("/v1/acks", "[" * 990 + "]" * 990),
    ("/v1/messages", '{"to": "RED", "text": "hi \\udc00"}'),
    ("/v1/messages", '{"to": "RED", "text": "hi", "callsign": "\\ud800"}'),
    ("/v1/messages", '{"to": "RED", "text": "hi", "fields": {"\\ud800": 1}}'),
    ("/v1/messages", '{"to": "RED", "text": "hi", "in_reply_to": "\\udfff"}'),
    ("/v1/messages", '{"to": "RED", "text": "hi", "idempotency_key": "\\ud800"}'),
    ("/v1/reports", '{"reports": [{"id": "B2", "lat": 40, "lon": 10, "alt_ft": 1, "gs_kt": 1, "trk_deg": 1, '
     + '"t": 1' + "0" * 4000 + "}]}"),
    ("/v1/messages", '{"to": "RED", "text": "hi", "fields": {"n": 1' + "0" * 400 + "}}"),
    ("/v1/messages", '{"to": "RED", "text": "hi", "fields": {"n": 1e999}}'),
]


@pytest.mark.parametrize(("path", "body"), HOSTILE)
def test_hostile_bodies_get_a_clear_4xx_and_nothing_is_stored(path: str, body: str) -> None:
    """Case 5: every one of these answered 500 before."""
    with world() as w:
        w.report("BLUE", aircraft("B1", 40, 10, 0))
        before = len(w.get("RED", "/v1/events").json()["events"])
        r = raw(w, "BLUE", path, body)
        assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
        err = r.json()["error"]
        assert err["code"] and err["message"]
        assert len(w.get("RED", "/v1/events").json()["events"]) == before
        assert w.get("RED", "/v1/messages").status_code == 200


def test_a_body_over_the_limit_is_413_on_every_route() -> None:
    """Case 5: bodies over the limit answered 400 on routes other than /v1/reports."""
    with world() as w:
        big = '{"to": "RED", "text": "' + "a" * (3 * 1024 * 1024) + '"}'
        for path in ("/v1/messages", "/v1/distress", "/v1/acks", "/v1/reports"):
            r = raw(w, "BLUE", path, big)
            assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large", path


def _reply(ws: Any, timeout_s: float = 10.0) -> dict[str, Any]:
    """The next message that is not an event, within *timeout_s* (silence fails, not hangs)."""
    got: list[dict[str, Any]] = []

    def read() -> None:
        for _ in range(200):  # the backlog of a fresh world is short
            msg = ws.receive_json()
            if msg.get("type") not in ("event", "live"):
                got.append(msg)
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout_s)
    assert got, f"no reply within {timeout_s:g} s"
    return got[0]


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ('{"type": "reports", "ref": "r-deep", "reports": ' + "[" * 2000 + "]" * 2000 + "}", "r-deep"),
        ('{"type": "reports", "ref": 7, "reports": [{"id": "B1", "callsign": "\\ud800"}]}', 7),
        ('{"ref": "r-nan", "type": "reports", "reports": [{"id": "B1", "lat": NaN}]}', "r-nan"),
        ('{"type": "reports", "ref": "r-list", "reports": {"id": "B1"}}', "r-list"),
        ("not json at all", None),
    ],
)
def test_the_stream_answers_every_bad_message_with_its_ref(text: str, ref: Any) -> None:
    """Case 5 over the WebSocket: no reply at all before; now an error carrying the client's ref."""
    with world() as w, w.client.websocket_connect(f"/v1/stream?after=&token={w.tokens['BLUE']}") as ws:
        ws.send_text(text)
        got = _reply(ws)
        assert got["type"] == "error" and got["ref"] == ref, got
        assert got["error"]["code"] in ("bad_request", "invalid_input", "unprocessable"), got
        ws.send_text('{"type": "ping", "ref": "after"}')
        assert _reply(ws) == {"type": "pong", "ref": "after"}


def test_a_binary_frame_is_answered_and_the_stream_stays_open() -> None:
    """Case 5: a binary frame closed the socket with 1000 and logged a traceback."""
    with world() as w, w.client.websocket_connect(f"/v1/stream?after=&token={w.tokens['BLUE']}") as ws:
        ws.send_bytes(b"\x00\x01\x02")
        got = _reply(ws)
        assert got["type"] == "error" and "binary" in got["error"]["message"]
        ws.send_text('{"type": "ping", "ref": 1}')
        assert _reply(ws) == {"type": "pong", "ref": 1}


def test_one_party_cannot_hold_more_than_its_streams_and_the_others_still_connect() -> None:
    """Case 4: a party opening stream after stream (each holding a queue) is bounded."""
    with world(max_streams=3) as w:
        url = "/v1/stream?after=live&token={}"
        with contextlib.ExitStack() as stack:
            for _ in range(3):
                ws = stack.enter_context(w.client.websocket_connect(url.format(w.tokens["RED"])))
                assert _reply_or_live(ws)["type"] == "live"
            with w.client.websocket_connect(url.format(w.tokens["RED"])) as extra:
                refused = extra.receive_json()["error"]
                assert refused["code"] == "quota_exceeded" and "max_streams" in refused["message"]
                with pytest.raises(WebSocketDisconnect) as closed:
                    extra.receive_json()
                assert closed.value.code == 4429
            with w.client.websocket_connect(url.format(w.tokens["BLUE"])) as blue:
                assert _reply_or_live(blue)["type"] == "live"
        with w.client.websocket_connect(url.format(w.tokens["RED"])) as again:  # closed ones are freed
            assert _reply_or_live(again)["type"] == "live"


def _reply_or_live(ws: Any) -> dict[str, Any]:
    return ws.receive_json()  # type: ignore[no-any-return]


def test_a_repeated_acknowledgement_answers_the_first_and_records_one() -> None:
    """Issue 13: a retry or a second console acknowledging again gets 200, not a 409."""
    with world() as w:
        w.report("BLUE", aircraft("B1", 40, 10, 0))
        w.step(1)
        did = w.post("BLUE", "/v1/distress", {"id": "B1"}).json()["distress_id"]
        first = w.post("RED", "/v1/acks", {"distress_id": did})
        w.clock.advance(5)
        again = w.post("RED", "/v1/acks", {"distress_id": did})
        assert first.status_code == again.status_code == 200
        assert again.json() == first.json()
        events = w.get("BLUE", "/v1/events").json()["events"]
        acks = [e for e in events if e["kind"] == "ack" and e["from"] == "RED"]
        assert len(acks) == 1
