"""`airdecon replay` end to end through main(argv), on a window of the real AF787 recording."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from airdecon.cli import main
from airdecon.cli.replay import load_protocol, parse_time

ENCOUNTER = "encounter_af787_tbm900_20171201.parquet"
# a 10-minute window around the closest approach (15:08:45Z), all of it in loss of separation
FROM, TO = "2017-12-01T15:03:00Z", "2017-12-01T15:13:00"


def test_replay_command_writes_the_three_files(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    proto = tmp_path / "proto.yaml"
    proto.write_text("protocol:\n  horizontal_nm: 5\n  vertical_ft: 1000\n  lookahead_s: 120\n")
    out = tmp_path / "out"
    code = main(
        [
            "replay",
            str(shared_data / ENCOUNTER),
            "--from",
            FROM,
            "--to",
            TO,
            "--protocol",
            str(proto),
            "--out",
            str(out),
            "--fast",
        ]
    )
    assert code == 0
    text = capsys.readouterr().out
    assert "1 with loss of separation" in text and "39c424" in text
    summary = json.loads((out / "summary.json").read_text())
    assert summary["protocol"]["lookahead_s"] == 120 and summary["duration_s"] == 600
    assert summary["pairs"][0]["los_s"] > 590 and summary["pairs"][0]["min_h_nm"] < 0.01
    assert (out / "alerts.jsonl").exists() and (out / "traffic.png").stat().st_size > 10_000


def test_speed_paces_the_replay(shared_data: Path, tmp_path: Path) -> None:
    t0 = time.monotonic()
    code = main(
        [
            "replay",
            str(shared_data / ENCOUNTER),
            "--from",
            FROM,
            "--to",
            "2017-12-01T15:03:20Z",
            "--speed",
            "50",
            "--out",
            str(tmp_path),
            "--no-plot",
            "--horizontal-nm",
            "3",
        ]
    )
    assert code == 0
    assert time.monotonic() - t0 >= 20 / 50
    assert json.loads((tmp_path / "summary.json").read_text())["protocol"]["horizontal_nm"] == 3


@pytest.mark.parametrize(
    ("args", "code"),
    [(["--speed", "2", "--fast"], 2), (["--speed", "0"], 2), (["--from", "yesterday"], 1)],
)
def test_bad_options(shared_data: Path, tmp_path: Path, args: list[str], code: int) -> None:
    assert main(["replay", str(shared_data / ENCOUNTER), "--out", str(tmp_path), *args]) == code


def test_missing_recording_is_an_input_error(tmp_path: Path) -> None:
    assert main(["replay", str(tmp_path / "none.parquet"), "--out", str(tmp_path)]) == 1


def test_protocol_file_and_times(tmp_path: Path) -> None:
    bare = tmp_path / "p.json"
    bare.write_text('{"horizontal_nm": 3}')
    assert load_protocol(bare, vertical_ft=500.0).vertical_ft == pytest.approx(500.0)
    assert load_protocol(bare).horizontal_nm == pytest.approx(3.0)
    assert parse_time("1633608000", name="--from") == 1633608000.0
    assert parse_time("2021-10-07T12:00:00Z", name="--from") == 1633608000.0
    assert parse_time("2021-10-07T14:00:00+02:00", name="--from") == 1633608000.0


def _sbs_burst(day: int, minutes: int) -> list[str]:
    lines = []
    for k in range(minutes * 12):
        t = f"{k // 720 + 12:02d}:{k // 12 % 60:02d}:{k % 12 * 5:02d}.000"
        d = f"2021/10/{day:02d}"
        lines.append(f"MSG,3,1,1,3C6444,1,{d},{t},{d},{t},,35000,,,{48.85 + k * 1e-3:.4f},2.35,,,0,0,0,0")
    return lines


def test_a_recording_with_gaps_reports_the_time_covered_not_the_span(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two 10-minute recordings a day apart: 10-odd minutes of traffic, one gap of about a day
    (the summary used to say '24.17 h of traffic')."""
    rec = tmp_path / "two.sbs"
    rec.write_text("\n".join(_sbs_burst(7, 10) + _sbs_burst(8, 10)) + "\n")
    out = tmp_path / "out"
    assert main(["replay", str(rec), "--out", str(out), "--fast", "--no-plot"]) == 0
    text = capsys.readouterr().out
    summary = json.loads((out / "summary.json").read_text())
    assert summary["duration_s"] > 86_000
    assert 1_000 < summary["covered_s"] < 3_600, summary["covered_s"]
    assert summary["n_gaps"] >= 1 and summary["gaps"][0]["s"] > 80_000
    first = text.splitlines()[0]
    covered_h = float(first.split(": ", 1)[1].split(" h of traffic")[0])
    assert 0.25 < covered_h < 1.0, first
    assert "gap(s) without traffic" in text and "longest 2" in text  # about 23 h


def test_the_summary_lists_losses_of_separation_before_near_misses() -> None:
    from airdecon.cli.replay import summary_lines
    from airdecon.protocol import SafetyProtocol

    def pair(a: str, h: float, los: float) -> dict[str, object]:
        return {"a": a, "b": "Z", "min_h_nm": h, "min_v_ft": 500.0, "los_s": los}

    s = {"recording": "r", "covered_s": 3600.0, "duration_s": 3600.0, "wall_s": 1.0, "speed_x": 3600,
         "aircraft_seen": 9, "n_gaps": 0, "gaps": [], "conflicts": 3, "losses_of_separation": 1,
         "alerts_raised": 2, "alerts_per_hour": 2.0,
         "pairs": [pair("NEAR1", 0.2, 0.0), pair("NEAR2", 0.4, 0.0), pair("LOST", 3.0, 40.0)]}  # fmt: skip
    lines = summary_lines(s, SafetyProtocol(), None)
    lost = next(k for k, line in enumerate(lines) if "LOST" in line)
    header = next(k for k, line in enumerate(lines) if "closest pairs that kept separation" in line)
    assert lost < header < next(k for k, line in enumerate(lines) if "NEAR1" in line)
    assert "40 s in loss of separation" in lines[lost]
    assert not any(" 0 s in loss of separation" in line for line in lines)
