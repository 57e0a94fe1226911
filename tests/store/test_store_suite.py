"""The one store suite: every behaviour of the Store protocol, on memory, SQLite and PostgreSQL."""

from __future__ import annotations

import math
import sqlite3
import threading
from pathlib import Path

import psycopg
import pytest

from airdecon.audit import GENESIS, HubKey, verify_chain
from airdecon.errors import InputError, NotFound, StoreError, WriteConflict
from airdecon.store import ALL, AircraftState, NewEvent, Store, open_store
from airdecon.store._migrate import SCHEMA_VERSION
from tests.store.conftest import OpenStore

T0 = 1_764_000_000.0


def ev(origin: str, n: int, audience: object = ALL, key: str | None = None, kind: str = "report") -> NewEvent:
    return NewEvent(kind, origin, {"n": n, "pos": [34.5, 33.1]}, audience=audience,  # type: ignore[arg-type]
                    idempotency_key=key)


def seqs(events: list) -> list[int]:  # type: ignore[type-arg]
    return [e.seq for e in events]


def test_is_a_store(store: Store) -> None:
    assert isinstance(store, Store)
    assert store.head().seq == 0 and store.head().hash == GENESIS
    assert store.events_after(0) == [] and store.checkpoints() == [] and store.latest_states() == []


def test_parties_and_tokens(store: Store) -> None:
    blue = store.add_party("BLUE", at=T0)
    assert store.add_party("BLUE", at=T0 + 5) == blue  # existing: unchanged
    store.add_party("RED", at=T0 + 1)
    assert [p.name for p in store.parties()] == ["BLUE", "RED"]
    assert store.get_party("RED").created_at == T0 + 1
    with pytest.raises(NotFound) as err:
        store.get_party("GREEN")
    assert (err.value.kind, err.value.key) == ("party", "GREEN")
    with pytest.raises(NotFound):
        store.issue_token("GREEN", at=T0)

    t1 = store.issue_token("BLUE", at=T0)
    t2 = store.issue_token("BLUE", at=T0)
    assert t1.token != t2.token and t1.token_id != t2.token_id and len(t1.token) >= 40
    assert t1.token not in repr(t1)
    assert store.authenticate(t1.token) == blue
    assert store.authenticate(t1.token + "x") is None
    store.revoke_token(t1.token_id, at=T0 + 10)
    assert store.authenticate(t1.token) is None
    assert store.authenticate(t2.token) == blue
    with pytest.raises(NotFound):
        store.revoke_token("nope", at=T0)


def test_append_assigns_gap_free_sequence_and_keeps_content(store: Store) -> None:
    done = store.append_many([ev("BLUE", i) for i in range(3)], at=T0)
    done.append(store.append(ev("RED", 3, audience={"RED", "BLUE"}, kind="alert"), at=T0 + 1.5))
    assert [d.event.seq for d in done] == [1, 2, 3, 4] and not any(d.replayed for d in done)
    got = store.events_after(0)
    assert got == [d.event for d in done]
    last = got[-1]
    assert (last.at, last.kind, last.origin) == (T0 + 1.5, "alert", "RED")
    assert last.audience == frozenset({"RED", "BLUE"})
    assert last.payload == {"n": 3, "pos": [34.5, 33.1]}
    assert store.head().seq == 4 and store.head().hash == last.hash
    assert seqs(store.events_after(2)) == [3, 4]
    assert seqs(store.events_after(0, limit=2)) == [1, 2]
    assert store.events_after(4) == []
    assert store.append_many([], at=T0) == []
    for bad in ({"seq": 1.5}, {"limit": 0}, {"limit": -1}, {"seq": -5}):
        with pytest.raises(InputError):
            store.events_after(**{"seq": 0, **bad})  # type: ignore[arg-type]


def test_resume_after_n_shows_each_party_only_its_audience(store: Store) -> None:
    plan = [ALL, {"A"}, {"B"}, {"A", "B"}, {"B"}, ALL, {"A"}, {"C"}, {"B"}, ALL]
    for i, aud in enumerate(plan):
        store.append(ev("HUB", i, audience=aud), at=T0 + i)
    visible = {p: [i + 1 for i, aud in enumerate(plan) if aud == ALL or p in aud] for p in "ABC"}
    for party, expected in visible.items():
        assert seqs(store.events_after(0, party=party)) == expected
        # resuming after any seq it saw (or any other) gives exactly the rest, without gaps
        for after in range(len(plan) + 1):
            assert seqs(store.events_after(after, party=party)) == [s for s in expected if s > after]
        # paging with a small limit gives the same sequence
        paged, cursor = [], 0
        while batch := store.events_after(cursor, party=party, limit=2):
            paged += seqs(batch)
            cursor = batch[-1].seq
        assert paged == expected
    for e in store.events_after(0, party="A"):
        assert e.audience == ALL or "A" in e.audience


