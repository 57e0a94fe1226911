"""OpenSky-style state vectors: real parquet, CSV with bad rows, missing columns."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from airdecon.errors import IngestError, InputError
from airdecon.ingest import read_state_vectors, state_vectors_from_frame
from airdecon.units import FPM, FT, KT


def test_real_encounter_parquet_converts_to_si(shared_data: Path) -> None:
    obs, rej = read_state_vectors(shared_data / "encounter_af787_tbm900_20171201.parquet")
    raw = pd.read_parquet(shared_data / "encounter_af787_tbm900_20171201.parquet")
    assert len(obs) == len(raw) == 17_910 and rej.n == 0
    assert set(obs.icao24.tolist()) == {"39c424", "3900fb"}
    assert np.all(np.diff(obs.t_s) >= 0)
    first = raw.sort_values("timestamp", kind="stable").iloc[0]
    k = 0
    assert obs.t_s[k] == pytest.approx(first.timestamp.timestamp())
    assert obs.alt_m[k] == pytest.approx(first.altitude * FT)
    assert obs.gs_mps[k] == pytest.approx(first.groundspeed * KT)
    assert obs.vs_mps[k] == pytest.approx(first.vertical_rate * FPM)
    assert (obs.onground == -1).all()  # this file has no onground column: unknown


def test_csv_bad_rows_are_counted_not_fatal(tmp_path: Path) -> None:
    df = pd.DataFrame(
        {
            "timestamp": [1_600_000_000, None, 1_600_000_002, 1_600_000_003, 1_600_000_001],
            "icao24": ["3C6444", "3c6444", "zzzzzz", "3c6444", "3c6445"],
            "latitude": [48.0, 48.0, 48.0, 95.0, 48.1],
            "longitude": [2.0, 2.0, 2.0, 2.0, 2.1],
            "altitude": [10_000, 10_000, 10_000, 10_000, 11_000],
            "onground": [False, False, False, False, True],
            "squawk": ["7700", None, None, None, "1000"],
        }
    )
    path = tmp_path / "sv.csv"
    df.to_csv(path, index=False)
    obs, rej = read_state_vectors(path)
    assert len(obs) == 2 and rej.total == 5
    assert dict(rej.counts) == {"bad-time": 1, "bad-icao24": 1, "bad-position": 1}
    assert obs.icao24.tolist() == ["3c6444", "3c6445"]  # lower-cased, time order
    assert obs.squawk.tolist() == ["7700", "1000"] and obs.onground.tolist() == [0, 1]
    assert np.isnan(obs.gs_mps).all()  # column absent: unknown, not zero


def test_missing_required_column_and_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="missing column"):
        state_vectors_from_frame(pd.DataFrame({"icao24": ["abcdef"]}))
    with pytest.raises(InputError):
        read_state_vectors(tmp_path / "nope.parquet")
