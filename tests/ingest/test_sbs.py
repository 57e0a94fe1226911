"""SBS-1 / BaseStation lines: each transmission type, bad lines, a file, and a TCP feed that drops."""

from __future__ import annotations

import calendar
from pathlib import Path

import pytest

from airdecon.ingest import SbsParser, SbsTcpSource, read_recording, read_sbs
from airdecon.units import FPM, FT, KT

from .tcp_server import ScriptedServer

T0 = calendar.timegm((2021, 10, 7, 12, 0, 0))
LINES = [
    "MSG,1,1,1,3C6444,1,2021/10/07,12:00:00.000,2021/10/07,12:00:00.000,DLH9U   ,,,,,,,,,,,0",
    "MSG,3,1,1,3C6444,1,2021/10/07,12:00:01.500,2021/10/07,12:00:01.500,,35000,,,48.85,2.35,,,0,0,0,0",
    "MSG,4,1,1,3C6444,1,2021/10/07,12:00:02.000,2021/10/07,12:00:02.000,,,450,90.0,,,-640,,0,0,0,0",
    "MSG,6,1,1,3C6444,1,2021/10/07,12:00:03.000,2021/10/07,12:00:03.000,,,,,,,,7700,-1,-1,0,0",
    "MSG,2,1,1,4CA123,1,2021/10/07,12:00:04.000,2021/10/07,12:00:04.000,,,12,270,49.01,2.55,,,,,,-1",
]
BAD = [
    "SEL,,1,1,3C6444,1,2021/10/07,12:00:00.000,2021/10/07,12:00:00.000,DLH9U",
    "MSG,3,1,1,3C6444",
    "MSG,3,1,1,XYZ,1,2021/10/07,12:00:01.500,2021/10/07,12:00:01.500,,35000,,,48.85,2.35,,,0,0,0,0",
    "MSG,3,1,1,3C6444,1,07-10-2021,12:00:01.500,2021/10/07,12:00:01.500,,35000,,,48.85,2.35,,,0,0,0,0",
    "MSG,3,1,1,3C6444,1,2021/10/07,12:00:01.500,2021/10/07,12:00:01.500,,35000,,,95.0,2.35,,,0,0,0,0",
    "MSG,6,1,1,3C6444,1,2021/10/07,12:00:03.000,2021/10/07,12:00:03.000,,,,,,,,7900,0,0,0,0",
]


def test_each_transmission_type() -> None:
    p = SbsParser()
    ident, pos, vel, sq, surf = (p.parse(line) for line in LINES)
    assert ident is not None and ident.callsign == "DLH9U" and ident.t_s == T0
    assert pos is not None and pos.t_s == T0 + 1.5 and pos.alt_m == pytest.approx(35_000 * FT)
    assert (pos.lat_deg, pos.lon_deg, pos.onground) == (48.85, 2.35, 0)
    assert (
        vel is not None and vel.gs_mps == pytest.approx(450 * KT) and vel.vs_mps == pytest.approx(-640 * FPM)
    )
    assert sq is not None and sq.squawk == "7700" and sq.emergency == 1
    assert surf is not None and surf.onground == 1
    assert p.rejects.n == 0 and p.rejects.total == 5


def test_bad_lines_are_counted_by_kind() -> None:
    p = SbsParser()
    assert all(p.parse(line) is None for line in BAD)
    assert dict(p.rejects.counts) == {
        "not-msg": 1,
        "short-line": 1,
        "bad-icao24": 1,
        "bad-time": 1,
        "bad-field": 2,
    }


def test_file_and_utc_offset(tmp_path: Path) -> None:
    path = tmp_path / "feed.sbs"
    path.write_text("\n".join(LINES + BAD) + "\n")
    obs, rej = read_sbs(path, utc_offset_s=3600.0)
    assert len(obs) == 5 and rej.n == len(BAD)
    assert obs.t_s[0] == T0 - 3600.0
    obs2, _ = read_recording(path)
    assert obs2.t_s[0] == T0


def test_tcp_feed_resumes_and_counts_the_cut_line() -> None:
    text = ("\n".join(LINES) + "\n").encode()
    cut = text.index(b"\n", 10) + 20  # inside the second line
    with ScriptedServer([text[:cut], text]) as server:
        src = SbsTcpSource("127.0.0.1", server.port, retry_s=0.05, max_reconnects=2)
        n = sum(len(b) for b in src.batches())
    assert n == 1 + len(LINES)  # the first line before the cut, then every line again
    assert src.rejects.counts["truncated"] == 1 and src.feed.stats.connects == 2