def test_kinds_filter(store: Store) -> None:
    for i, (kind, aud) in enumerate([("report", {"A"}), ("alert", {"A"}), ("alert", {"B"}), ("message", ALL),
                                     ("alert", ALL), ("ack", {"A"})]):
        store.append(ev("HUB", i, audience=aud, kind=kind), at=T0 + i)
    assert seqs(store.events_after(0, kinds={"alert"})) == [2, 3, 5]
    assert seqs(store.events_after(0, party="A", kinds=["alert", "message"])) == [2, 4, 5]
    assert seqs(store.events_after(2, party="A", kinds=["alert", "message"], limit=1)) == [4]
    for bad in ("alert", [], [1]):
        with pytest.raises(InputError):
            store.events_after(0, kinds=bad)  # type: ignore[arg-type]


def test_idempotent_replay_returns_the_original(store: Store) -> None:
    first = store.append(ev("BLUE", 1, audience={"BLUE"}, key="k1"), at=T0)
    again = store.append(ev("BLUE", 1, audience={"BLUE"}, key="k1"), at=T0 + 30)  # a retry, later
    assert again.replayed and again.event == first.event
    assert store.head().seq == 1
    # the same key from another party is another event
    other = store.append(ev("RED", 1, audience={"BLUE"}, key="k1"), at=T0)
    assert not other.replayed and other.event.seq == 2
    # duplicates inside one batch: the second is a replay of the first
    batch = store.append_many([ev("BLUE", 7, key="k2"), ev("BLUE", 7, key="k2")], at=T0)
    assert [b.replayed for b in batch] == [False, True] and batch[1].event == batch[0].event
    assert store.head().seq == 3


@pytest.mark.parametrize("change", ["payload", "audience", "kind"])
def test_reused_key_with_other_content_conflicts_and_writes_nothing(store: Store, change: str) -> None:
    store.append(ev("BLUE", 1, audience={"BLUE"}, key="k1"), at=T0)
    clash = {"payload": ev("BLUE", 2, audience={"BLUE"}, key="k1"),
             "audience": ev("BLUE", 1, audience=ALL, key="k1"),
             "kind": ev("BLUE", 1, audience={"BLUE"}, key="k1", kind="distress")}[change]
    head = store.head()
    with pytest.raises(WriteConflict) as err:
        store.append_many([ev("BLUE", 5), clash, ev("BLUE", 6)], at=T0 + 1)
    assert err.value.kind == "idempotency key" and "BLUE/k1" in str(err.value)
    assert store.head() == head and seqs(store.events_after(0)) == [1]
    assert not store.append(ev("BLUE", 5), at=T0 + 2).replayed  # the store still works
    assert store.head().seq == 2


def test_bad_input_is_refused_before_anything_is_written(store: Store) -> None:
    with pytest.raises(InputError):
        NewEvent("report", "BLUE", {"x": math.nan})
    with pytest.raises(InputError):
        NewEvent("report", "BLUE", {"x": object()})  # type: ignore[dict-item]
    with pytest.raises(InputError):
        NewEvent("report", "no spaces", {})
    with pytest.raises(InputError):
        NewEvent("report", "BLUE", {}, audience=set())
    with pytest.raises(InputError):
        NewEvent("report", "BLUE", {}, audience="BLUE")  # a string is not a collection of parties
    with pytest.raises(InputError):
        NewEvent("", "BLUE", {})
    with pytest.raises(InputError):
        store.append(ev("BLUE", 1), at=math.inf)
    with pytest.raises(InputError):
        store.add_party("*", at=T0)
    assert store.head().seq == 0


def test_events_between_window_and_parties(store: Store) -> None:
    store.append(ev("A", 0, audience={"A"}), at=T0)
    store.append(ev("B", 1, audience={"B"}), at=T0 + 10)
    store.append(ev("HUB", 2, audience={"A"}), at=T0 + 20)
    store.append(ev("HUB", 3, audience=ALL), at=T0 + 30)
    store.append(ev("C", 4, audience={"C"}), at=T0 + 40)
    assert seqs(store.events_between(T0 + 10, T0 + 30)) == [2, 3, 4]
    assert seqs(store.events_between(T0 + 10, T0 + 30, parties=["A"])) == [3, 4]
    assert seqs(store.events_between(T0, T0 + 100, parties=["B"])) == [2, 4]  # sent by B, or all
    assert seqs(store.events_between(T0 + 41, T0 + 99)) == []


