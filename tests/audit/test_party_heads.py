"""Per-party signed heads, without a hub: folds, signatures, and checking them against a store
and against windowed exports (whose party anchors are the exporter's unsigned claim)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from airdecon.audit import (
    GENESIS,
    HubKey,
    PartyHead,
    export_incident,
    fold_parties,
    fold_party,
    link,
    sign_party_head,
    verify_chain,
    verify_export,
)
from airdecon.errors import InputError, IntegrityError
from airdecon.store import ALL, NewEvent, Store, open_store

T0 = 1_800_000_000.0


@pytest.fixture
def key() -> HubKey:
    return HubKey.generate()


@pytest.fixture
def store(key: HubKey) -> Iterator[Store]:
    """12 entries 10 s apart, alternately BLUE's and RED's, every fourth one for all."""
    s = open_store("memory://", signer=key, checkpoint_every=4)
    for i in range(12):
        aud: object = "all" if i % 4 == 3 else ({"BLUE"} if i % 2 == 0 else {"RED"})
        s.append(NewEvent("message", "HUB", {"i": i}, audience=aud), at=T0 + 10 * i)  # type: ignore[arg-type]
    yield s
    s.close()


def heads_of(store: Store, key: HubKey, party: str) -> list[PartyHead]:
    """A head after each entry *party* may see, signed when the entry was recorded."""
    out = []
    for ev in store.events_after(0, party=party):
        f = fold_party(store, party, through_seq=ev.seq)
        out.append(sign_party_head(key, party, f.n, f.hash, ev.at))
    return out


def test_the_fold_is_the_chain_of_the_partys_global_hashes(store: Store) -> None:
    mine = store.events_after(0, party="BLUE")
    expected = GENESIS
    for ev in mine:
        expected = link(expected, ev.hash)
    f = fold_party(store, "BLUE", through_seq=store.head().seq)
    assert (f.n, f.hash) == (len(mine), expected) == (6 + 3, expected)


def test_heads_round_trip_and_their_signature_binds_every_field(store: Store, key: HubKey) -> None:
    head = heads_of(store, key, "BLUE")[-1]
    again = PartyHead.from_json(json.loads(json.dumps(head.to_json())))
    assert again == head
    again.check(key.public_key)
    for change in ({"n": head.n + 1}, {"party": "RED"}, {"at": head.at + 1}, {"hash": "00" * 32}):
        forged = PartyHead.from_json({**head.to_json(), **change})
        with pytest.raises(IntegrityError, match="invalid signature"):
            forged.check(key.public_key)
    with pytest.raises(IntegrityError, match="not by the trusted key"):
        head.check(HubKey.generate().public_key)
    with pytest.raises(InputError):
        PartyHead.from_json({**head.to_json(), "n": 0})


def test_store_verification_with_every_partys_heads(store: Store, key: HubKey) -> None:
    heads = heads_of(store, key, "BLUE") + heads_of(store, key, "RED")
    report = verify_chain(store, key.public_key, heads=heads).heads
    assert report is not None and report.checked == len(heads) and report.parties == ("BLUE", "RED")


def test_a_windowed_export_checks_the_heads_after_its_start(store: Store, key: HubKey) -> None:
    heads = heads_of(store, key, "BLUE")
    doc = export_incident(store, T0 + 40, T0 + 75, parties=["BLUE"])  # entries 5 to 8
    assert doc["party_anchors"] == {"BLUE": {"n": 3, "hash": heads[2].hash}}
    report = verify_export(doc, key.public_key, heads=heads).heads
    # BLUE's entries 4-6 are in the window; 1-3 before it (anchor), 7-9 signed after it
    assert report is not None and (report.checked, report.uncovered) == (3, 6)


def test_a_forged_anchor_proves_nothing(store: Store, key: HubKey) -> None:
    """The exporter knows the heads it signed: an anchor copied from the party's last head makes
    every head 'before the window', so none is counted as checked."""
    heads = heads_of(store, key, "BLUE")
    doc = export_incident(store, T0 + 40, T0 + 110, parties=["BLUE"])
    doc["party_anchors"] = {"BLUE": {"n": heads[-1].n, "hash": heads[-1].hash}}
    report = verify_export(doc, key.public_key, heads=heads).heads
    assert report is not None and report.checked == 0
    # and an anchor that claims fewer earlier entries than a head signed before the window shows
    doc["party_anchors"] = {"BLUE": {"n": 0, "hash": GENESIS}}
    with pytest.raises(IntegrityError, match="anchor is false"):
        verify_export(doc, key.public_key, heads=heads)


def test_an_export_that_stops_short_of_a_head_in_its_window_is_a_truncation(
    store: Store, key: HubKey
) -> None:
    heads = heads_of(store, key, "BLUE")
    doc = export_incident(store, T0, T0 + 1000, parties=["BLUE"])
    entries = doc["entries"]
    assert isinstance(entries, list)
    last_blue = max(i for i, e in enumerate(entries) if not e.get("redacted") and e["audience"] != ["RED"])
    doc["entries"] = entries[:last_blue]  # the party's last entry cut off (and what follows)
    doc["checkpoints"] = [cp for cp in doc["checkpoints"] if cp["seq"] < entries[last_blue]["seq"]]  # type: ignore[index,union-attr]
    with pytest.raises(IntegrityError, match="entries were deleted"):
        verify_export(doc, key.public_key, heads=heads, require_signed=False)


def test_one_pass_folds_every_party_as_its_own_scan_does() -> None:
    s = open_store("memory://")
    parties = ["BLUE", "RED", "GREEN", "CIVIL", "NOBODY"]
    auds = [ALL, {"BLUE"}, {"RED"}, {"GREEN", "BLUE"}, {"CIVIL"}, {"RED", "CIVIL", "BLUE"}]
    for j in range(3000):
        s.append(NewEvent("report", parties[j % 4], {"j": j}, audience=auds[(j * 7) % 6]), at=1e9 + j)
    for through in (0, 1, 999, 1000, 2345, 3000):
        one = fold_parties(s, parties, through_seq=through, page=256)
        for p in parties:
            each = fold_party(s, p, through_seq=through)
            assert (one[p].n, one[p].hash) == (each.n, each.hash), (p, through)
