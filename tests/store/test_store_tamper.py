"""Tampering with the database behind the store's back is caught, naming the sequence number.

Each test edits a real SQLite file or PostgreSQL database with plain SQL, as an insider with write
access would, then runs :func:`verify_chain`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import psycopg
import pytest

from airdecon.audit import HubKey, entry_digest, link, verify_chain
from airdecon.errors import IntegrityError
from airdecon.store import ALL, NewEvent, Store
from tests.store.conftest import OpenStore

T0 = 1_764_000_000.0
N = 12  # entries; checkpoints at 5 and 10


def sql(url: str, *statements: str | tuple[str, Sequence[object]]) -> None:
    """Run statements directly against the database at *url* (``?`` placeholders), committed."""
    items = [(s, ()) if isinstance(s, str) else s for s in statements]
    if url.startswith("postgresql://"):
        with psycopg.connect(url) as pg:
            for q, p in items:
                pg.execute(q.replace("?", "%s"), tuple(p))
    else:
        lite = sqlite3.connect(url)
        with lite:
            for q, p in items:
                lite.execute(q, tuple(p))
        lite.close()


@pytest.fixture
def filled(sql_url: str, open_at: OpenStore) -> Store:
    s = open_at(sql_url)
    for i in range(N):
        aud = ALL if i % 3 == 0 else {"BLUE"} if i % 3 == 1 else {"RED"}
        s.append(NewEvent("report", "BLUE" if i % 2 else "RED", {"i": i, "alt_ft": 9000 + i}, audience=aud),
                 at=T0 + i)
    assert verify_chain(s).entries == N
    return s


def broken(store: Store, key: HubKey | None = None) -> IntegrityError:
    with pytest.raises(IntegrityError) as err:
        verify_chain(store, None if key is None else key.public_key)
    return err.value


def test_edited_payload(filled: Store, sql_url: str, hub_key: HubKey) -> None:
    sql(sql_url, "UPDATE events SET payload = '{\"alt_ft\":19000,\"i\":3}' WHERE seq = 4")
    err = broken(filled, hub_key)
    assert err.seq == 4 and "does not match" in err.reason
    assert "seq 4" in str(err)


@pytest.mark.parametrize("column", ["at", "kind", "origin", "audience", "idempotency_key"])
def test_edited_metadata(filled: Store, sql_url: str, column: str) -> None:
    changed = {"at": T0 + 0.5, "kind": "ack", "origin": "GREEN", "audience": '"all"', "idempotency_key": "x"}
    value = changed[column]
    sql(sql_url, (f"UPDATE events SET {column} = ? WHERE seq = 8", (value,)))
    assert broken(filled).seq == 8


def test_unreadable_payload(filled: Store, sql_url: str) -> None:
    sql(sql_url, "UPDATE events SET payload = '{not json' WHERE seq = 6")
    err = broken(filled)
    assert err.seq == 6 and "JSON" in err.reason


def test_swapped_rows(filled: Store, sql_url: str) -> None:
    cols = "at, kind, origin, audience, payload, idempotency_key, hash"
    sql(sql_url,
        "UPDATE events SET seq = -3 WHERE seq = 3",
        "UPDATE events SET seq = 3 WHERE seq = 7",
        "UPDATE events SET seq = 7 WHERE seq = -3")
    assert broken(filled).seq == 3
    assert cols  # the whole row moved, hash included


def test_deleted_row(filled: Store, sql_url: str) -> None:
    sql(sql_url, "DELETE FROM events WHERE seq = 9")
    err = broken(filled)
    assert err.seq == 9 and "missing" in err.reason


def test_inserted_row(filled: Store, sql_url: str) -> None:
    # make room at 3 and insert a forged entry that links correctly to entry 2
    events = filled.events_after(0, limit=N)
    forged = {**events[2].chain_fields(), "payload": {"i": 99}, "audience": "all", "kind": "report"}
    h = link(events[1].hash, entry_digest(forged))
    sql(sql_url,
        "UPDATE events SET seq = seq + 1000 WHERE seq >= 3",
        "UPDATE events SET seq = seq - 999 WHERE seq >= 1000",
        ("INSERT INTO events (seq, at, kind, origin, audience, payload, idempotency_key, hash) "
         "VALUES (3, ?, 'report', ?, '\"all\"', '{\"i\":99}', NULL, ?)", (forged["at"], forged["origin"], h)))
    assert broken(filled).seq == 4  # the forged entry fits, the one it displaced no longer does


def _rewrite_chain(store: Store, url: str) -> None:
    """Recompute every hash after an edit, as a careful forger would (chain head included)."""
    prev = "00" * 32
    updates: list[str | tuple[str, Sequence[object]]] = []
    for e in store.events_after(0, limit=N + 10):
        prev = link(prev, entry_digest(e.chain_fields()))
        updates.append(("UPDATE events SET hash = ? WHERE seq = ?", (prev, e.seq)))
        last = e.seq
    updates.append(("UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1", (last, prev)))
    sql(url, *updates)


def test_edit_with_rewritten_chain_is_caught_by_the_next_checkpoint(
    filled: Store, sql_url: str, hub_key: HubKey
) -> None:
    sql(sql_url, "UPDATE events SET payload = '{\"alt_ft\":1,\"i\":6}' WHERE seq = 7")
    _rewrite_chain(filled, sql_url)
    err = broken(filled, hub_key)
    assert err.seq == 10 and "checkpoint" in err.reason


def test_forging_the_checkpoint_too_needs_the_key(filled: Store, sql_url: str, hub_key: HubKey) -> None:
    sql(sql_url, "UPDATE events SET payload = '{\"alt_ft\":1,\"i\":6}' WHERE seq = 7")
    _rewrite_chain(filled, sql_url)
    new = {e.seq: e.hash for e in filled.events_after(0, limit=N)}
    sql(sql_url, ("UPDATE checkpoints SET hash = ? WHERE seq = 10", (new[10],)))
    assert verify_chain(filled).entries == N  # without the key, a rewritten record looks whole…
    err = broken(filled, hub_key)  # …with it, the checkpoint signature gives it away
    assert err.seq == 10 and "signature is invalid" in err.reason


def test_checkpoint_signed_by_another_key(filled: Store, sql_url: str, hub_key: HubKey) -> None:
    impostor = HubKey.generate()
    assert verify_chain(filled, hub_key.public_key).signatures_checked
    err = broken(filled, impostor)
    assert err.seq == 5 and "not by the trusted key" in err.reason


def test_deleted_last_entry(filled: Store, sql_url: str) -> None:
    sql(sql_url, f"DELETE FROM events WHERE seq = {N}")
    err = broken(filled)
    assert err.seq == N and "chain head" in err.reason


def test_deleted_tail_with_rewritten_head_is_caught_by_a_checkpoint(filled: Store, sql_url: str) -> None:
    events = filled.events_after(0, limit=N)
    sql(sql_url, "DELETE FROM events WHERE seq > 8",
        ("UPDATE chain_head SET seq = 8, hash = ? WHERE id = 1", (events[7].hash,)))
    err = broken(filled)
    assert err.seq == 10 and "beyond" not in err.reason and "ends at entry 8" in err.reason


def test_unsigned_tail_is_reported(filled: Store, hub_key: HubKey) -> None:
    report = verify_chain(filled, hub_key.public_key)
    assert (report.signed_through, report.unsigned_tail) == (10, 2)


def test_audience_index_cannot_leak(filled: Store, sql_url: str) -> None:
    red_only = [e.seq for e in filled.events_after(0, limit=N) if e.audience == frozenset({"RED"})]
    sql(sql_url, *[("INSERT INTO event_audience (party, seq) VALUES ('BLUE', ?)", (s,)) for s in red_only])
    assert not set(red_only) & {e.seq for e in filled.events_after(0, party="BLUE", limit=N)}


def test_refused_audience_rows_do_not_shorten_a_window_page(sql_url: str, open_at: OpenStore) -> None:
    """Rows the re-check refuses (index rows for BLUE on RED's entries) are skipped, not counted:
    a page is still full while the window goes on, and paging yields what the untampered index
    would."""
    s = open_at(sql_url)
    for i in range(40):
        who = "BLUE" if i % 8 in (0, 7) else "RED"  # BLUE's entries: runs of refused rows between them
        s.append(NewEvent("report", who, {"i": i}, audience={who}), at=T0 + i)
    honest = [e.seq for e in s.events_between(T0, T0 + 40, parties=["BLUE"])]
    red_only = [e.seq for e in s.events_between(T0, T0 + 40, parties=["RED"])]
    sql(sql_url, *[("INSERT INTO event_audience (party, seq) VALUES ('BLUE', ?)", (q,)) for q in red_only])
    assert [e.seq for e in s.events_between(T0, T0 + 40, parties=["BLUE"])] == honest
    pages, after = [], 0
    while True:
        page = [e.seq for e in s.events_between(T0, T0 + 40, parties=["BLUE"], limit=3, after_seq=after)]
        pages.append(page)
        if len(page) < 3:
            break
        after = page[-1]
    assert [q for p in pages for q in p] == honest and all(len(p) == 3 for p in pages[:-1])


def test_tokens_are_stored_only_as_hashes(sql_url: str, open_at: OpenStore) -> None:
    s = open_at(sql_url)
    s.add_party("BLUE", at=T0)
    token = s.issue_token("BLUE", at=T0).token
    if sql_url.startswith("postgresql://"):
        with psycopg.connect(sql_url) as conn:
            dump = json.dumps(conn.execute("SELECT * FROM tokens").fetchall(), default=str)
    else:
        s.close()
        files = [p for p in (Path(sql_url), Path(sql_url + "-wal")) if p.exists()]
        dump = "".join(p.read_bytes().decode("latin-1") for p in files)
    assert token not in dump
