"""Scenario files: JSON and YAML, the demo scenario, and clear errors for bad files."""

from __future__ import annotations

import json

import pytest

import airdecon
from airdecon.errors import ScenarioError

DOC = {
    "protocol": {"horizontal_nm": 5.0, "vertical_ft": 1000.0, "lookahead_s": 300.0},
    "aircraft": [
        {"id": "A", "party": "BLUE", "lat": 35.0, "lon": 38.0, "alt_ft": 30000, "gs_kt": 450, "trk_deg": 90},
        {"id": "B", "party": "RED", "lat": 35.0, "lon": 38.8, "alt_ft": 30000, "gs_kt": 450, "trk_deg": 270},
    ],
}


def test_json_and_yaml_give_the_same_scenario(tmp_path):  # type: ignore[no-untyped-def]
    import yaml

    j = tmp_path / "s.json"
    y = tmp_path / "s.yaml"
    j.write_text(json.dumps(DOC))
    y.write_text(yaml.safe_dump(DOC))
    a, b = airdecon.load_scenario(j), airdecon.load_scenario(y)
    assert a.protocol == b.protocol
    assert a.fleet.to_records() == b.fleet.to_records()
    assert [c.a for c in airdecon.detect(a.fleet, a.protocol)] == ["A"]


def test_protocol_block_is_optional_and_partial():
    doc = {"aircraft": DOC["aircraft"]}
    assert airdecon.parse_scenario(json.dumps(doc)).protocol == airdecon.SafetyProtocol()
    doc["protocol"] = {"horizontal_nm": 3}
    p = airdecon.parse_scenario(json.dumps(doc)).protocol
    assert p.horizontal_nm == pytest.approx(3) and p.vertical_ft == pytest.approx(1000)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("{not json", "malformed JSON"),
        ("[]", "must be an object"),
        ('{"aircraft": {}}', "must be a list"),
        ('{"planes": []}', "unknown top-level"),
        ('{"protocol": {}}', "missing field 'aircraft'"),
        ('{"aircraft": [], "aircraft": []}', "duplicate key"),
        ('{"protocol": {"horizontal_nm": -5}, "aircraft": []}', "horizontal_nm must be finite and > 0"),
        ('{"protocol": {"horizontal_nmi": 5}, "aircraft": []}', "unknown field"),
        (
            '{"aircraft": [{"id": "Z", "party": "X", "lat": 95, "lon": 0'
            ', "alt_ft": 0, "gs_kt": 0, "trk_deg": 0}]}',
            "aircraft Z: field 'lat'",
        ),
    ],
)
def test_bad_scenarios(text, needle):  # type: ignore[no-untyped-def]
    with pytest.raises(ScenarioError, match=needle):
        airdecon.parse_scenario(text, source="bad.json")


def test_yaml_duplicate_keys_are_refused():
    with pytest.raises(ScenarioError, match="duplicate key"):
        airdecon.parse_scenario("aircraft: []\naircraft: []\n", fmt="yaml")


def test_missing_file(tmp_path):  # type: ignore[no-untyped-def]
    with pytest.raises(ScenarioError, match="cannot read"):
        airdecon.load_scenario(tmp_path / "nope.json")


def test_demo_scenario_has_every_kind_of_encounter():
    sc = airdecon.load_scenario(airdecon.demo_scenario_path())
    fleet = sc.fleet
    assert 30 <= len(fleet) <= 60
    assert set(fleet.party.tolist()) == {"BLUE", "RED", "CIVIL"}
    found = {(c.a, c.b): c for c in airdecon.detect(fleet, sc.protocol)}
    assert found[("BLUE-04", "RED-04")].t_in_s == 0.0  # already lost
    assert ("BLUE-01", "RED-01") in found  # head-on
    assert ("BLUE-02", "RED-02") in found  # crossing
    assert ("CIVIL-01", "RED-03") in found  # overtaking
    assert ("BLUE-03", "CIVIL-02") in found  # climbing through
    assert ("BLUE-05", "RED-05") not in found  # 2000 ft apart head-on: no conflict
    assert ("CIVIL-05", "RED-06") not in found  # 7 NM abeam: no conflict
    idx = fleet.index("BLUE-03")
    assert fleet.vs_mps[idx] > 0
