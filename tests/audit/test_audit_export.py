"""Incident exports: complete for the window, redacted outside a party's view, verifiable offline only
when untouched."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from airdecon.audit import HubKey, export_incident, verify_export
from airdecon.errors import InputError, IntegrityError
from airdecon.store import ALL, NewEvent, Store, open_store

T0 = 1_764_000_000.0


@pytest.fixture(scope="module")
def key() -> HubKey:
    return HubKey.generate()


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path, key: HubKey) -> Store:
    url = "memory://" if request.param == "memory" else str(tmp_path / "hub.db")
    s = open_store(url, signer=key, checkpoint_every=4)
    request.addfinalizer(s.close)
    # 1..10: a BLUE/RED incident at T0+3..T0+6 among other traffic
    plan = [("CIVIL", ALL), ("BLUE", {"BLUE"}), ("GREEN", {"GREEN"}), ("HUB", {"BLUE", "RED"}),
            ("GREEN", {"GREEN"}), ("RED", {"RED"}), ("HUB", ALL), ("BLUE", {"BLUE"}), ("RED", {"RED"}),
            ("GREEN", {"GREEN"})]
    for i, (origin, aud) in enumerate(plan):
        s.append(NewEvent("report", origin, {"i": i, "secret": f"{origin}-{i}"}, audience=aud), at=T0 + i)
    return s


def test_full_window_export_verifies(store: Store, key: HubKey) -> None:
    doc = export_incident(store, T0 + 3, T0 + 6)
    entries = doc["entries"]
    assert isinstance(entries, list)
    assert [e["seq"] for e in entries] == [4, 5, 6, 7, 8]  # window 4..7, then up to checkpoint 8
    assert [e.get("redacted", False) for e in entries] == [False, False, False, False, True]
    report = verify_export(json.dumps(doc), key.public_pem())
    assert (report.disclosed, report.redacted, report.first_seq, report.last_seq, report.signed_through) == (
        4, 1, 4, 8, 8)


def test_party_export_redacts_what_they_may_not_see(store: Store, key: HubKey) -> None:
    doc = export_incident(store, T0 + 3, T0 + 6, parties=["BLUE", "RED"])
    text = json.dumps(doc)
    assert "GREEN-4" not in text and "BLUE-7" not in text  # GREEN's entry and one outside the window
    assert "RED-5" in text and "HUB-3" in text
    entries = doc["entries"]
    assert isinstance(entries, list)
    shown = {e["seq"]: e for e in entries}
    assert shown[5]["redacted"] is True and set(shown[5]) == {"seq", "redacted", "digest", "hash"}
    report = verify_export(doc, key.public_key)
    assert (report.disclosed, report.redacted) == (3, 2)


def test_empty_window(store: Store, key: HubKey) -> None:
    doc = export_incident(store, T0 + 100, T0 + 200)
    assert doc["entries"] == [] and verify_export(doc, key.public_key).disclosed == 0


def _tampered(doc: dict[str, object], change: str) -> dict[str, object]:
    bad = copy.deepcopy(doc)
    entries = bad["entries"]
    assert isinstance(entries, list)
    if change == "payload":
        entries[0]["payload"]["secret"] = "edited"
    elif change == "time":
        entries[1]["at"] += 1
    elif change == "digest":
        entries[-1]["digest"] = "00" * 32
    elif change == "delete":
        del entries[1]
    elif change == "swap":
        entries[0], entries[1] = entries[1], entries[0]
    elif change == "anchor":
        bad["anchor"]["hash"] = "11" * 32  # type: ignore[index]
    elif change == "signature":
        sig = bad["checkpoints"][0]["signature"]  # type: ignore[index]
        bad["checkpoints"][0]["signature"] = ("0" if sig[0] != "0" else "1") + sig[1:]  # type: ignore[index]
    elif change == "no checkpoint":
        bad["checkpoints"] = []
    return bad


@pytest.mark.parametrize(
    ("change", "seq"),
    [("payload", 4), ("time", 5), ("digest", 8), ("delete", 5), ("swap", 4), ("anchor", 4),
     ("signature", 4), ("no checkpoint", 7)],
)
def test_edited_export_fails_naming_the_entry(store: Store, key: HubKey, change: str, seq: int) -> None:
    doc = export_incident(store, T0 + 3, T0 + 6)
    with pytest.raises(IntegrityError) as err:
        verify_export(_tampered(doc, change), key.public_key)
    assert err.value.seq == seq


def test_export_needs_the_right_key(store: Store, key: HubKey) -> None:
    doc = export_incident(store, T0 + 3, T0 + 6)
    with pytest.raises(IntegrityError, match="not by the trusted key"):
        verify_export(doc, HubKey.generate().public_key)


def test_unsigned_tail_is_refused_unless_asked(store: Store, key: HubKey) -> None:
    doc = export_incident(store, T0 + 8, T0 + 9)  # entries 9, 10: after the last checkpoint (8)
    with pytest.raises(IntegrityError, match="not covered by a signed checkpoint"):
        verify_export(doc, key.public_key)
    assert verify_export(doc, key.public_key, require_signed=False).signed_through == 0
    store.checkpoint(at=T0 + 20)
    assert verify_export(export_incident(store, T0 + 8, T0 + 9), key.public_key).signed_through == 10


@pytest.mark.parametrize("junk", ["not json", "[]", '{"format": "other"}',
                                  '{"format": "airdecon-incident/1", "entries": "x"}'])
def test_junk_is_an_input_error(key: HubKey, junk: str) -> None:
    with pytest.raises(InputError):
        verify_export(junk, key.public_key)
