"""The hub signs its record as it grows: checkpoints on its clock and when it stops, and each
party's signed heads on its stream, which count nothing of the others (issue 12 §6)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from airdecon.audit import PartyHead, load_public_key, verify_chain
from airdecon.hub import HubSettings
from airdecon.hub._bootstrap import load_hub_key
from airdecon.store import open_store
from tests.hub.harness import World, aircraft, world

HEAD_FIELDS = {"type", "party", "n", "hash", "at", "key_id", "signature"}


def blue(i: int) -> dict[str, Any]:
    return aircraft("B1", 35.0, 20.0 + i * 0.02, 90)


def test_a_small_hub_signs_its_whole_record_when_it_stops(tmp_path: Path) -> None:
    db = tmp_path / "hub.db"
    with world(db=str(db), checkpoint_s=0) as w:  # no clock: only the shutdown signs
        for i in range(5):
            assert w.report("BLUE", blue(i)).status_code == 202
        key = w.hub.context.hub_key
    store = open_store(db)
    try:
        head, cps = store.head(), store.checkpoints()
        assert head.seq == 5 and [cp.seq for cp in cps] == [5]
        assert verify_chain(store, key.public_key).signed_through == 5
    finally:
        store.close()


def test_checkpoints_follow_the_hubs_clock() -> None:
    with world(checkpoint_s=5.0) as w:
        store, heads = w.hub.store, w.hub.record.heads
        w.report("BLUE", blue(0))
        w.clock.advance(4)
        assert not heads.tick() and store.checkpoints() == []
        w.clock.advance(1)
        assert heads.tick() and [cp.seq for cp in store.checkpoints()] == [1]
        assert store.checkpoints()[0].at == w.clock()
        w.clock.advance(5)
        assert heads.tick() and len(store.checkpoints()) == 1  # nothing new: nothing signed
        w.report("RED", aircraft("R1", 10.0, 60.0, 90))
        w.clock.advance(5)
        heads.tick()
        assert [cp.seq for cp in store.checkpoints()] == [1, 2]


def test_checkpoint_s_zero_signs_only_at_the_count_and_at_stop() -> None:
    with world(checkpoint_s=0) as w:
        w.report("BLUE", blue(0))
        w.clock.advance(3600)
        assert not w.hub.record.heads.tick() and w.hub.store.checkpoints() == []


def _heads_seen(w: World, party: str, steps: int, busy: bool) -> list[tuple[int, float]]:
    """(n, at) of *party*'s heads over *steps* ticks, BLUE reporting every other step and RED
    reporting every step when *busy*."""
    seen = []
    for i in range(steps):
        if i % 2 == 0:
            w.report("BLUE", blue(i))
        if busy:
            for k in range(3):
                w.report("RED", aircraft(f"R{k}", 10.0, 60.0 + i * 0.02 + k, 90))
        w.clock.advance(5)
        w.hub.record.heads.tick()
        h = w.get(party, "/v1/audit/head").json()["head"]
        seen.append((h["n"], h["at"]) if h else (0, 0.0))
    return seen


def test_a_partys_heads_count_only_its_own_extract() -> None:
    """Need to know: when BLUE gets a head and what it says (its count, its time) are the same
    whether RED is idle or busy; its hash is an opaque commitment BLUE cannot open."""
    with world() as idle:
        quiet = _heads_seen(idle, "BLUE", 6, busy=False)
        assert idle.get("RED", "/v1/audit/head").json() == {"head": None}  # RED saw nothing: no head
    with world() as w:
        busy = _heads_seen(w, "BLUE", 6, busy=True)
        n_blue = len(w.hub.store.events_after(0, party="BLUE"))
        assert w.hub.store.head().seq > 3 * n_blue
        head = w.get("BLUE", "/v1/audit/head").json()["head"]
    assert quiet == busy
    assert [n for n, _ in busy] == [1, 1, 2, 2, 3, 3] and n_blue == 3
    assert set(head) == HEAD_FIELDS and head["party"] == "BLUE"


def test_heads_come_on_the_stream_after_the_events_they_cover() -> None:
    with world() as w:
        w.report("BLUE", blue(0))
        w.clock.advance(5)
        w.hub.record.heads.tick()
        with w.client.websocket_connect(f"/v1/stream?token={w.tokens['BLUE']}&reports=true") as ws:
            first = [ws.receive_json() for _ in range(3)]
            assert [m["type"] for m in first] == ["event", "live", "head"]
            assert first[2]["n"] == 1 and set(first[2]) == HEAD_FIELDS
            w.report("BLUE", blue(1))
            w.clock.advance(5)
            w.hub.record.heads.tick()
            nxt = [ws.receive_json() for _ in range(2)]
            assert [m["type"] for m in nxt] == ["event", "head"] and nxt[1]["n"] == 2
            head = PartyHead.from_json(nxt[1])
            head.check(w.hub.context.hub_key.public_key)  # signed by the hub


def test_the_public_key_is_written_beside_the_hub_key(tmp_path: Path) -> None:
    settings = HubSettings(db=str(tmp_path / "hub.db"))
    key = load_hub_key(settings)
    pub = tmp_path / "hub.db.hubkey.pub"
    assert pub.read_bytes() == key.public_pem() and load_public_key(pub) is not None
    pub.unlink()  # an existing key without its public file gets one
    assert load_hub_key(settings).key_id == key.key_id and pub.read_bytes() == key.public_pem()
