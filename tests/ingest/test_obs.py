"""Observations (SoA) and the Rejects report."""

from __future__ import annotations

import math

import numpy as np

from airdecon.ingest import Observation, Observations, Rejects


def test_rows_round_trip_and_order() -> None:
    rows = [Observation(2.0, "abc123", lat_deg=1.0), Observation(1.0, "abc124", squawk="7700")]
    obs = Observations.from_rows(rows)
    assert len(obs) == 2
    back = list(obs.sorted().rows())
    assert [r.t_s for r in back] == [1.0, 2.0]
    assert back[0].squawk == "7700" and math.isnan(back[0].lat_deg) and back[0].onground == -1
    both = Observations.concat([obs, obs.take(np.array([0]))])
    assert len(both) == 3 and both.icao24.tolist() == ["abc123", "abc124", "abc123"]
    assert len(Observations.empty()) == 0 and "n=0" in repr(Observations.empty())


def test_rejects_counts_kinds_keeps_first_examples_and_merges() -> None:
    r = Rejects(keep=2, total=10)
    for k in range(4):
        r.add("bad-hex", f"zz{k}", "not hex")
    r.add("bad-crc", "8d...", "parity")
    assert r.n == 5 and r.counts["bad-hex"] == 4
    assert [raw for raw, _ in r.examples["bad-hex"]] == ["zz0", "zz1"]
    other = Rejects(total=5)
    other.add("bad-crc", "8e...", "parity")
    r.merge(other)
    assert r.total == 15 and r.counts["bad-crc"] == 2
    d = r.to_dict()
    by_kind = d["by_kind"]
    assert isinstance(by_kind, dict)
    assert d["rejected"] == 6 and by_kind["bad-hex"]["count"] == 4
    assert str(r) == "15 read, 6 rejected (bad-crc: 2, bad-hex: 4)"
    assert str(Rejects(total=3)) == "3 read, none rejected"
