"""`GET /v1/record` streams its answer page by page, is cut at the row bound with a cursor to
continue, and refuses a bad window before the answer starts.

The oracle is the party's own backlog: over a window that holds its whole record, the record
answers exactly the events `GET /v1/events` lists (the same wire objects, in the same order).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from airdecon.errors import StoreError
from tests.hub.conftest import HubProcess, ac
from tests.hub.harness import World, aircraft, world

N = 20  # BLUE's report batches, one event each, interleaved with RED's


def fill(w: World, n: int = N) -> tuple[float, float]:
    """*n* report batches of BLUE's and as many of RED's, a second apart; the window holding them."""
    t0 = w.clock()
    for k in range(n):
        w.report("BLUE", aircraft("B1", 30, 10 + k * 0.001, 90))
        w.report("RED", aircraft("R1", 10, 50 + k * 0.001, 90))
        w.clock.advance(1)
    return t0 - 1, w.clock() + 1


def backlog(w: World, party: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = w.get(party, "/v1/events", limit=1000).json()["events"]
    return events


def follow(w: World, party: str, t_from: float, t_to: float) -> list[dict[str, Any]]:
    """Every answer of the window, asking on from each truncated one's ``after``."""
    answers: list[dict[str, Any]] = []
    after: dict[str, str] = {}
    while True:
        r = w.get(party, "/v1/record", **{"from": t_from, "to": t_to, **after})
        assert r.status_code == 200, r.text
        answers.append(r.json())
        if not answers[-1]["truncated"]:
            return answers
        after = {"after": answers[-1]["after"]}


@pytest.mark.parametrize("page", [1, 3, 7, 200])
def test_a_window_of_many_pages_comes_back_whole_and_in_order(page: int) -> None:
    with world(record_page=page) as w:
        t_from, t_to = fill(w)
        r = w.get("BLUE", "/v1/record", **{"from": t_from, "to": t_to})
        assert r.status_code == 200 and r.headers["content-type"] == "application/json"
        body = r.json()
        assert set(body) == {"events", "truncated"} and body["truncated"] is False
        mine = backlog(w, "BLUE")
        assert len(mine) >= N and body["events"] == mine
        assert [e["data"]["reports"][0]["lon"] for e in body["events"] if e["kind"] == "report"] == [
            10 + k * 0.001 for k in range(N)
        ]


def test_the_store_is_read_one_page_at_a_time() -> None:
    """The hub never asks the store for more than a page (nor the whole window at once)."""
    with world(record_page=4) as w:
        t_from, t_to = fill(w)
        real, asked = w.hub.store.events_between, []

        def spy(*args: Any, **kw: Any) -> Any:
            asked.append(kw.get("limit"))
            return real(*args, **kw)

        w.hub.context.store.events_between = spy  # type: ignore[method-assign]
        events = w.get("BLUE", "/v1/record", **{"from": t_from, "to": t_to}).json()["events"]
        assert len(events) >= N and len(asked) == len(events) // 4 + 1
        assert all(a is not None and 1 <= a <= 4 for a in asked)


@pytest.mark.parametrize(("rows", "page"), [(7, 3), (6, 3), (1, 200), (5, 1), (200, 3)])
def test_the_row_bound_cuts_the_window_and_after_continues_it(rows: int, page: int) -> None:
    """Cut at ``record_rows``, marked ``truncated`` with the cursor of the last event given;
    asking on ``after`` it loses nothing and repeats nothing."""
    with world(record_page=page, record_rows=rows) as w:
        t_from, t_to = fill(w)
        mine = backlog(w, "BLUE")
        answers = follow(w, "BLUE", t_from, t_to)
        assert [e for a in answers for e in a["events"]] == mine
        assert all(len(a["events"]) == rows and a["after"] == a["events"][-1]["cursor"] for a in answers[:-1])
        assert len(answers) == -(-len(mine) // rows)  # an exact fit ends untruncated: no empty answer
        assert "after" not in answers[-1] and len(answers[-1]["events"]) <= rows


@pytest.mark.parametrize("extra", [0, 1])
def test_a_window_exactly_the_bound_long_is_not_truncated(extra: int) -> None:
    with world(record_page=3) as w:
        t_from, t_to = fill(w, 6)
        n = len(backlog(w, "BLUE"))
    with world(record_page=3, record_rows=n - extra) as w:
        t_from, t_to = fill(w, 6)
        body = w.get("BLUE", "/v1/record", **{"from": t_from, "to": t_to}).json()
        assert len(body["events"]) == n - extra and body["truncated"] is bool(extra)


def test_the_cursor_to_continue_is_the_readers_own() -> None:
    """RED's cursor is refused to BLUE, as a garbage one is: before the answer starts."""
    with world(record_rows=2) as w:
        t_from, t_to = fill(w, 4)
        red = w.get("RED", "/v1/record", **{"from": t_from, "to": t_to}).json()
        assert red["truncated"] is True
        for after in (red["after"], "garbage!!"):
            r = w.get("BLUE", "/v1/record", **{"from": t_from, "to": t_to, "after": after})
            assert r.status_code == 422 and set(r.json()) == {"error"}, r.text
            assert r.json()["error"]["code"] == "invalid_input"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"from": 10, "to": 5}, "invalid_input"),
        ({"from": 0, "to": 7 * 86400 + 1}, "invalid_input"),
        ({"from": "nan", "to": 1}, None),
        ({"from": 1, "to": "inf"}, None),
        ({"from": "yesterday", "to": 1}, "invalid_request"),
        ({"to": 1}, "invalid_request"),
    ],
)
def test_a_bad_window_is_the_error_envelope_not_a_broken_answer(
    params: dict[str, Any], code: str | None
) -> None:
    with world() as w:
        fill(w, 2)
        r = w.get("BLUE", "/v1/record", **params)
        assert r.status_code == 422, r.text
        body = r.json()
        assert set(body) == {"error"} and {"code", "message"} <= set(body["error"])
        assert code is None or body["error"]["code"] == code


