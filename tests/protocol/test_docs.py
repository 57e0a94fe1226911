"""docs/protocol.md stays true: its full example is a valid document, and its claims about it hold."""

from __future__ import annotations

import re
from pathlib import Path

import airdecon
from airdecon.protocol import ProtocolDocument
from airdecon.state import Fleet

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"


def example() -> ProtocolDocument:
    text = DOC.read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", text, re.S)
    assert block is not None, "docs/protocol.md lost its YAML example"
    return ProtocolDocument.parse(block.group(1), source="docs/protocol.md example")


def test_the_documented_example_is_valid_and_complete() -> None:
    doc = example()
    assert doc.party_ids == ("BLUE", "GREEN", "RED", "CIVIL")
    assert doc.party("GREEN").lead == "BLUE"
    assert [v.name for v in doc.minima.volumes] == ["strike area", "terminal area"]
    # every section is spelled out in the example, so its normalised form adds nothing
    raw = ProtocolDocument.parse(DOC.read_text().split("```yaml\n")[1].split("```")[0]).to_mapping()
    assert set(raw) == {
        "format",
        "title",
        "revision",
        "parent",
        "parties",
        "minima",
        "alerting",
        "distress",
        "rules_of_the_air",
        "formations",
    }


def test_the_documented_example_drives_the_engine() -> None:
    doc = example()
    fleet = Fleet.from_records(
        [
            # RED watches its own pairs: two RED aircraft head-on are found
            {
                "id": "R1",
                "party": "RED",
                "lat": 33.0,
                "lon": 30.0,
                "alt_ft": 30000,
                "gs_kt": 450,
                "trk_deg": 90,
            },
            {
                "id": "R2",
                "party": "RED",
                "lat": 33.0,
                "lon": 30.9,
                "alt_ft": 30000,
                "gs_kt": 450,
                "trk_deg": 270,
            },
            # BLUE does not: its formation members and other pairs are its own business
            {
                "id": "BLUE-11",
                "party": "BLUE",
                "lat": 32.0,
                "lon": 30.0,
                "alt_ft": 30000,
                "gs_kt": 450,
                "trk_deg": 90,
            },
            {
                "id": "BLUE-12",
                "party": "BLUE",
                "lat": 32.0,
                "lon": 30.9,
                "alt_ft": 30000,
                "gs_kt": 450,
                "trk_deg": 270,
            },
        ]
    )
    assert airdecon.detect(fleet, doc.rules).pairs() == {("R1", "R2")}


def test_every_disclosure_term_is_documented() -> None:
    """Each term of the protocol's ``disclosure`` section is named in docs/hub.md, where the
    need-to-know rules are described (``plans_name_party`` also in docs/operations.md)."""
    from dataclasses import fields

    from airdecon.protocol import DisclosureRules

    hub = (DOC.parent / "hub.md").read_text(encoding="utf-8")
    for f in fields(DisclosureRules):
        assert f"`{f.name}`" in hub or f"`disclosure.{f.name}`" in hub, f.name
    assert "plans_name_party: false" in (DOC.parent / "operations.md").read_text(encoding="utf-8")