def _pages(
    store: Store, t_from: float, t_to: float, parties: list[str] | None, limit: int
) -> list[list[int]]:
    """The window read page by page, each page after the previous one's last entry, until a short one."""
    pages: list[list[int]] = []
    after = 0
    while True:
        page = seqs(store.events_between(t_from, t_to, parties=parties, limit=limit, after_seq=after))
        pages.append(page)
        if len(page) < limit:
            return pages
        after = page[-1]


@pytest.mark.parametrize("parties", [None, ["A"], ["A", "B"], ["C"]])
@pytest.mark.parametrize("limit", [1, 2, 5, 7, 100])
def test_events_between_pages_through_a_window(store: Store, parties: list[str] | None, limit: int) -> None:
    """Keyset pages of a window are each at most *limit* long, in order, and together the whole
    window: nothing lost, nothing twice."""
    audiences: list[object] = [{"A"}, {"B"}, ALL, {"A", "B"}, {"C"}]
    for i in range(23):
        store.append(ev("ABC"[i % 3], i, audience=audiences[i % 5]), at=T0 + i)
    t_from, t_to = T0 + 2, T0 + 20
    whole = seqs(store.events_between(t_from, t_to, parties=parties))
    assert whole and whole == sorted(whole)
    pages = _pages(store, t_from, t_to, parties, limit)
    assert all(len(p) == limit for p in pages[:-1]) and len(pages[-1]) < limit
    assert [s for p in pages for s in p] == whole
    assert seqs(store.events_between(t_from, t_to, parties=parties, limit=limit)) == whole[:limit]
    assert store.events_between(t_from, t_to, parties=parties, after_seq=whole[-1]) == []
    assert seqs(store.events_between(t_from, t_to, parties=parties, after_seq=whole[1])) == whole[2:]


@pytest.mark.parametrize("bad", [{"after_seq": -1}, {"after_seq": 1.5}, {"limit": 0}, {"after_seq": True}])
def test_events_between_refuses_bad_pages(store: Store, bad: dict[str, object]) -> None:
    with pytest.raises(InputError):
        store.events_between(T0, T0 + 1, **bad)  # type: ignore[arg-type]


def test_checkpoints_every_k_and_on_demand(store: Store, hub_key: object) -> None:
    for i in range(12):
        store.append(ev("BLUE", i), at=T0 + i)
    cps = store.checkpoints()
    assert [c.seq for c in cps] == [5, 10]
    by_seq = {e.seq: e for e in store.events_after(0)}
    assert all(c.hash == by_seq[c.seq].hash and c.key_id == hub_key.key_id for c in cps)  # type: ignore[attr-defined]
    assert cps[0].at == T0 + 4  # the time of the append that made it
    cp = store.checkpoint(at=T0 + 100)
    assert (cp.seq, cp.hash, cp.at) == (12, store.head().hash, T0 + 100)
    assert store.checkpoint(at=T0 + 200) == cp  # same head: the same checkpoint
    assert [c.seq for c in store.checkpoints(after_seq=5)] == [10, 12]
    report = verify_chain(store, hub_key.public_key)  # type: ignore[attr-defined]
    assert (report.entries, report.checkpoints, report.signed_through, report.unsigned_tail) == (12, 3, 12, 0)


def test_checkpoint_needs_a_signer_and_entries(store_url: str, open_at: OpenStore) -> None:
    unsigned = open_at(store_url, signer=None)
    with pytest.raises(StoreError, match="no signing key"):
        unsigned.checkpoint(at=T0)
    unsigned.append(ev("BLUE", 1), at=T0)
    assert unsigned.checkpoints() == []
    assert verify_chain(unsigned).signatures_checked is False


def test_checkpoint_of_an_empty_log_is_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="empty"):
        store.checkpoint(at=T0)


def state(aid: str, party: str, t: float, lat: float = 34.0, **extra: object) -> AircraftState:
    return AircraftState(aid, party, t, lat, 33.0, 9000.0, 230.0, 90.0, 0.0, extra=extra)  # type: ignore[arg-type]