def test_the_span_comes_from_the_settings() -> None:
    with world(record_span_s=60.0) as w:
        t_from, _ = fill(w, 2)
        assert w.get("BLUE", "/v1/record", **{"from": t_from, "to": t_from + 60}).status_code == 200
        r = w.get("BLUE", "/v1/record", **{"from": t_from, "to": t_from + 61})
        assert r.status_code == 422 and "60 s" in r.json()["error"]["message"]


def test_the_store_failing_before_the_answer_is_a_503_envelope() -> None:
    with world() as w:
        t_from, t_to = fill(w, 2)

        def down(*args: Any, **kw: Any) -> Any:
            raise StoreError("down")

        w.hub.context.store.events_between = down  # type: ignore[method-assign]
        r = w.get("BLUE", "/v1/record", **{"from": t_from, "to": t_to})
        assert r.status_code == 503 and r.json()["error"]["code"] == "store_unavailable"


def test_the_store_failing_midway_cuts_the_answer_never_a_shorter_one_that_parses() -> None:
    with world(record_page=2) as w:
        t_from, t_to = fill(w, 6)
        real, calls = w.hub.store.events_between, []

        def flaky(*args: Any, **kw: Any) -> Any:
            calls.append(1)
            if len(calls) == 2:
                raise StoreError("down")
            return real(*args, **kw)

        w.hub.context.store.events_between = flaky  # type: ignore[method-assign]
        r = w.get("BLUE", "/v1/record", **{"from": t_from, "to": t_to})
        assert r.content.startswith(b'{"events":[')
        with pytest.raises(json.JSONDecodeError):
            json.loads(r.content)


def test_a_real_hub_streams_a_window_of_several_pages(hub: HubProcess) -> None:
    """Over uvicorn and SQLite: more than one page (the default ``record_page``, 200) of
    BLUE's, chunked, equal to BLUE's backlog."""
    blue = hub.client("BLUE")
    t0 = ac("B1", 30, 10, 90)["t"]
    for k in range(230):
        r = blue.post("/v1/reports", json={"reports": [ac("B1", 30, 10 + k * 1e-4, 90)]})
        assert r.status_code == 202, r.text
    t1 = ac("B1", 30, 10, 90)["t"]
    with blue.stream("GET", "/v1/record", params={"from": t0 - 1, "to": t1 + 1}) as r:
        assert r.status_code == 200 and r.headers.get("transfer-encoding") == "chunked"
        body = json.loads(r.read())
    mine = blue.get("/v1/events", params={"limit": 1000}).json()["events"]
    assert body["truncated"] is False and len(body["events"]) >= 230 and body["events"] == mine


def test_one_record_answer_at_a_time_per_party_and_paced() -> None:
    # issue 12: a party reading its record back to back must not take the hub's time from the
    # others. One answer at a time per party (another meanwhile is 429), each page followed by a
    # pause of record_pace times what it cost; another party reads meanwhile
    with world(record_page=2, record_pace=3.0) as w:
        t_from, t_to = fill(w)
        window = {"from": t_from, "to": t_to}
        with w.client.stream("GET", "/v1/record", headers=w.headers("BLUE"), params=window) as first:
            assert first.status_code == 200
            second = w.get("BLUE", "/v1/record", **window)
            assert second.status_code == 429 and second.json()["error"]["code"] == "rate_limited"
            assert "one record read at a time" in second.json()["error"]["message"]
            assert w.get("RED", "/v1/record", **window).status_code == 200  # another party reads on
            body = json.loads(b"".join(first.iter_bytes()))
        assert body["truncated"] is False and body["events"] == backlog(w, "BLUE")
        assert w.get("BLUE", "/v1/record", **window).status_code == 200  # the first one is done
        assert w.hub.record.readers == {}


def test_a_refused_window_leaves_no_reader_behind() -> None:
    with world() as w:
        t_from, t_to = fill(w, 2)
        assert w.get("BLUE", "/v1/record", **{"from": t_to, "to": t_from}).status_code == 422
        assert w.hub.record.readers == {}
        assert w.get("BLUE", "/v1/record", **{"from": t_from, "to": t_to}).status_code == 200
