"""The answer's order and orientation: by time to loss of separation, then by ids; ``a`` < ``b``.

The engine renumbers aircraft for its own work (the grid's sweep order) and ranks only the ids of
aircraft in a conflict: whatever the rows, the ids and their string order, the answer must read
as the documented sort of its records.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import airdecon
from tests.detection.strategies import fleets

# ids whose string order is neither their row order nor their numeric order
ID_POOL = ["b", "B", "a10", "a9", "a", "Z", "z1", "10", "9", "é", "a_", "A-1", "x/y", "0"]


def _key(c: airdecon.Conflict) -> tuple[float, str, str]:
    return (c.t_in_s, c.a, c.b)


def _fleet(recs: list[dict], ids: list[str]) -> airdecon.Fleet:
    return airdecon.Fleet.from_arrays(
        ids=ids,
        lat_deg=[r["lat"] for r in recs],
        lon_deg=[r["lon"] for r in recs],
        alt_m=[r["alt_m"] for r in recs],
        gs_mps=[r["gs_mps"] for r in recs],
        trk_deg=[r["trk_deg"] for r in recs],
        vs_mps=[r["vs_mps"] for r in recs],
    )


@settings(max_examples=60, deadline=None)
@given(recs=fleets(max_size=14), data=st.data())
def test_conflicts_are_sorted_by_time_then_ids_for_any_ids(recs, data):  # type: ignore[no-untyped-def]
    ids = data.draw(st.permutations(ID_POOL))[: len(recs)]
    fleet = _fleet(recs, ids)
    for backend in ("grid", "brute"):
        got = list(airdecon.detect(fleet, backend=backend))
        assert all(c.a < c.b for c in got)
        assert [_key(c) for c in got] == sorted(_key(c) for c in got)
    grid, brute = airdecon.detect(fleet, backend="grid"), airdecon.detect(fleet, backend="brute")
    assert grid.to_dicts() == brute.to_dicts()


def test_a_stack_of_simultaneous_losses_is_ordered_by_ids():
    """Forty aircraft on one spot, rows shuffled against their ids: 780 losses all at t = 0,
    ordered by ids alone (the grid's renumbering and the rank of ids must not show)."""
    rng = np.random.default_rng(5)
    n = 40
    ids = [f"S{k}" for k in rng.permutation(n)]  # "S10" < "S9": string, not numeric, order
    fleet = airdecon.Fleet.from_arrays(
        ids=ids,
        lat_deg=np.full(n, 35.0) + rng.uniform(-0.01, 0.01, n),
        lon_deg=np.full(n, 38.0) + rng.uniform(-0.01, 0.01, n),
        alt_m=np.full(n, 9000.0) + rng.uniform(-50, 50, n),
        gs_mps=rng.uniform(100, 250, n),
        trk_deg=rng.uniform(0, 360, n),
    )
    got = list(airdecon.detect(fleet, backend="grid"))
    assert len(got) == n * (n - 1) // 2
    assert all(c.t_in_s == 0.0 for c in got)
    assert [(c.a, c.b) for c in got] == sorted((min(x, y), max(x, y)) for x in ids for y in ids if x < y)