def test_latest_states(store: Store) -> None:
    store.save_states([state("B1", "BLUE", T0, callsign="VIPER1"), state("R1", "RED", T0)])
    store.save_states([state("B1", "BLUE", T0 + 2, lat=34.2, squawk="7700")])
    store.save_states([state("B1", "BLUE", T0 + 1, lat=99.0)])  # older: ignored
    got = {s.aircraft_id: s for s in store.latest_states()}
    assert got["B1"] == state("B1", "BLUE", T0 + 2, lat=34.2, squawk="7700")
    assert [s.aircraft_id for s in store.latest_states(party="RED")] == ["R1"]
    with pytest.raises(WriteConflict) as err:
        store.save_states([state("N1", "BLUE", T0 + 3), state("R1", "BLUE", T0 + 3)])
    assert (err.value.kind, err.value.key) == ("aircraft", "R1")
    assert "N1" not in {s.aircraft_id for s in store.latest_states()}  # the batch was not written
    with pytest.raises(WriteConflict):
        store.save_states([state("X1", "BLUE", T0), state("X1", "RED", T0)])
    with pytest.raises(InputError):
        state("B1", "BLUE", math.nan)
    store.save_states([])


def test_states_through_mark(store: Store) -> None:
    assert store.states_through() == 0
    store.save_states([state("B1", "BLUE", T0)], through_seq=7)
    assert store.states_through() == 7
    store.save_states([], through_seq=5)  # the mark never moves back
    assert store.states_through() == 7
    store.save_states([state("B1", "BLUE", T0 + 1)])  # no mark given: unchanged
    assert store.states_through() == 7
    with pytest.raises(WriteConflict):  # a refused batch does not move the mark either
        store.save_states([state("B1", "RED", T0 + 2)], through_seq=9)
    assert store.states_through() == 7
    for bad in (-1, 1.5, True, "3"):
        with pytest.raises(InputError):
            store.save_states([], through_seq=bad)  # type: ignore[arg-type]


def test_concurrent_appends_are_unique_gap_free_and_verify(store: Store, hub_key: object) -> None:
    threads, per_thread = 6, 20
    errors: list[BaseException] = []
    got: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(threads + 1)

    def writer(w: int) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                seq = store.append(ev(f"P{w}", i, audience={f"P{w}"}, key=f"{w}-{i}"), at=T0 + i).event.seq
                with lock:
                    got.append(seq)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def reader() -> None:
        try:
            start.wait()
            last = 0
            for _ in range(50):
                batch = store.events_after(0, party="P0")
                assert seqs(batch) == sorted(seqs(batch))
                last = max(last, len(batch))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    pool = [threading.Thread(target=writer, args=(w,)) for w in range(threads)]
    pool.append(threading.Thread(target=reader))
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert errors == []
    n = threads * per_thread
    assert sorted(got) == list(range(1, n + 1))
    assert seqs(store.events_after(0, limit=n + 1)) == list(range(1, n + 1))
    assert verify_chain(store, hub_key.public_key).entries == n  # type: ignore[attr-defined]
    # each writer's own events came back in the order it wrote them
    assert [e.payload for e in store.events_after(0, party="P3", limit=n)] == [
        ev("P3", i).payload for i in range(per_thread)
    ]


def test_every_backend_computes_the_same_chain(store: Store) -> None:
    reference = open_store("memory://")
    for s in (store, reference):
        s.append_many([ev("BLUE", 1, key="a"), ev("RED", 2, audience={"RED"})], at=T0 + 0.25)
        s.append(NewEvent("message", "RED", {"text": "συντονισμός ✈", "n": [1, 2.5, None, True]}), at=T0 + 1)
    assert store.head() == reference.head()


def test_sql_store_reopens_with_everything(sql_url: str, open_at: OpenStore, hub_key: object) -> None:
    first = open_at(sql_url)
    first.add_party("BLUE", at=T0)
    token = first.issue_token("BLUE", at=T0).token
    for i in range(7):
        first.append(ev("BLUE", i, key=f"k{i}"), at=T0 + i)
    first.save_states([state("B1", "BLUE", T0)])
    first.close()
    again = open_at(sql_url)
    assert again.schema_version() == SCHEMA_VERSION  # type: ignore[attr-defined]
    assert again.authenticate(token) is not None
    assert again.head().seq == 7 and [c.seq for c in again.checkpoints()] == [5]
    assert again.append(ev("BLUE", 3, key="k3"), at=T0 + 99).replayed
    assert [s.aircraft_id for s in again.latest_states()] == ["B1"]
    assert verify_chain(again, hub_key.public_key).entries == 7  # type: ignore[attr-defined]


def test_newer_schema_is_refused(sql_url: str, open_at: OpenStore) -> None:
    open_at(sql_url).close()
    if sql_url.startswith("postgresql://"):
        with psycopg.connect(sql_url, autocommit=True) as pg:
            pg.execute("INSERT INTO schema_migrations (version, name) VALUES (999, 'future')")
    else:
        with sqlite3.connect(sql_url) as lite:
            lite.execute("INSERT INTO schema_migrations (version, name) VALUES (999, 'future')")
        lite.close()
    with pytest.raises(StoreError, match="schema version 999 is newer"):
        open_at(sql_url)


