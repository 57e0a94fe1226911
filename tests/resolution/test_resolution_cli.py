"""`airdecon detect` with levels and advisories: JSON shape and the readable table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

import airdecon
import airdecon.resolution as resolution_pkg
from airdecon.cli import main
from airdecon.cli.detect import render_table
from airdecon.resolution import RULES

HEAD_ON = [
    {
        "id": "BLUE-01",
        "party": "BLUE",
        "lat": 35.0,
        "lon": 38.0,
        "alt_ft": 30000,
        "gs_kt": 450,
        "trk_deg": 90,
    },
    {"id": "RED-01", "party": "RED", "lat": 35.0, "lon": 38.8, "alt_ft": 30000, "gs_kt": 450, "trk_deg": 270},
]
# two drones hovering 2 NM apart at the same height: in loss now, never regained
ABREAST = [
    {"id": "CIV-1", "party": "CIVIL", "lat": 36.0, "lon": 37.0, "alt_ft": 2000, "gs_kt": 0, "trk_deg": 0},
    {"id": "CIV-2", "party": "CIVIL", "lat": 36.0, "lon": 37.0407, "alt_ft": 2000, "gs_kt": 0, "trk_deg": 0},
]
CONVERGING = [
    {"id": "A", "party": "BLUE", "lat": 35.0, "lon": 38.0, "alt_ft": 35000, "gs_kt": 480, "trk_deg": 0},
    {
        "id": "B",
        "party": "RED",
        "lat": 35.2665,
        "lon": 38.4071,
        "alt_ft": 35000,
        "gs_kt": 480,
        "trk_deg": 270,
    },
]


def _scenario(tmp_path: Path, aircraft: list[dict[str, object]]) -> str:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps({"aircraft": aircraft}))
    return str(path)


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict[str, object]:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_json_conflicts_gain_level_and_advisories(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = _json(capsys, ["detect", _scenario(tmp_path, HEAD_ON + ABREAST), "--format", "json"])
    rows = doc["conflicts"]
    assert isinstance(rows, list) and len(rows) == 2
    for row in rows:
        assert list(row) == [
            "a", "b", "t_in_s", "t_out_s", "tcpa_s", "dcpa_nm", "dalt_cpa_ft", "hypothesis", "level",
            "advisories",
        ]  # fmt: skip
        assert row["level"] in ("advisory", "caution", "warning", "loss")
        assert [adv["aircraft"] for adv in row["advisories"]] == [row["a"], row["b"]]
        for adv in row["advisories"]:
            assert adv["rule"] in RULES and isinstance(adv["reason"], str) and adv["reason"]
            assert set(adv) <= {"aircraft", "trk_deg", "vs_fpm", "rule", "reason"}
            if adv["rule"] != "follow-tcas":
                assert "trk_deg" in adv or "vs_fpm" in adv
    assert [r["t_in_s"] for r in rows] == sorted(r["t_in_s"] for r in rows)
    abreast, head_on = rows
    assert (abreast["a"], abreast["t_out_s"], abreast["level"]) == ("CIV-1", None, "loss")
    assert head_on["level"] == "advisory"
    assert {adv["rule"] for adv in head_on["advisories"]} == {"head-on"}
    assert all(adv["trk_deg"] > 0 for adv in head_on["advisories"])


def test_table_shows_level_and_advice_in_words(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["detect", _scenario(tmp_path, HEAD_ON)]) == 0  # the command runs
    capsys.readouterr()
    scenario = airdecon.load_scenario(_scenario(tmp_path, HEAD_ON))
    conflicts = airdecon.detect(scenario.fleet, scenario.protocol)
    res = airdecon.resolve(scenario.fleet, conflicts, scenario.protocol)
    console = Console(width=300, record=True)
    console.print(render_table(scenario, conflicts, res))
    out = console.export_text()
    assert "level" in out and "advisory" in out
    assert "BLUE-01: turn right" in out and "RED-01: turn right" in out and "head-on" in out


def test_distress_option_gives_right_of_way(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _scenario(tmp_path, CONVERGING)
    plain = _json(capsys, ["detect", path, "-f", "json"])["conflicts"][0]["advisories"]  # type: ignore[index]
    assert [adv["rule"] for adv in plain] == ["converging", "maintain"]
    urgent = _json(capsys, ["detect", path, "-f", "json", "--distress", "A"])["conflicts"][0]["advisories"]  # type: ignore[index]
    assert [adv["rule"] for adv in urgent] == ["maintain", "distress-priority"]
    assert main(["detect", path, "--distress", "NOBODY"]) == 1
    assert "unknown aircraft" in capsys.readouterr().err


def test_demo_json_has_advisories_for_every_conflict(capsys: pytest.CaptureFixture[str]) -> None:
    doc = _json(capsys, ["detect", "--demo", "--format", "json"])
    rows = doc["conflicts"]
    assert isinstance(rows, list) and rows
    assert all(len(row["advisories"]) == 2 for row in rows)


def test_public_names() -> None:
    public = {name for name in vars(resolution_pkg) if not name.startswith("_")}
    assert set(resolution_pkg.__all__) == public
    for name in ("resolve", "Resolution", "Advisory", "ConflictResolution"):
        assert name in airdecon.__all__ and getattr(airdecon, name) is getattr(resolution_pkg, name)
