"""`airdecon detect` and `airdecon demo`: table, JSON, exit codes, clear errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import airdecon
from airdecon.cli import main
from tests.test_scenario import DOC


def test_json_output_sorted_with_all_fields(tmp_path, capsys):  # type: ignore[no-untyped-def]
    path = tmp_path / "s.json"
    path.write_text(json.dumps(DOC))
    assert main(["detect", str(path), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    (c,) = out["conflicts"]
    assert set(c) >= {"a", "b", "t_in_s", "t_out_s", "tcpa_s", "dcpa_nm", "dalt_cpa_ft"}
    assert (c["a"], c["b"]) == ("A", "B")


def test_demo_json_is_sorted_by_time_to_loss(capsys):  # type: ignore[no-untyped-def]
    assert main(["detect", "--demo", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["conflicts"]
    assert len(rows) >= 5
    times = [r["t_in_s"] for r in rows]
    assert times == sorted(times)
    assert all(r["a"] < r["b"] for r in rows)


def test_infinite_t_out_is_json_null(tmp_path, capsys):  # type: ignore[no-untyped-def]
    doc = {
        "aircraft": [
            {"id": "A", "party": "X", "lat": 0.0, "lon": 20.0, "alt_ft": 30000, "gs_kt": 400, "trk_deg": 0},
            {"id": "B", "party": "Y", "lat": 0.03, "lon": 20.0, "alt_ft": 30000, "gs_kt": 400, "trk_deg": 0},
        ]
    }
    path = tmp_path / "s.json"
    path.write_text(json.dumps(doc))
    assert main(["detect", str(path), "-f", "json"]) == 0
    text = capsys.readouterr().out
    assert "Infinity" not in text
    assert json.loads(text)["conflicts"][0]["t_out_s"] is None


def test_table_output_names_the_pairs(tmp_path, capsys):  # type: ignore[no-untyped-def]
    path = tmp_path / "s.json"
    path.write_text(json.dumps(DOC))
    assert main(["detect", str(path)]) == 0
    out = capsys.readouterr().out
    assert "1 conflict" in out and "A" in out and "B" in out


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (
            '{"aircraft": [{"id": "Z", "party": "X", "lat": "NaN", "lon": 0'
            ', "alt_ft": 0, "gs_kt": 0, "trk_deg": 0}]}',
            "aircraft Z: field 'lat'",
        ),
        ("not json at all", "malformed JSON"),
    ],
)
def test_bad_input_exits_1_with_a_clear_message(tmp_path, capsys, content, needle):  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.json"
    path.write_text(content)
    assert main(["detect", str(path), "-f", "json"]) == 1
    captured = capsys.readouterr()
    assert needle in captured.err
    assert captured.out == ""


def test_usage_errors_exit_2(tmp_path):  # type: ignore[no-untyped-def]
    assert main(["detect"]) == 2
    assert main(["detect", str(tmp_path / "x.json"), "--format", "xml"]) == 2


def test_installed_command_runs_as_a_real_process(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "s.json"
    path.write_text(json.dumps(DOC))
    ok = subprocess.run(
        [sys.executable, "-m", "airdecon", "detect", str(path), "-f", "json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["conflicts"][0]["a"] == "A"
    bad = subprocess.run(
        [sys.executable, "-m", "airdecon", "detect", str(tmp_path / "missing.json")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 1
    assert "cannot read" in bad.stderr
    assert "Traceback" not in bad.stderr
    assert airdecon.__version__
