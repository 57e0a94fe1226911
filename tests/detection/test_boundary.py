"""Exactly at a minimum is separated, whatever the units (issue 14 item 1).

Two level aircraft 1,000 ft apart (FL340/FL350: the normal RVSM crossing) alerted or not
depending on how 34,000 and 35,000 ft rounded to metres: 30 of the real worldwide fleet's
1,208 conflicts were such pairs.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import airdecon
from airdecon.detection._kernel import los_intervals

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def _head_on(alt_a: float, alt_b: float, dlon: float = 0.8) -> airdecon.Fleet:
    return airdecon.Fleet.from_records([
        {"id": "A", "party": "BLUE", "lat": 35.0, "lon": 38.0, "alt_ft": alt_a, "gs_kt": 450, "trk_deg": 90},
        {"id": "B", "party": "RED", "lat": 35.0, "lon": 38.0 + dlon, "alt_ft": alt_b, "gs_kt": 450,
         "trk_deg": 270},
    ])  # fmt: skip


def test_the_adjacent_levels_of_the_issue_are_separated() -> None:
    for lo in (29000, 30000, 34000, 37000, 40000):
        assert len(airdecon.detect(_head_on(lo, lo + 1000))) == 0, lo
        assert len(airdecon.detect(_head_on(lo, lo + 999))) == 1, lo  # a foot inside is a loss


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 1800).map(lambda k: 25.0 * k),
    st.one_of(
        st.sampled_from([-1000.0, 1000.0, -975.0, 975.0]),  # the boundary itself, every time
        st.integers(-80, 80).map(lambda k: 25.0 * k),
    ),
)
def test_level_pairs_on_25_ft_altitudes_alert_exactly_when_inside_1000_ft(base: float, delta: float) -> None:
    cs = airdecon.detect(_head_on(base, base + delta))
    assert (len(cs) == 1) == (abs(delta) < 1000.0), (base, delta)


def test_exactly_the_horizontal_minimum_is_separated() -> None:
    # the kernel: a still pair at 5 NM (9,260 m) exactly, then a centimetre inside; and a pair
    # passing tangent to the circle at its closest approach
    h, v = 5 * 1852.0, 1000 * 0.3048
    for x, moving, lost in ((9260.0, False, False), (9259.99, False, True), (9260.0, True, False)):
        w = np.array([[0.0, -200.0 if moving else 0.0]])
        s0 = np.array([[x, 20_000.0 if moving else 0.0]])
        geo = los_intervals(s0, w, np.array([0.0]), np.array([0.0]), h, v, 300.0)
        assert bool(geo.conflict[0]) is lost, (x, moving)


def test_no_adjacent_level_pair_on_the_real_worldwide_fleet() -> None:
    doc = json.loads((SHARED / "real_global_scenario.json").read_text())
    recs = doc["aircraft"]
    fleet = airdecon.Fleet.from_records(recs)
    by_id = {r["id"]: r for r in recs}
    cs = airdecon.detect(fleet)
    adjacent = [
        (c.a, c.b) for c in cs
        if by_id[c.a].get("vs_fpm", 0) == 0 and by_id[c.b].get("vs_fpm", 0) == 0
        and abs(by_id[c.a]["alt_ft"] - by_id[c.b]["alt_ft"]) >= 1000
    ]  # fmt: skip
    assert adjacent == []
