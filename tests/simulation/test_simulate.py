"""simulate(): the closed loop on small encounters, and the summary's fields."""

from __future__ import annotations

import numpy as np
import pytest

from airdecon.errors import InputError
from airdecon.protocol import SafetyProtocol
from airdecon.scenario import Scenario
from airdecon.simulation import PilotModel, simulate
from airdecon.state import Fleet


def head_on(gap_deg: float = 0.6, alt_b: float = 30000.0) -> Scenario:
    fleet = Fleet.from_records(
        [
            {
                "id": "A",
                "party": "BLUE",
                "lat": 0.0,
                "lon": -gap_deg / 2,
                "alt_ft": 30000,
                "gs_kt": 450,
                "trk_deg": 90,
            },
            {
                "id": "B",
                "party": "RED",
                "lat": 0.0,
                "lon": gap_deg / 2,
                "alt_ft": alt_b,
                "gs_kt": 450,
                "trk_deg": 270,
            },
            # far away, never involved
            {
                "id": "C",
                "party": "CIVIL",
                "lat": 5.0,
                "lon": 5.0,
                "alt_ft": 20000,
                "gs_kt": 300,
                "trk_deg": 0,
            },
        ]
    )
    return Scenario(fleet, SafetyProtocol(), source="head-on")


@pytest.fixture(scope="module")
def resolved():  # type: ignore[no-untyped-def]
    return simulate(head_on(), duration_s=300.0)


def test_head_on_loses_separation_without_resolution_and_not_with_it(resolved):  # type: ignore[no-untyped-def]
    doc = resolved.summary()
    (lost,) = doc["baseline"]["losses_of_separation"]
    assert (lost["a"], lost["b"]) == ("A", "B")
    assert lost["horizontal_nm"] < 0.1 and lost["los_s"] > 30
    assert doc["baseline"]["los_s"] == lost["los_s"]
    assert doc["losses_of_separation"] == [] and doc["los_s"] == 0.0
    assert doc["ipr"] == 1.0
    (ms,) = doc["min_separation"]
    assert (ms["a"], ms["b"]) == ("A", "B") and ms["loss"] is False
    assert ms["horizontal_nm"] >= 5.0 and ms["vertical_ft"] == pytest.approx(0.0, abs=1.0)
    assert doc["advised_aircraft"] == 2  # C was never advised


def test_the_manoeuvres_cost_a_few_track_miles(resolved):  # type: ignore[no-untyped-def]
    doc = resolved.summary()
    assert 0.5 < doc["extra_distance_nm"] < 10.0
    assert doc["max_altitude_deviation_ft"] == 0.0  # level pair: Annex 2 turns, no climb


def test_summary_fields_and_settings(resolved):  # type: ignore[no-untyped-def]
    doc = resolved.summary()
    assert set(doc) >= {
        "losses_of_separation",
        "los_s",
        "min_separation",
        "extra_distance_nm",
        "ipr",
        "baseline",
        "duration_s",
        "response_delay_s",
        "compliance",
        "seed",
        "aircraft",
    }
    assert doc["aircraft"] == 3 and doc["duration_s"] == 300.0 and doc["resolution"] == "on"


def test_compliance_zero_is_the_baseline():  # type: ignore[no-untyped-def]
    sim = simulate(head_on(), duration_s=300.0, pilot=PilotModel(compliance=0.0))
    assert sim.resolved is not None
    assert sim.resolved.pairs.keys() == sim.baseline.pairs.keys()
    for key, rec in sim.resolved.pairs.items():
        assert rec == sim.baseline.pairs[key]
    assert np.array_equal(sim.resolved.path_m, sim.baseline.path_m)
    assert sim.ipr == 0.0 and sim.extra_distance_m == pytest.approx(0.0, abs=1e-6)
    assert sim.summary()["advised_aircraft"] == 0


def test_a_pilot_too_slow_to_respond_loses_separation():  # type: ignore[no-untyped-def]
    # closing at 900 kt from 36 NM: the loss begins about 124 s in; a pilot answering after 150 s is too late
    sim = simulate(head_on(), duration_s=300.0, pilot=PilotModel(response_delay_s=150.0))
    assert sim.ipr == 0.0


def test_resolution_off_flies_the_baseline_only():  # type: ignore[no-untyped-def]
    sim = simulate(head_on(), duration_s=300.0, resolution=False)
    doc = sim.summary()
    assert sim.resolved is None and "baseline" not in doc
    assert doc["ipr"] is None and doc["extra_distance_nm"] == 0.0
    assert len(doc["losses_of_separation"]) == 1


def test_no_loss_in_the_baseline_gives_no_ipr():  # type: ignore[no-untyped-def]
    doc = simulate(head_on(alt_b=32000.0), duration_s=200.0).summary()
    assert doc["baseline"]["losses_of_separation"] == [] and doc["ipr"] is None


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"duration_s": 0.0}, "duration"),
        ({"duration_s": float("nan")}, "duration"),
        ({"step_s": 0.0}, "step"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_arguments_are_refused(kwargs, needle):  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=needle):
        simulate(head_on(), **kwargs)


def test_advised_aircraft_resume_their_intent_once_clear():  # type: ignore[no-untyped-def]
    sim = simulate(head_on(), duration_s=400.0)
    run = sim.resolved
    assert run is not None and run.final is not None and run.advised[:2].all()
    # both turned right to pass, then went back to their destination (tracks 090 and 270 again)
    assert abs((run.final.trk_deg[0] - 90.0 + 180.0) % 360.0 - 180.0) < 1.0
    assert abs((run.final.trk_deg[1] - 270.0 + 180.0) % 360.0 - 180.0) < 1.0
    assert run.final.lat_deg[0] < 0.0 < run.final.lat_deg[1]  # each passed on its own right side


def test_a_shorter_run_is_the_beginning_of_a_longer_one():  # type: ignore[no-untyped-def]
    short = simulate(head_on(), duration_s=150.0).resolved
    long = simulate(head_on(), duration_s=400.0).resolved
    assert short is not None and long is not None
    key = ("A", "B")
    # the closest moment of the pair comes before 150 s, so both runs record the same one
    assert short.pairs[key].t_s < 150.0
    assert short.pairs[key] == long.pairs[key]
