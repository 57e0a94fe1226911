"""The protocol document: validation names the field, defaults are explicit, rules reach the engine."""

from __future__ import annotations

import json
from typing import Any

import pytest

from airdecon.errors import AirdeconError, ProtocolError
from airdecon.protocol import ProtocolDocument, SafetyProtocol, public_key_text
from airdecon.units import FT, KT, NM
from tests.protocol.conftest import document


def test_minimal_document_gets_every_default_written_out(keys: dict[str, Any]) -> None:
    doc = ProtocolDocument.from_mapping(document(keys))
    m = doc.to_mapping()
    assert m["minima"]["default"] == {"horizontal_nm": 5.0, "vertical_ft": 1000.0}
    assert m["distress"]["frequencies_mhz"] == [121.5, 243.0]
    assert m["distress"]["squawk_codes"] == ["7500", "7600", "7700"]
    assert m["distress"]["adsb_emergency_status"] == [1, 2, 3, 4, 5, 6]
    assert m["alerting"]["lookahead_s"] == 300.0
    assert m["revision"] == 1 and m["parent"] is None
    assert [p["watch_own_pairs"] for p in m["parties"]] == [False, False, False]


def test_rules_map_onto_safety_protocol_in_si_units(keys: dict[str, Any]) -> None:
    doc = ProtocolDocument.from_mapping(
        document(
            keys,
            minima={"default": {"horizontal_nm": 8, "vertical_ft": 2000}},
            alerting={
                "lookahead_s": 240,
                "caution_s": 90,
                "warning_s": 45,
                "stale_s": 10,
                "drop_s": 40,
                "position_error_nm": 0.5,
                "velocity_error_kt": 10,
            },
            rules_of_the_air={"head_on_deg": 15, "overtaking_deg": 70, "follow_tcas": False},
        )
    )
    r = doc.rules
    assert isinstance(r, SafetyProtocol)
    assert r.horizontal_m == pytest.approx(8 * NM)
    assert r.vertical_m == pytest.approx(2000 * FT)
    assert (r.lookahead_s, r.caution_s, r.warning_s, r.stale_s, r.drop_s) == (240, 90, 45, 10, 40)
    assert r.position_error_m == pytest.approx(0.5 * NM)
    assert r.velocity_error_mps == pytest.approx(10 * KT)
    assert r.rules.head_on_deg == 15 and r.rules.follow_tcas is False


def test_the_scenario_protocol_block_still_reads() -> None:
    p = SafetyProtocol.from_mapping({"horizontal_nm": 3, "vertical_ft": 1000, "lookahead_s": 120})
    assert p.horizontal_m == pytest.approx(3 * NM) and p.policy is None
    assert p.to_mapping() == {"horizontal_nm": 3.0, "vertical_ft": 1000.0, "lookahead_s": 120.0}


