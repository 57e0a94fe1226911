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
