"""read_recording: format by name, raw frame files (CSV and AVR lines), errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from airdecon.errors import IngestError
from airdecon.ingest import guess_format, read_recording


def test_guess_format(tmp_path: Path) -> None:
    frames = tmp_path / "f.csv"
    frames.write_text("timestamp,frame\n1,8D4840D6202CC371C32CE0576098\n")
    vectors = tmp_path / "v.csv"
    vectors.write_text("timestamp,icao24\n")
    assert guess_format(frames) == "frames" and guess_format(vectors) == "opensky"
    assert guess_format("x.parquet") == "opensky" and guess_format("x.bin") == "beast"
    assert guess_format("x.sbs") == "sbs" and guess_format("x.avr") == "avr"
    with pytest.raises(IngestError, match="cannot tell the format"):
        guess_format("x.unknown")


def test_raw_frames_csv_subset_of_the_recording(shared_data: Path, tmp_path: Path) -> None:
    raw = pd.read_csv(shared_data / "raw_modes_frames.csv.gz", dtype=str, nrows=3000)
    raw.loc[5, "frame"] = "not-a-frame"
    raw.loc[6, "timestamp"] = "soon"
    path = tmp_path / "frames.csv"
    raw[["timestamp", "frame"]].to_csv(path, index=False)
    obs, rej = read_recording(path)
    assert rej.total == 3000 and rej.counts["bad-time"] == 1 and rej.counts["bad-hex"] == 1
    assert len(obs) > 1000 and (obs.t_s[1:] >= obs.t_s[:-1]).all()


def test_avr_lines_with_and_without_timestamps(tmp_path: Path) -> None:
    path = tmp_path / "feed.avr"
    path.write_text("*8D4840D6202CC371C32CE0576098;\n@00000BB80000*8D485020994409940838175B284F;\n\n*zz;\n")
    obs, rej = read_recording(path, t0_s=100.0)
    assert len(obs) == 2 and rej.counts["bad-hex"] == 1
    assert sorted(obs.t_s.tolist()) == [100.0, 100.0 + 0xBB80000 / 12e6]
    assert "KLM1023" in obs.callsign.tolist()


def test_missing_file_and_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="no such file"):
        read_recording(tmp_path / "none.parquet")
    p = tmp_path / "x.parquet"
    p.write_bytes(b"")
    with pytest.raises(IngestError, match="unknown format"):
        read_recording(p, fmt="asterix")