def _set(doc: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    node = doc
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    return doc


BAD: list[tuple[str, tuple[Any, ...], Any, str]] = [
    (
        "negative default minimum",
        ("minima",),
        {"default": {"horizontal_nm": -5}},
        "minima.default.horizontal_nm: must be > 0",
    ),
    (
        "zero vertical",
        ("minima",),
        {"default": {"vertical_ft": 0}},
        "minima.default.vertical_ft: must be > 0",
    ),
    ("unknown lead", ("parties", 1), None, "parties[3].lead: unknown party 'YELLOW'"),
    (
        "unknown formation party",
        ("formations",),
        [{"id": "F1", "party": "YELLOW", "aircraft": ["A", "B"]}],
        "formations[0].party: unknown party 'YELLOW'",
    ),
    (
        "polygon of two points",
        ("minima",),
        {"volumes": [{"name": "TMA", "polygon_deg": [[35, 33], [36, 34]], "horizontal_nm": 3}]},
        "minima.volumes[0].polygon_deg: needs at least 3 distinct points, got 2",
    ),
    (
        "latitude out of range",
        ("minima",),
        {"volumes": [{"name": "TMA", "polygon_deg": [[35, 33], [91, 34], [35, 35]], "horizontal_nm": 3}]},
        "minima.volumes[0].polygon_deg[1][0] (latitude): must be <= 90",
    ),
    ("unknown top-level field", ("colour",), "blue", "<document>: unknown field(s) ['colour']"),
    (
        "unknown nested field",
        ("distress",),
        {"frequencies_mhz": [121.5], "pager": 1},
        "distress: unknown field(s) ['pager']",
    ),
    (
        "adsb status 7 is reserved",
        ("distress",),
        {"adsb_emergency_status": [1, 7]},
        "distress.adsb_emergency_status[1]: must be <= 6",
    ),
    (
        "squawk not octal",
        ("distress",),
        {"squawk_codes": ["7800"]},
        "distress.squawk_codes[0]: must be a 4-digit octal SSR code",
    ),
    (
        "warning after caution",
        ("alerting",),
        {"caution_s": 30, "warning_s": 60},
        "alerting.warning_s: must not exceed caution_s (30)",
    ),
    (
        "escalate before acknowledge",
        ("distress",),
        {"on_receipt": {"acknowledge_within_s": 60, "escalate_after_s": 10}},
        "distress.on_receipt.escalate_after_s: must not be less than",
    ),
    ("bad key", ("parties", 0, "signing_key"), "ed25519:AAAA", "parties[0].signing_key: an Ed25519 public"),
    ("boolean as number", ("alerting",), {"lookahead_s": True}, "alerting.lookahead_s: must be a number"),
    (
        "band without limits",
        ("minima",),
        {"altitude_bands": [{"name": "all", "vertical_ft": 2000}]},
        "minima.altitude_bands[0]: an altitude band needs floor_ft or ceiling_ft",
    ),
    (
        "ceiling under floor",
        ("minima",),
        {"altitude_bands": [{"name": "b", "floor_ft": 30000, "ceiling_ft": 20000, "vertical_ft": 2000}]},
        "minima.altitude_bands[0].ceiling_ft: must be above floor_ft",
    ),
    (
        "aircraft in two formations",
        ("formations",),
        [
            {"id": "F1", "party": "BLUE", "aircraft": ["A", "B"]},
            {"id": "F2", "party": "BLUE", "aircraft": ["C", "A"]},
        ],
        "formations[1].aircraft[1]: 'A' is already in formation 'F1'",
    ),
    ("revision without parent", ("revision",), 2, "parent: missing"),
    (
        "contact without phone",
        ("parties", 0, "contacts"),
        [{"name": "ops"}],
        "parties[0].contacts[0].phone: missing",
    ),
    ("no contacts", ("parties", 0, "contacts"), [], "parties[0].contacts: needs at least 1 item(s), got 0"),
    ("unknown role", ("parties", 0, "role"), "ally", "parties[0].role: must be one of"),
]


@pytest.mark.parametrize(("case", "path", "value", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_documents_are_rejected_naming_the_field(
    keys: dict[str, Any], case: str, path: tuple[Any, ...], value: Any, message: str
) -> None:
    doc = document(keys)
    if case == "unknown lead":
        doc["parties"].append(
            {
                "id": "GREEN",
                "name": "Green",
                "role": "coalition",
                "lead": "YELLOW",
                "signing_key": public_key_text(keys["GREEN"]),
                "contacts": [{"name": "g", "phone": "+44 20 0000 0000"}],
            }
        )
    else:
        _set(doc, path, value)
    with pytest.raises(ProtocolError) as info:
        ProtocolDocument.from_mapping(doc)
    assert message in str(info.value)
    assert isinstance(info.value, AirdeconError) and isinstance(info.value, ValueError)


def test_duplicate_keys_are_rejected_in_json_and_yaml(keys: dict[str, Any]) -> None:
    text = json.dumps(document(keys))
    dup_json = text[:-1] + ', "title": "again"}'
    with pytest.raises(ProtocolError, match=r"doc.json: duplicate key 'title'"):
        ProtocolDocument.parse(dup_json, source="doc.json")
    dup_yaml = "format: airdecon.protocol/1\ntitle: a\ntitle: b\nparties: []\n"
    with pytest.raises(ProtocolError, match=r"doc.yaml: duplicate key 'title'"):
        ProtocolDocument.parse(dup_yaml, source="doc.yaml")


def test_duplicate_party_ids_and_shared_keys_are_rejected(keys: dict[str, Any]) -> None:
    doc = document(keys)
    doc["parties"][1]["id"] = "BLUE"
    with pytest.raises(ProtocolError, match=r"parties\[1\]: duplicate party id 'BLUE'"):
        ProtocolDocument.from_mapping(doc)
    doc = document(keys)
    doc["parties"][1]["signing_key"] = doc["parties"][0]["signing_key"]
    with pytest.raises(ProtocolError, match=r"parties\[1\]: duplicate signing key"):
        ProtocolDocument.from_mapping(doc)


def test_coalition_member_names_a_lead_with_role_party(keys: dict[str, Any]) -> None:
    green = {
        "id": "GREEN",
        "name": "Green Air Arm",
        "role": "coalition",
        "lead": "BLUE",
        "signing_key": public_key_text(keys["GREEN"]),
        "contacts": [{"name": "Green ops", "phone": "+44 20 0000 0000"}],
    }
    doc = document(keys)
    doc["parties"].append(green)
    assert ProtocolDocument.from_mapping(doc).party("GREEN").lead == "BLUE"
    doc["parties"][3]["lead"] = "CIVIL"
    with pytest.raises(ProtocolError, match=r"parties\[3\].lead: the lead must have role 'party'"):
        ProtocolDocument.from_mapping(doc)
    doc = document(keys)
    doc["parties"][0]["lead"] = "RED"
    with pytest.raises(ProtocolError, match=r"parties\[0\].lead: only a coalition member names a lead"):
        ProtocolDocument.from_mapping(doc)


def test_yaml_squawks_written_as_numbers_are_normalised(keys: dict[str, Any]) -> None:
    doc = ProtocolDocument.from_mapping(document(keys, distress={"squawk_codes": [7700, 7500]}))
    assert doc.distress.squawk_codes == ("7500", "7700")
    assert doc.distress.means_distress(squawk="7700")
    assert not doc.distress.means_distress(squawk="7600", adsb_emergency_status=0)
    assert doc.distress.means_distress(adsb_emergency_status=3)


def test_plans_name_party_is_signed_only_when_it_hides_the_party(keys: dict[str, Any]) -> None:
    """Issue 15: ``disclosure.plans_name_party`` (default true). Written into the signed bytes only
    when false, so a version signed before it existed keeps its digest, with or without a
    ``disclosure`` section of its own."""

    def doc(**disclosure: Any) -> ProtocolDocument:
        sections = {"disclosure": disclosure} if disclosure else {}
        return ProtocolDocument.from_mapping(document(keys, **sections))

    for section in ({}, {"maturity_s": 30}):
        base = doc(**section)
        named = doc(**section, plans_name_party=True)
        assert named.digest == base.digest
        assert "plans_name_party" not in json.dumps(base.to_mapping())
        hidden = doc(**section, plans_name_party=False)
        assert hidden.disclosure.plans_name_party is False
        assert hidden.to_mapping()["disclosure"]["plans_name_party"] is False
        assert ProtocolDocument.from_mapping(hidden.to_mapping()).digest == hidden.digest != base.digest
    with pytest.raises(ProtocolError, match=r"disclosure\.plans_name_party: must be true or false"):
        doc(plans_name_party="no")
