"""The protocol domain's public surface: __all__ lists exactly the public names, and edge cases."""

from __future__ import annotations

from typing import Any

import numpy as np

import airdecon
import airdecon.protocol as protocol
from airdecon.protocol import Negotiation, ProtocolDocument, Signature
from airdecon.state import Fleet
from tests.protocol.conftest import at, document


def test_all_matches_the_public_names() -> None:
    public = {n for n in dir(protocol) if not n.startswith("_")}
    assert set(protocol.__all__) == public
    for name in ("ProtocolDocument", "ProtocolStore", "Negotiation"):
        assert name in airdecon.__all__ and getattr(airdecon, name) is getattr(protocol, name)


def test_an_empty_fleet_and_empty_pairs_are_fine(keys: dict[str, Any]) -> None:
    doc = ProtocolDocument.from_mapping(
        document(keys, formations=[{"id": "F", "party": "BLUE", "aircraft": ["A", "B"]}])
    )
    assert len(airdecon.detect(Fleet.empty(), doc.rules)) == 0
    fleet = Fleet.from_records(
        [{"id": "A", "party": "BLUE", "lat": 0, "lon": 0, "alt_ft": 1000, "gs_kt": 0, "trk_deg": 0}]
    )
    none = np.empty(0, dtype=np.intp)
    h, v = doc.rules.pair_minima(fleet, none, none)
    assert h.shape == v.shape == (0,)
    assert doc.rules.watched(fleet, none, none).shape == (0,)


def test_a_planted_signature_by_a_non_party_is_reported_and_ignored(keys: dict[str, Any]) -> None:
    n = Negotiation()
    v, _ = n.propose(ProtocolDocument.from_mapping(document(keys)), "BLUE", keys["BLUE"], at(0))
    from airdecon.protocol._signing import public_key_text, sign

    planted = Signature(
        party="MALLORY",
        version=v.digest,
        public_key=public_key_text(keys["MALLORY"]),
        signature=sign(keys["MALLORY"], v.data),
        signed_at="2026-11-25T12:00:00Z",
    )
    n2 = Negotiation.restore(n.versions.values(), [*n.signatures[v.digest].values(), planted], n.events)
    assert n2.verify() == [
        f"signature of MALLORY on {v.digest[7:19]}: MALLORY is not a party to this version"
    ]
    assert n2.status(v.digest).signed == ("BLUE",)
