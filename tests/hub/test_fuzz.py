"""Fuzz: every write route of the OpenAPI document, and the stream, with random hostile JSON.

Hypothesis draws bodies from JSON values with the shapes the hub cares about (objects with the
routes' own field names, numbers of any size, strings with lone surrogates, deep nesting) and
sends them as text, so lone surrogates travel as ``\\udxxx`` escapes. Whatever arrives, the hub
answers with a status below 500 and the one error envelope, the stream answers every message,
and afterwards every party's reads still work.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hub.harness import world

FIELDS = ["id", "lat", "lon", "alt_ft", "gs_kt", "trk_deg", "vs_fpm", "t", "callsign", "squawk", "to",
          "text", "kind", "fields", "in_reply_to", "reports", "distress_id", "reason", "type", "ref",
          "idempotency_key", "document", "parent", "signature", "canonical_b64"]  # fmt: skip

SCALARS = (
    st.none() | st.booleans() | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12)
    | st.sampled_from(["BLUE", "RED", "all", "D-1", "\ud800", "x\udfff", "\x00", "𝔘"])
)  # fmt: skip
VALUES = st.recursive(
    SCALARS,
    lambda kids: st.lists(kids, max_size=4)
    | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=6), kids, max_size=5),
    max_leaves=25,
)  # fmt: skip


def nest(depth: int) -> str:
    return "[" * depth + "]" * depth


BODIES = st.one_of(
    VALUES.map(lambda v: json.dumps(v)),
    st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=6).map(lambda v: json.dumps(v)),
    st.integers(30, 3000).map(nest),
    st.binary(max_size=40).map(lambda b: b.decode("latin-1")),
    st.just('{"reports": [{"id": "B1", "t": 1' + "0" * 5000 + "}]}"),
)

WRITE_ROUTES = [
    "/v1/reports", "/v1/distress", "/v1/distress/D-1/close", "/v1/acks", "/v1/messages",
    "/v1/messages/M-1/read", "/v1/protocol/versions/sha256:00/signatures", "/v1/protocol/drafts",
    "/v1/protocol/versions",
]  # fmt: skip
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _ok_error(r: Any) -> None:
    assert r.status_code < 500, (r.status_code, r.text[:300])
    if r.status_code >= 400:
        err = r.json()["error"]
        assert isinstance(err["code"], str) and isinstance(err["message"], str)


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(WRITE_ROUTES), BODIES), min_size=1, max_size=6))
def test_write_routes_never_answer_500_and_reads_keep_working(calls: list[tuple[str, str]]) -> None:
    with world() as w:
        w.report("BLUE", {"id": "B1", "lat": 40, "lon": 10, "alt_ft": 25000, "gs_kt": 0, "trk_deg": 0})
        for path, body in calls:
            headers = w.headers("BLUE") | {"content-type": "application/json"}
            _ok_error(w.client.post(path, content=body.encode("utf-8", "surrogatepass"), headers=headers))
        w.step(1)
        for party in ("BLUE", "RED", "CIVIL"):
            for path in ("/v1/tracks", "/v1/alerts", "/v1/events", "/v1/messages", "/v1/distress"):
                r = w.get(party, path)
                assert r.status_code == 200, (party, path, r.text[:300])


@SETTINGS
@given(st.lists(BODIES, min_size=1, max_size=4))
def test_the_stream_answers_every_message(messages: list[str]) -> None:
    with world() as w, w.client.websocket_connect(f"/v1/stream?after=live&token={w.tokens['BLUE']}") as ws:
        assert ws.receive_json()["type"] == "live"
        for text in messages:
            try:
                ws.send_text(text)
            except UnicodeEncodeError:  # a lone surrogate cannot be sent as a text frame at all
                continue
            for _ in range(50):  # events may come first; a reply must come
                msg = ws.receive_json()
                if msg.get("type") in ("ack", "error", "pong"):
                    break
            else:
                raise AssertionError("no reply")
        ws.send_text('{"type": "ping", "ref": "end"}')
        for _ in range(50):
            if ws.receive_json() == {"type": "pong", "ref": "end"}:
                break
        else:
            raise AssertionError("the stream stopped answering")