@pytest.mark.parametrize("url", ["mysql://db", "sqlite://", "sqlite://relative.db", ""])
def test_bad_store_urls(url: str) -> None:
    with pytest.raises(StoreError):
        open_store(url)


@pytest.mark.parametrize(("url", "file"), [
    ("rel.db", "rel.db"),
    ("sqlite:///rel2.db", "rel2.db"),
    ("sqlite:///{tmp}/abs.db", "abs.db"),
    ("{tmp}/plain.db", "plain.db"),
])
def test_sqlite_url_forms(url: str, file: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    s = open_store(url.format(tmp=tmp_path))
    s.append(ev("BLUE", 1), at=T0)
    s.close()
    assert (tmp_path / file).exists()


def test_sqlite_in_a_missing_directory_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot open"):
        open_store(tmp_path / "missing-dir" / "x.db")


def test_closed_store_refuses_work(store: Store) -> None:
    store.close()
    with pytest.raises(StoreError):
        store.append(ev("BLUE", 1), at=T0)


def test_two_store_instances_on_one_database_share_one_chain(
    sql_url: str, open_at: OpenStore, hub_key: HubKey
) -> None:
    # as two hub processes would: separate connections, separate locks, one database
    stores = [open_at(sql_url), open_at(sql_url)]
    errors: list[BaseException] = []

    def writer(k: int) -> None:
        try:
            for i in range(15):
                stores[k % 2].append(ev(f"P{k}", i), at=T0 + i)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    pool = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert errors == []
    assert seqs(stores[0].events_after(0, limit=100)) == list(range(1, 61))
    assert verify_chain(stores[1], hub_key.public_key).checkpoints == 12


def test_verify_while_the_hub_keeps_appending(store: Store, hub_key: HubKey) -> None:
    store.append_many([ev("BLUE", i) for i in range(20)], at=T0)
    stop = threading.Event()
    errors: list[BaseException] = []

    def appender() -> None:
        i = 0
        try:
            while not stop.is_set():
                store.append(ev("BLUE", i), at=T0 + i)
                i += 1
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    t = threading.Thread(target=appender)
    t.start()
    try:
        reports = [verify_chain(store, hub_key.public_key) for _ in range(5)]
    finally:
        stop.set()
        t.join()
    assert errors == []
    assert all(r.entries >= 20 for r in reports)
    assert verify_chain(store, hub_key.public_key).entries == store.head().seq


class _BusyHub:
    """A store through which every read the verifier makes lands just after another append commits:
    the interleaving a live hub produces, made deterministic."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._n = 0

    def _append(self) -> None:
        self._n += 1
        self._store.append(ev("BLUE", self._n), at=T0 + self._n)

    def head(self) -> object:
        self._append()
        return self._store.head()

    def events_after(self, seq: int, **kw: object) -> object:
        self._append()
        return self._store.events_after(seq, **kw)  # type: ignore[arg-type]

    def checkpoints(self, **kw: object) -> object:
        self._append()
        return self._store.checkpoints(**kw)  # type: ignore[arg-type]


def test_verify_ignores_appends_committed_while_it_reads(store: Store, hub_key: HubKey) -> None:
    store.append_many([ev("BLUE", i) for i in range(9)], at=T0)
    report = verify_chain(_BusyHub(store), hub_key.public_key, page=4)  # type: ignore[arg-type]
    assert report.entries == 10  # the head it saw first; later appends are for the next run
    assert verify_chain(store, hub_key.public_key).entries == store.head().seq > 10


def test_a_version_1_database_gains_the_state_mark(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    first = open_store(str(path))
    first.add_party("BLUE", at=T0)
    for i in range(4):
        first.append(ev("BLUE", i), at=T0 + i)
    first.save_states([state("B1", "BLUE", T0)], through_seq=3)
    first.close()
    with sqlite3.connect(path) as conn:  # as airdecon 0.1 left it: migration 1 only
        conn.execute("DROP TABLE state_mark")
        conn.execute("DELETE FROM schema_migrations WHERE version = 2")
    again = open_store(str(path))
    try:
        assert again.schema_version() == SCHEMA_VERSION == 2  # type: ignore[attr-defined]
        # cached every second before: the mark starts at the head, not at 0 (no full replay)
        assert again.states_through() == again.head().seq == 4
        assert [s.aircraft_id for s in again.latest_states()] == ["B1"]
    finally:
        again.close()
