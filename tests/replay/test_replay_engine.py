"""The replay loop on made-up traffic: alerts raised and cleared, pair statistics, sinks, windows."""

from __future__ import annotations

import math

import pytest

from airdecon.alerting import AlertEvent
from airdecon.errors import InputError
from airdecon.ingest import Observation, Observations
from airdecon.protocol import SafetyProtocol
from airdecon.replay import AlertLog, EventLog, PairStats, Step, TrackRecorder, replay
from airdecon.units import FT, NM

R = 6_371_008.8


def _head_on(duration: int = 240, v: float = 200.0, gap_ft: float = 500.0) -> Observations:
    """A and B fly head-on along the equator, 60 km apart at t=0, with gap_ft between them."""
    rows = []
    for t in range(duration):
        xa = -30_000.0 + v * t
        xb = 30_000.0 - v * t
        for icao, x, trk, alt in (("aaaaa1", xa, 90.0, 9000.0), ("bbbbb2", xb, 270.0, 9000.0 + gap_ft * FT)):
            rows.append(
                Observation(
                    float(t),
                    icao,
                    lat_deg=0.0,
                    lon_deg=math.degrees(x / R),
                    alt_m=alt,
                    gs_mps=v,
                    trk_deg=trk,
                    vs_mps=0.0,
                    onground=0,
                )
            )
    return Observations.from_rows(rows)


def test_head_on_raises_escalates_and_clears() -> None:
    rules = SafetyProtocol()
    log, pairs, events = AlertLog(), PairStats(rules.horizontal_m, rules.vertical_m, 1.0), EventLog()
    res = replay(_head_on(), rules, sinks=[log, pairs, events])
    kinds = [e.kind for e in log.events]
    assert kinds[0] == "raised" and "escalated" in kinds and kinds[-1] == "cleared"
    assert log.raised == 1 and res.alerts_raised == 1
    rec = pairs.records()[0]
    assert (rec.a, rec.b) == ("aaaaa1", "bbbbb2")
    assert rec.min_h_m < 500.0 and rec.v_at_min_m == pytest.approx(500 * FT, abs=1.0)
    # inside 5 NM while closing at 400 m/s: 2 * 9260 / 400 = 46.3 s, sampled at 1 Hz
    assert rec.los_s == pytest.approx(46.0, abs=2.0)
    assert [e.kind for e in events.events] == ["track-new", "track-new"]


def test_vertical_separation_means_no_conflict_and_min_alt_filters() -> None:
    pairs = PairStats(5 * NM, 1000 * FT, 1.0)
    replay(_head_on(gap_ft=2000.0), sinks=[pairs])
    assert pairs.pairs == {}
    pairs2 = PairStats(5 * NM, 1000 * FT, 1.0)
    replay(_head_on(), min_alt_m=9100.0, sinks=[pairs2])  # one of the two is below: no pair
    assert pairs2.pairs == {}


def test_window_steps_and_pace_hook() -> None:
    seen: list[float] = []
    rec = TrackRecorder(every_s=10.0)
    res = replay(_head_on(), t_from=100.0, t_to=130.0, step_s=2.0, pace=seen.append, sinks=[rec])
    assert res.steps == 16 and seen[0] == 100.0 and seen[-1] == 130.0
    assert res.duration_s == 30.0
    assert set(rec.tracks()) == {"aaaaa1", "bbbbb2"}  # warmed up before t_from
    with pytest.raises(InputError, match="step_s"):
        replay(_head_on(), step_s=0.0)
    with pytest.raises(InputError, match="before it starts"):
        replay(_head_on(), t_from=100.0, t_to=50.0)


def test_track_lost_clears_alert_at_once() -> None:
    obs = _head_on(140)
    keep = ~((obs.icao24 == "bbbbb2") & (obs.t_s > 120))  # B goes silent mid-conflict
    log = AlertLog()

    class Spy:
        def __init__(self) -> None:
            self.lost: list[float] = []

        def on_step(self, step: Step) -> None:
            self.lost += [step.t_s for e in step.tracks if e.kind == "track-lost"]

        def close(self, t_s: float, final_alerts: list[AlertEvent]) -> None:
            pass

    spy = Spy()
    replay(obs.take(keep), SafetyProtocol(stale_s=5.0, drop_s=10.0), t_to=200.0, sinks=[log, spy])
    assert spy.lost and spy.lost[0] == pytest.approx(131.0)
    cleared = [e for e in log.events if e.kind == "cleared"]
    assert cleared and cleared[0].reason.startswith("track-lost") and cleared[0].t_s == spy.lost[0]


def test_empty_hours_between_flights_are_skipped_not_stepped() -> None:
    first = _head_on(100)
    later = Observations.concat([first])
    later = Observations(
        **{c: getattr(later, c) for c in Observations.COLUMNS if c != "t_s"}, t_s=later.t_s + 6 * 3600.0
    )
    log = AlertLog()
    res = replay(Observations.concat([first, later]), sinks=[log])
    assert res.duration_s == pytest.approx(6 * 3600 + 99)
    assert res.steps < 600 and res.skipped_s > 5 * 3600
    assert res.steps + res.skipped_s == pytest.approx(res.duration_s + 1)
    assert log.raised == 2  # one conflict in each flight
