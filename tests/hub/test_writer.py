"""Group commit: concurrent appends land in order, are published in order, and fail alone."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from airdecon.audit import HubKey, verify_chain
from airdecon.errors import AirdeconError
from airdecon.hub._writer import SHORT_BYTES, GroupWriter
from airdecon.store import Appended, NewEvent, open_store

T0 = 1_800_000_000.0


def test_concurrent_appends_commit_and_publish_in_sequence_order(tmp_path: Path) -> None:
    key = HubKey.generate()
    store = open_store(str(tmp_path / "w.db"), signer=key, checkpoint_every=50)
    store.add_party("BLUE", at=T0)
    writer = GroupWriter(store, lambda: T0)
    committed: list[int] = []  # on_commit runs in the writer thread, in order
    results: dict[tuple[int, int], int] = {}
    start = threading.Barrier(8)

    def worker(w: int) -> None:
        start.wait()
        for k in range(40):
            ev = NewEvent("note", "BLUE", {"w": w, "k": k}, idempotency_key=f"{w}-{k}")
            got = writer.append([ev], lambda res: committed.extend(a.event.seq for a in res))
            results[(w, k)] = got[0].event.seq

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    writer.close()
    try:
        assert committed == list(range(1, 321))  # every event once, published in sequence order
        assert sorted(results.values()) == committed
        by_seq = {ev.seq: ev.payload for ev in store.events_after(0, limit=1000)}
        assert all(by_seq[seq] == {"w": w, "k": k} for (w, k), seq in results.items())
        report = verify_chain(store, key.public_key)
        assert report.entries == 320 and report.checkpoints == 6 and report.signatures_checked
    finally:
        store.close()


def test_a_failing_request_fails_alone(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "w.db"))
    store.add_party("BLUE", at=T0)
    writer = GroupWriter(store, lambda: T0)
    writer.append([NewEvent("note", "BLUE", {"v": 1}, idempotency_key="k")])
    gate, holding = threading.Event(), threading.Event()
    outcomes: dict[str, object] = {}

    def slow_commit(res: list[Appended]) -> None:
        holding.set()
        gate.wait(5)  # hold the writer so that the next requests queue into one group

    def run(name: str, ev: NewEvent) -> None:
        try:
            outcomes[name] = writer.append([ev])[0]
        except AirdeconError as exc:
            outcomes[name] = exc

    first = threading.Thread(target=lambda: writer.append([NewEvent("note", "BLUE", {"v": 0})], slow_commit))
    first.start()
    assert holding.wait(5)
    others = [
        threading.Thread(target=run, args=("good", NewEvent("note", "BLUE", {"v": 2}))),
        # the same idempotency key with another payload: refused
        threading.Thread(
            target=run, args=("conflict", NewEvent("note", "BLUE", {"v": 3}, idempotency_key="k"))
        ),
        # the same key and payload: an idempotent replay
        threading.Thread(
            target=run, args=("replay", NewEvent("note", "BLUE", {"v": 1}, idempotency_key="k"))
        ),
    ]
    for t in others:
        t.start()
    deadline = time.monotonic() + 5
    while writer._queue.qsize() < 3 and time.monotonic() < deadline:  # all three wait: one group
        time.sleep(0.01)
    assert writer._queue.qsize() == 3
    gate.set()
    first.join()
    for t in others:
        t.join()
    writer.close()
    try:
        assert isinstance(outcomes["conflict"], AirdeconError)
        good, replay = outcomes["good"], outcomes["replay"]
        assert isinstance(good, Appended) and not good.replayed and good.event.payload == {"v": 2}
        assert isinstance(replay, Appended) and replay.replayed and replay.event.seq == 1
        assert [ev.payload for ev in store.events_after(0)] == [{"v": 1}, {"v": 0}, {"v": 2}]
        with pytest.raises(AirdeconError):
            writer.append([NewEvent("note", "BLUE", {"v": 4})])  # closed
    finally:
        store.close()


def test_short_requests_queued_with_long_ones_are_committed_first(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "w.db"))
    store.add_party("BLUE", at=T0)
    writer = GroupWriter(store, lambda: T0)
    gate, holding = threading.Event(), threading.Event()
    order: list[str] = []  # on_commit order: the sequence order

    def hold(res: list[Appended]) -> None:
        holding.set()
        gate.wait(5)

    first = threading.Thread(target=lambda: writer.append([NewEvent("note", "BLUE", {"v": 0})], hold))
    first.start()
    assert holding.wait(5)
    batch = {"rows": [[k, "x" * 40] for k in range(SHORT_BYTES // 40)]}  # a long batch, queued first
    requests = [("long-1", batch), ("short-1", {"alert": 1}), ("long-2", batch), ("short-2", {"alert": 2})]
    threads = []
    for name, payload in requests:
        t = threading.Thread(
            target=writer.append,
            args=([NewEvent("note", "BLUE", payload)], lambda res, name=name: order.append(name)),
        )
        t.start()
        threads.append(t)
        deadline = time.monotonic() + 5
        while writer._queue.qsize() < len(threads) and time.monotonic() < deadline:  # in this order
            time.sleep(0.005)
    gate.set()
    for t in [first, *threads]:
        t.join()
    writer.close()
    try:
        assert order == ["short-1", "short-2", "long-1", "long-2"]
        seqs = {ev.seq: ev.payload for ev in store.events_after(0)}
        assert [seqs[s] for s in (2, 3)] == [{"alert": 1}, {"alert": 2}] and seqs[4] == batch
    finally:
        store.close()


class _StuckStore:
    """A store whose appends never return until released (a disk or database that hangs)."""

    def __init__(self, inner: object) -> None:
        self.inner, self.release, self.entered = inner, threading.Event(), threading.Event()

    def append_many(self, events: object, at: float) -> object:
        self.entered.set()
        self.release.wait(60)
        return self.inner.append_many(events, at=at)  # type: ignore[attr-defined]


def _outcome(
    writer: GroupWriter, payload: dict[str, int], box: dict[str, object], name: str
) -> threading.Thread:
    def run() -> None:
        try:
            box[name] = writer.append([NewEvent("note", "BLUE", payload)])
        except BaseException as exc:
            box[name] = exc

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def test_close_with_a_store_that_hangs_fails_every_waiting_caller(tmp_path: Path) -> None:
    """Shutdown with a store that never answers: the caller in the transaction and the callers
    queued behind it get an error within the close's timeout, none waits forever."""
    inner = open_store(str(tmp_path / "w.db"))
    inner.add_party("BLUE", at=T0)
    stuck = _StuckStore(inner)
    writer = GroupWriter(stuck, lambda: T0)  # type: ignore[arg-type]
    box: dict[str, object] = {}
    try:
        first = _outcome(writer, {"v": 1}, box, "in-flight")
        assert stuck.entered.wait(5)
        queued = _outcome(writer, {"v": 2}, box, "queued")
        deadline = time.monotonic() + 5
        while writer._queue.qsize() < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        writer.close(timeout=0.2)
        first.join(5)
        queued.join(5)
        assert not first.is_alive() and not queued.is_alive(), "a caller still waits after the close"
        assert isinstance(box["in-flight"], AirdeconError) and isinstance(box["queued"], AirdeconError)
        late = _outcome(writer, {"v": 3}, box, "late")
        late.join(5)
        assert isinstance(box["late"], AirdeconError)
    finally:
        stuck.release.set()
        inner.close()


def test_a_writer_thread_that_dies_fails_its_callers_instead_of_leaving_them_waiting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(str(tmp_path / "w.db"))
    store.add_party("BLUE", at=T0)
    writer = GroupWriter(store, lambda: T0)
    box: dict[str, object] = {}

    def bug(group: object) -> None:
        raise RuntimeError("a bug in the writer")

    monkeypatch.setattr(writer, "_write", bug)
    try:
        t = _outcome(writer, {"v": 1}, box, "first")
        t.join(5)
        assert not t.is_alive(), "the caller waits forever on a dead writer"
        assert isinstance(box["first"], AirdeconError)
        t = _outcome(writer, {"v": 2}, box, "after")
        t.join(5)
        assert not t.is_alive() and isinstance(box["after"], AirdeconError)
    finally:
        writer.close(timeout=1)
        store.close()
