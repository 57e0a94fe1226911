"""Aircraft records of a scenario file (issue 13): a misspelt field is refused, not ignored; every
bad record is reported at once, with the values as written; what is normalised and what refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import airdecon
from airdecon.cli import main
from airdecon.errors import ScenarioError

Cap = pytest.CaptureFixture[str]


def _ac(ident: str, **over: Any) -> dict[str, Any]:
    rec = {"id": ident, "party": "BLUE", "lat": 35.0, "lon": 38.0, "alt_ft": 30000, "gs_kt": 450}
    return {**rec, "trk_deg": 90, **over}


# A descends 300 fpm from 1000 ft above B, converging head-on: a conflict only if vs_fpm is read.
DESCENDER = {"lat": 35.0, "lon": 38.0, "alt_ft": 31000, "gs_kt": 450, "trk_deg": 90}
LEVEL = {"id": "B", "party": "RED", "lat": 35.0, "lon": 38.8, "alt_ft": 30000, "gs_kt": 450, "trk_deg": 270}


def _write(tmp_path: Path, aircraft: list[Any]) -> str:
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"aircraft": aircraft}))
    return str(path)


def test_a_misspelt_field_is_refused_with_the_nearest_name(tmp_path: Path, capsys: Cap) -> None:
    good = _write(tmp_path, [{"id": "A", "party": "BLUE", **DESCENDER, "vs_fpm": -300}, LEVEL])
    assert main(["detect", good, "-f", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["conflicts"]) == 1  # the conflict is real
    bad = _write(tmp_path, [{"id": "A", "party": "BLUE", **DESCENDER, "vs_fmp": -300}, LEVEL])
    assert main(["detect", bad, "-f", "json"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "aircraft A: unknown field 'vs_fmp'" in captured.err and "did you mean 'vs_fpm'?" in captured.err


def test_every_bad_record_is_reported_capped_at_20() -> None:
    aircraft = [_ac(f"X{k}", trk_dge=90) for k in range(25)]
    with pytest.raises(ScenarioError) as info:
        airdecon.parse_scenario(json.dumps({"aircraft": aircraft}), source="s.json")
    text = str(info.value)
    assert text.startswith("s.json: 25 problems in the aircraft records:")
    assert text.count("unknown field 'trk_dge'") == 20
    assert "aircraft X0:" in text and "aircraft X19:" in text and "X20:" not in text
    assert "and 5 more" in text


def test_values_in_errors_are_the_values_written() -> None:
    aircraft = [_ac("A", gs_kt=-450), _ac("B", alt_ft="RED"), _ac("C", vs_fpm=-150000), _ac("D", party=7)]
    with pytest.raises(ScenarioError) as info:
        airdecon.parse_scenario(json.dumps({"aircraft": aircraft}))
    text = str(info.value)
    assert "aircraft A: field 'gs_kt' = -450: out of range [0, 4000]" in text
    assert "aircraft B: field 'alt_ft' = \"RED\": must be a number" in text
    assert "aircraft C: field 'vs_fpm' = -150000: out of range [-100000, 100000]" in text
    assert "aircraft D: field 'party' = 7: must be a non-empty string" in text
    assert "0000000" not in text and "None" not in text


def test_missing_fields_and_duplicate_ids_are_named() -> None:
    rec = _ac("A")
    del rec["alt_ft"]
    with pytest.raises(ScenarioError) as info:
        airdecon.parse_scenario(json.dumps({"aircraft": [rec, _ac("B"), _ac("B"), 5]}))
    text = str(info.value)
    assert "aircraft A: field 'alt_ft': missing" in text
    assert "aircraft B: field 'id' = \"B\": duplicate id (records #1 and #2)" in text
    assert "aircraft #3: each aircraft must be an object" in text


def test_track_and_longitude_are_normalised_as_the_hub_does() -> None:
    doc = {"aircraft": [_ac("A", trk_deg=400, lon=200.0), _ac("B", trk_deg=-90, lon=-350.0, lat=36)]}
    fleet = airdecon.parse_scenario(json.dumps(doc)).fleet
    assert fleet.trk_deg.tolist() == pytest.approx([40.0, 270.0])
    assert fleet.lon_deg.tolist() == pytest.approx([-160.0, 10.0])
    with pytest.raises(ScenarioError, match=r"aircraft A: field 'lon' = 400: out of range \[-360, 360\]"):
        airdecon.parse_scenario(json.dumps({"aircraft": [_ac("A", lon=400)]}))


def test_a_selected_altitude_in_a_record_levels_the_descent_off(tmp_path: Path, capsys: Cap) -> None:
    # issue 14 item 4: descending from 1,000 ft above B, cleared to stay there: no conflict
    cleared = {"id": "A", "party": "BLUE", **DESCENDER, "vs_fpm": -1000, "selected_alt_ft": 31000}
    assert main(["detect", _write(tmp_path, [cleared, LEVEL]), "-f", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["conflicts"] == []
    # cleared to B's level: a conflict from 137 s, after levelling off at 60 s (the linear model
    # descends through B's level and 1,000 ft below it by 120 s: no conflict), named
    cleared["selected_alt_ft"] = 30000
    assert main(["detect", _write(tmp_path, [cleared, LEVEL]), "-f", "json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)["conflicts"]
    assert row["hypothesis"] == "level-off"
    bad = {**cleared, "selected_alt_ft": 250000, "turn_dps": "3"}
    assert main(["detect", _write(tmp_path, [bad, LEVEL]), "-f", "json"]) == 1
    err = capsys.readouterr().err
    assert "field 'selected_alt_ft' = 250000: out of range" in err and "field 'turn_dps' = \"3\"" in err


def test_the_table_names_a_hypothesis_other_than_straight(tmp_path: Path, capsys: Cap) -> None:
    cleared = {"id": "A", "party": "BLUE", **DESCENDER, "vs_fpm": -1000, "selected_alt_ft": 30000}
    assert main(["detect", _write(tmp_path, [cleared, LEVEL])]) == 0
    out = capsys.readouterr().out
    assert "(level-off)" in out
