"""The traps the best-known open simulator falls into, and the standard BlueSky scenarios."""

from __future__ import annotations

import math

import pytest

import airdecon
from airdecon.scenario._bluesky import cas_to_tas_mps
from tests.conftest import SHARED

SCN = SHARED / "data" / "bluesky-scenarios"


def rec(ident, lat, lon, trk, gs=450.0, alt=30000.0, vs=0.0, party="X"):  # type: ignore[no-untyped-def]
    return {
        "id": ident,
        "party": party,
        "lat": lat,
        "lon": lon,
        "alt_ft": alt,
        "gs_kt": gs,
        "trk_deg": trk,
        "vs_fpm": vs,
    }


def test_head_on_across_the_antimeridian_is_found():
    scenario = airdecon.load_scenario(SCN / "testdateline.scn")
    found = list(airdecon.detect(scenario.fleet, scenario.protocol))
    assert [(c.a, c.b) for c in found] == [("AC1", "AC2")]
    c = found[0]
    # 1 deg of longitude at the equator closing at twice the TAS of 300 kt CAS at FL300
    tas = cas_to_tas_mps(300 * 1852 / 3600, 30000 * 0.3048)
    gap = 111_319.49
    assert c.tcpa_s == pytest.approx(gap / (2 * tas), rel=2e-3)
    assert c.dcpa_nm < 1e-6


def test_already_too_close_with_the_same_velocity_is_reported():
    fleet = airdecon.Fleet.from_records([rec("A", 35.0, 38.0, 90), rec("B", 35.02, 38.0, 90, alt=30400)])
    found = list(airdecon.detect(fleet))
    assert len(found) == 1
    assert found[0].t_in_s == 0.0
    assert found[0].t_out_s > 300.0


def test_identical_velocity_flat_pair_never_regains_separation():
    """Exactly zero relative velocity (same position offset along a meridian at the equator)."""
    fleet = airdecon.Fleet.from_records([rec("A", 0.0, 20.0, 0), rec("B", 0.03, 20.0, 0)])
    (c,) = airdecon.detect(fleet)
    assert c.t_in_s == 0.0
    assert math.isinf(c.t_out_s)


def test_five_second_loss_between_samples_is_found():
    """Near-tangent crossing (vector E12 style) at 4.95 NM: a 1 Hz sampler can miss it, we cannot."""
    fleet = airdecon.Fleet.from_records(
        [
            rec("A", 10.0, 10.0, 90, gs=400),
            rec("B", 10.0 - 4.95 / 60, 10.0 + 25 / 60 / math.cos(math.radians(10)), 270, gs=400),
        ]
    )
    (c,) = airdecon.detect(fleet)
    assert 0 < c.t_out_s - c.t_in_s < 20


@pytest.mark.parametrize(
    ("name", "n_aircraft", "min_conflicts"),
    [("super16.scn", 16, 100), ("nosyn-super-12.scn", 12, 60), ("matrix6.scn", 24, 1)],
)
def test_bluesky_scenarios_load_and_conflict(name, n_aircraft, min_conflicts):  # type: ignore[no-untyped-def]
    scenario = airdecon.load_scenario(SCN / name)
    assert len(scenario.fleet) == n_aircraft
    found = airdecon.detect(scenario.fleet, scenario.protocol)
    assert len(found) >= min_conflicts
    assert found.pairs() == airdecon.detect(scenario.fleet, scenario.protocol, backend="brute").pairs()


def test_isa_speeds():
    # at sea level CAS = TAS; at FL300 (delta 0.2970, 228.7 K), 300 kt CAS is Mach 0.790, 466 kt TAS
    assert cas_to_tas_mps(100.0, 0.0) == pytest.approx(100.0, rel=1e-9)
    assert cas_to_tas_mps(300 * 1852 / 3600, 30000 * 0.3048) / (1852 / 3600) == pytest.approx(465.9, abs=0.5)
