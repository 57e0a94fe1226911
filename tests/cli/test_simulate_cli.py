"""`airdecon simulate` end to end through main(argv): summary.json, stdout, and clear errors."""

from __future__ import annotations

import json

import pytest

from airdecon.cli import main

HEAD_ON = {
    "aircraft": [
        {"id": "A", "party": "BLUE", "lat": 0.0, "lon": -0.3, "alt_ft": 30000, "gs_kt": 450, "trk_deg": 90},
        {"id": "B", "party": "RED", "lat": 0.0, "lon": 0.3, "alt_ft": 30000, "gs_kt": 450, "trk_deg": 270},
    ]
}


@pytest.fixture
def scenario(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "head-on.json"
    path.write_text(json.dumps(HEAD_ON))
    return path


def test_writes_summary_json_in_out_dir(scenario, tmp_path, capsys):  # type: ignore[no-untyped-def]
    out = tmp_path / "runs" / "one"
    argv = [
        "simulate",
        str(scenario),
        "--duration",
        "240",
        "--response-delay",
        "3",
        "--seed",
        "7",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    doc = json.loads((out / "summary.json").read_text())
    assert doc["ipr"] == 1.0 and doc["losses_of_separation"] == []
    assert len(doc["baseline"]["losses_of_separation"]) == 1
    assert doc["response_delay_s"] == 3.0 and doc["seed"] == 7 and doc["duration_s"] == 240.0
    assert doc["min_separation"][0]["horizontal_nm"] >= 5.0 and doc["extra_distance_nm"] > 0
    printed = capsys.readouterr().out
    assert "1 without resolution, 0 with it" in printed and "IPR 1.000" in printed


def test_without_out_prints_the_summary(scenario, capsys):  # type: ignore[no-untyped-def]
    assert main(["simulate", str(scenario), "--duration", "240", "--resolution", "off"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["resolution"] == "off" and doc["ipr"] is None
    assert [(x["a"], x["b"]) for x in doc["losses_of_separation"]] == [("A", "B")]


def test_compliance_zero_prevents_nothing(scenario, capsys):  # type: ignore[no-untyped-def]
    assert main(["simulate", str(scenario), "--duration", "240", "--compliance", "0"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["ipr"] == 0.0 and doc["advised_aircraft"] == 0


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("{not json", "bad.json"),
        ('{"aircraft": [{"id": "A"}]}', "missing"),
        ('{"aircraft": [], "extra": 1}', "unknown top-level field"),
    ],
)
def test_bad_scenario_exits_1_with_a_clear_message(tmp_path, capsys, content, needle):  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.json"
    path.write_text(content)
    assert main(["simulate", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and needle in err and "Traceback" not in err


def test_missing_scenario_exits_1(tmp_path, capsys):  # type: ignore[no-untyped-def]
    assert main(["simulate", str(tmp_path / "nope.json")]) == 1
    assert "cannot read" in capsys.readouterr().err


def test_out_that_is_a_file_exits_1(scenario, tmp_path, capsys):  # type: ignore[no-untyped-def]
    target = tmp_path / "file"
    target.write_text("x")
    assert main(["simulate", str(scenario), "--duration", "10", "--out", str(target)]) == 1
    assert "not a directory" in capsys.readouterr().err
    assert target.read_text() == "x"


@pytest.mark.parametrize(
    "args",
    [
        ["--compliance", "1.5"],
        ["--duration", "0"],
        ["--response-delay", "-1"],
        ["--resolution", "maybe"],
        ["--seed", "-3"],
    ],
)
def test_bad_options_are_usage_errors(scenario, args):  # type: ignore[no-untyped-def]
    assert main(["simulate", str(scenario), *args]) == 2


def test_bluesky_scenario_across_the_antimeridian(tmp_path):  # type: ignore[no-untyped-def]
    scn = tmp_path / "dateline.scn"
    scn.write_text(
        "00:00:00.00>DTLOOK 300\n"
        "00:00:00.00>CRE AC1 B744 0 179.5 90 FL300 300\n"
        "00:00:00.00>CRE AC2 B744 0 -179.5 270 FL300 300\n"
    )
    assert main(["simulate", str(scn), "--duration", "300", "--out", str(tmp_path)]) == 0
    doc = json.loads((tmp_path / "summary.json").read_text())
    (lost,) = doc["baseline"]["losses_of_separation"]
    assert (lost["a"], lost["b"]) == ("AC1", "AC2") and lost["horizontal_nm"] < 0.5
    assert doc["losses_of_separation"] == [] and doc["ipr"] == 1.0
    # the passing costs a few track miles, not the ~21,600 NM of a wrong way round the globe
    assert 0.0 < doc["extra_distance_nm"] < 10.0
