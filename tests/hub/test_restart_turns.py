"""A restarted hub goes on seeing a steady turn at once (issue 14 item 4): the track-rate state is
saved with the latest states and measured again over the reports replayed from the record.

Before, a restart started every track rate afresh: a turning aircraft was predicted straight for
about 8 s (two new rates) after every restart."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from airdecon.audit import HubKey
from airdecon.geometry import destination
from airdecon.hub._cache import _turn
from airdecon.units import KT
from tests.hub.harness import World, aircraft, document, world


def _turn_dps(w: World, party: str, ident: str) -> float:
    """The track rate detection sees for one aircraft of the picture now (0: straight)."""
    with w.hub.context.lock:
        fleet, _ = w.hub.context.picture.snapshot(w.clock())
    if fleet.turn_dps is None:
        return 0.0
    row = [str(i) for i in fleet.ids].index(f"{party}/{party}-{ident}")
    return float(fleet.turn_dps[row])


def _fly_turn(w: World, seconds: int, rate_dps: float = 3.0) -> None:
    """BLUE-T1 at 450 kt turning at *rate_dps*, reported every 2 s from the hub's clock on."""
    lat, lon, trk = 35.0, 38.0, 0.0
    for _ in range(seconds // 2):
        assert w.report("BLUE", aircraft("BLUE-T1", lat, lon, trk % 360.0, t=w.clock())).status_code == 202
        rad = math.radians(rate_dps)
        chord = 2 * 450 * KT / rad * math.sin(rad * 2 / 2)
        lat, lon = (float(x) for x in destination(lat, lon, trk + rate_dps * 1.0, chord))
        trk += rate_dps * 2.0
        w.clock.advance(2.0)


@pytest.mark.parametrize("saved", [True, False], ids=["states-saved", "replayed-from-the-record"])
def test_a_steady_turn_survives_a_restart(tmp_path: Path, saved: bool) -> None:
    db = str(tmp_path / "hub.db")
    doc, key = document(), HubKey.generate()
    kw: dict[str, Any] = {"db": db, "doc": doc, "key": key}
    with world(**kw) as w:
        _fly_turn(w, 16)
        assert _turn_dps(w, "BLUE", "T1") == pytest.approx(3.0, abs=0.1)
        if saved:  # what the save loop does every state_save_s, and a stop at the end
            w.hub.cache.save()
        stopped_at = w.clock()
    with world(t0=stopped_at + 1.0, **kw) as w:
        assert _turn_dps(w, "BLUE", "T1") == pytest.approx(3.0, abs=0.1)


@pytest.mark.parametrize(
    "saved",
    [None, [1.0, 2.0, 3.0], [1.0, 2.0, float("nan"), 0.0], [1.0, 2.0, True, 0.0], "1,2,3,4", {"t0": 1.0}],
)
def test_a_state_saved_without_a_usable_track_rate_restarts_without_one(saved: object) -> None:
    # states saved before the track rate was (None), or damaged: measured afresh, never an error
    assert _turn(saved) is None
    assert _turn([1, 2.5, -3.0, 0]) == [1.0, 2.5, -3.0, 0.0]
