"""Negotiation: propose, counter, accept, amend; in force only when every party has signed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from airdecon.errors import ProtocolError
from airdecon.protocol import Negotiation, ProtocolDocument, ProtocolStore, diff_documents, public_key_text
from tests.protocol.conftest import PARTIES, at, document


def first(keys: dict[str, Any]) -> ProtocolDocument:
    return ProtocolDocument.from_mapping(document(keys))


def agreed(keys: dict[str, Any]) -> tuple[Negotiation, str]:
    n = Negotiation()
    v, _ = n.propose(first(keys), "BLUE", keys["BLUE"], at(0))
    n.accept(v.digest, "RED", keys["RED"], at(1))
    n.accept(v.digest, "CIVIL", keys["CIVIL"], at(2))
    return n, v.digest


def test_a_version_is_in_force_only_when_every_party_has_signed(keys: dict[str, Any]) -> None:
    n = Negotiation()
    v, sig = n.propose(first(keys), "BLUE", keys["BLUE"], at(0))
    assert sig.party == "BLUE" and sig.signed_at == "2026-11-25T12:00:00Z"
    assert n.in_force() is None
    assert n.status(v.digest).missing == ("RED", "CIVIL")
    n.accept(v.digest, "RED", keys["RED"], at(1))
    assert n.in_force() is None and n.status(v.digest).state == "open"
    n.accept(v.digest, "CIVIL", keys["CIVIL"], at(2))
    assert n.in_force() == v
    assert n.status("current").state == "in force"
    assert n.verify() == []
    assert [e.action for e in n.events] == ["propose", "accept", "accept"]


@pytest.mark.parametrize("missing", PARTIES)
def test_any_missing_signature_keeps_a_version_out_of_force(keys: dict[str, Any], missing: str) -> None:
    n = Negotiation()
    doc = first(keys)
    author = "RED" if missing == "BLUE" else "BLUE"
    v, _ = n.propose(doc, author, keys[author], at(0))
    for p in PARTIES:
        if p not in (missing, author):
            n.accept(v.digest, p, keys[p], at(1))
    assert n.in_force() is None
    assert n.status(v.digest).missing == (missing,)


def test_a_signature_by_the_wrong_key_is_refused_and_never_counts(keys: dict[str, Any]) -> None:
    n = Negotiation()
    v, _ = n.propose(first(keys), "BLUE", keys["BLUE"], at(0))
    with pytest.raises(ProtocolError, match="not RED's signing key"):
        n.accept(v.digest, "RED", keys["MALLORY"], at(1))
    with pytest.raises(ProtocolError, match="unknown party 'MALLORY'"):
        n.accept(v.digest, "MALLORY", keys["MALLORY"], at(1))
    with pytest.raises(ProtocolError, match="BLUE has already signed"):
        n.accept(v.digest, "BLUE", keys["BLUE"], at(1))


def test_counter_derives_a_new_version_with_a_visible_diff(keys: dict[str, Any]) -> None:
    n = Negotiation()
    v1, _ = n.propose(first(keys), "BLUE", keys["BLUE"], at(0))
    countered = v1.document.derive(minima={"default": {"horizontal_nm": 10, "vertical_ft": 1000}})
    v2, _ = n.counter(countered, "RED", keys["RED"], at(5))
    assert v2.document.parent == v1.digest and v2.document.revision == 2
    changes = [str(c) for c in diff_documents(v1.document, v2.document)]
    assert "~ minima.default.horizontal_nm: 5 -> 10" in changes
    assert any(c.startswith("~ parent: null -> ") for c in changes)
    n.accept(v2.digest, "BLUE", keys["BLUE"], at(6))
    n.accept(v2.digest, "CIVIL", keys["CIVIL"], at(7))
    assert n.in_force() == v2
    assert n.status(v1.digest).state == "stale"
    with pytest.raises(ProtocolError, match=r"cannot accept version r1 .*: it is stale"):
        n.accept(v1.digest, "RED", keys["RED"], at(8))


def test_amendment_supersedes_the_version_in_force_only_once_fully_signed(keys: dict[str, Any]) -> None:
    n, v1 = agreed(keys)
    doc = n.versions[v1].document
    parties = [p.to_mapping() for p in doc.parties]
    parties[1]["watch_own_pairs"] = True
    v2, _ = n.amend(doc.derive(parties=parties), "RED", keys["RED"], at(10))
    assert n.in_force().digest == v1  # type: ignore[union-attr]
    with pytest.raises(ProtocolError, match="is in force: propose an amendment"):
        n.propose(
            ProtocolDocument.from_mapping(document(keys, title="a fresh start")),
            "BLUE",
            keys["BLUE"],
            at(11),
        )
    n.accept(v2.digest, "BLUE", keys["BLUE"], at(12))
    n.accept(v2.digest, "CIVIL", keys["CIVIL"], at(13))
    assert n.in_force() == v2
    assert n.status(v1).state == "superseded"
    assert n.verify() == []


def test_an_amendment_cannot_replace_another_partys_key_and_sign_for_it(keys: dict[str, Any]) -> None:
    n, v1 = agreed(keys)
    doc = n.versions[v1].document
    parties = [p.to_mapping() for p in doc.parties]
    parties[1]["signing_key"] = public_key_text(keys["MALLORY"])  # BLUE swaps RED's key for its own
    v2, _ = n.amend(doc.derive(parties=parties), "BLUE", keys["BLUE"], at(10))
    with pytest.raises(ProtocolError, match="not RED's signing key"):
        n.accept(v2.digest, "RED", keys["MALLORY"], at(11))
    # the genuine RED can accept a rotation, signing with the key in force
    n.accept(v2.digest, "RED", keys["RED"], at(12))
    n.accept(v2.digest, "CIVIL", keys["CIVIL"], at(13))
    assert n.in_force() == v2
    assert n.expected_key(v2.digest, "RED") == public_key_text(keys["RED"])


def test_derived_versions_must_follow_their_parent(keys: dict[str, Any]) -> None:
    n = Negotiation()
    v1, _ = n.propose(first(keys), "BLUE", keys["BLUE"], at(0))
    orphan = ProtocolDocument.from_mapping(document(keys, revision=2, parent="sha256:" + "0" * 64))
    with pytest.raises(ProtocolError, match="parent: unknown version"):
        n.counter(orphan, "RED", keys["RED"], at(1))
    skipped = ProtocolDocument.from_mapping(document(keys, revision=3, parent=v1.digest))
    with pytest.raises(ProtocolError, match="revision: must be 2"):
        n.counter(skipped, "RED", keys["RED"], at(1))
    with pytest.raises(ProtocolError, match=r"cannot amend version r1 .*: it is open, not in force"):
        n.amend(v1.document.derive(title="amended"), "RED", keys["RED"], at(1))


def test_timestamps_must_be_aware(keys: dict[str, Any]) -> None:
    from datetime import datetime

    with pytest.raises(ProtocolError, match="has no time zone"):
        Negotiation().propose(first(keys), "BLUE", keys["BLUE"], datetime(2026, 1, 1))  # noqa: DTZ001


# ---- the files ------------------------------------------------------------------------------------
def saved(keys: dict[str, Any], tmp_path: Any) -> tuple[ProtocolStore, str]:
    store = ProtocolStore.init(tmp_path / "proto")
    n, v1 = agreed(keys)
    store.save(n)
    return store, v1


def test_store_round_trip_verifies_offline(keys: dict[str, Any], tmp_path: Any) -> None:
    store, v1 = saved(keys, tmp_path)
    loaded = ProtocolStore(store.path).load()
    assert loaded.check() is not None and loaded.check().digest == v1  # type: ignore[union-attr]
    assert len(loaded.events) == 3
    data = store.version_path(v1).read_bytes()
    assert ProtocolDocument.parse(data, fmt="json").canonical_bytes() == data


def test_a_tampered_document_fails_verification_with_a_clear_message(
    keys: dict[str, Any], tmp_path: Any
) -> None:
    store, v1 = saved(keys, tmp_path)
    path = store.version_path(v1)
    path.write_bytes(path.read_bytes().replace(b'"horizontal_nm":5', b'"horizontal_nm":2'))
    with pytest.raises(ProtocolError, match=r"content does not match its digest \(the document was altered"):
        store.load()


def test_a_tampered_document_under_its_new_digest_has_no_valid_signature(
    keys: dict[str, Any], tmp_path: Any
) -> None:
    store, v1 = saved(keys, tmp_path)
    old = store.version_path(v1)
    altered = old.read_bytes().replace(b'"horizontal_nm":5', b'"horizontal_nm":2')
    from airdecon.protocol import digest_of

    new_digest = digest_of(altered)
    store.version_path(new_digest).write_bytes(altered)
    old.unlink()
    sig_dir = store.signature_path(v1, "BLUE").parent
    new_dir = store.signature_path(new_digest, "BLUE").parent
    new_dir.mkdir()
    for f in sig_dir.iterdir():
        rec = json.loads(f.read_text())
        rec["version"] = new_digest
        (new_dir / f.name).write_text(json.dumps(rec))
        f.unlink()
    sig_dir.rmdir()
    n = store.load()
    problems = n.verify()
    assert len([p for p in problems if "does not verify against" in p]) == 3
    assert n.in_force() is None
    with pytest.raises(ProtocolError, match="verification failed"):
        n.check()


def test_a_tampered_signature_fails_verification(keys: dict[str, Any], tmp_path: Any) -> None:
    store, v1 = saved(keys, tmp_path)
    f = store.signature_path(v1, "RED")
    rec = json.loads(f.read_text())
    raw = bytearray(__import__("base64").b64decode(rec["signature"]))
    raw[10] ^= 0x01
    rec["signature"] = __import__("base64").b64encode(bytes(raw)).decode()
    f.write_text(json.dumps(rec))
    n = store.load()
    assert n.verify() == [
        f"signature of RED on {v1[7:19]}: does not verify against RED's key "
        "(the document or the signature was altered)"
    ]
    assert n.in_force() is None


def test_store_never_overwrites_and_refuses_a_rewritten_history(keys: dict[str, Any], tmp_path: Any) -> None:
    store, _ = saved(keys, tmp_path)
    other, _ = agreed(keys)  # the same negotiation, whose first event is then rewritten
    other.events[0] = other.events[0].__class__(**{**other.events[0].to_mapping(), "party": "RED"})
    with pytest.raises(ProtocolError, match=r"history\.jsonl: the stored history differs"):
        store.save(other)
    with pytest.raises(ProtocolError, match="exists and is not an empty directory"):
        ProtocolStore.init(store.path)
    with pytest.raises(ProtocolError, match="not a protocol directory"):
        ProtocolStore(tmp_path)


def test_derive_accepts_section_objects_and_revalidates(keys: dict[str, Any]) -> None:
    doc = first(keys)
    parties = list(doc.parties)
    parties[0] = parties[0].__class__(**{**parties[0].__dict__, "watch_own_pairs": True})
    child = doc.derive(parties=tuple(parties), rules_of_the_air=doc.rules_of_the_air)
    assert child.party("BLUE").watch_own_pairs is True and child.parent == doc.digest
    with pytest.raises(ProtocolError, match=r"minima.default.horizontal_nm: must be > 0"):
        doc.derive(minima={"default": {"horizontal_nm": 0}})
    with pytest.raises(ProtocolError, match="revision: cannot be replaced"):
        doc.derive(revision=5)
