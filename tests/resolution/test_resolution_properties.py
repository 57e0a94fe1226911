"""Property tests: flying the advisories restores separation; vertical senses are never the same.

Encounters are generated as in the scenario catalogue (a flat plane placed on the globe, anywhere
from 70S to 70N and across the antimeridian): aircraft that would pass within 3 NM and 600 ft of
each other 130-280 s from now, at airliner-to-fighter speeds. All checks use the real engine.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from resolution_scenes import ac, apply, place

import airdecon
from airdecon import SafetyProtocol
from airdecon.resolution import Resolution, resolve

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])

origins = st.tuples(st.floats(-70.0, 70.0), st.floats(-180.0, 179.999))
speeds = st.floats(180.0, 520.0)
tracks = st.floats(0.0, 360.0, exclude_max=True)
rates = st.sampled_from([0.0, 0.0, 1000.0, -1000.0, 2000.0, -2000.0])


@st.composite
def encounter(draw: st.DrawFn, n: int = 2) -> tuple[list[dict[str, object]], tuple[float, float]]:
    """n aircraft that all pass near one point at about the same time (t_c)."""
    t_c = draw(st.floats(130.0, 280.0))
    alt_c = draw(st.floats(9000.0, 36000.0))
    records = []
    for k in range(n):
        gs = draw(speeds)
        trk = math.radians(draw(tracks))
        vs = draw(rates)
        miss_x, miss_y = draw(st.floats(-1.5, 1.5)), draw(st.floats(-1.5, 1.5))
        dz = draw(st.floats(-300.0, 300.0))
        vx, vy = gs * math.sin(trk), gs * math.cos(trk)
        x0 = miss_x - vx * t_c / 3600.0
        y0 = miss_y - vy * t_c / 3600.0
        alt0 = alt_c + dz - vs * t_c / 60.0
        records.append(ac(f"AC{k}", x0, y0, vx, vy, alt0, vs_fpm=vs, party=f"P{k}"))
    return records, draw(origins)


def _same_sense(res: Resolution) -> list[tuple[str, str]]:
    bad = []
    for cr in res:
        a, b = cr.advisories
        if a.sense != 0 and a.sense == b.sense:
            bad.append((a.aircraft, b.aircraft))
    return bad


@SETTINGS
@given(encounter(), st.sampled_from(["auto", "horizontal", "vertical"]))
def test_flying_both_advisories_restores_separation(
    enc: tuple[list[dict[str, object]], tuple[float, float]], prefer: str
) -> None:
    records, origin = enc
    fleet = place(records, origin)
    proto = SafetyProtocol()
    conflicts = airdecon.detect(fleet, proto)
    assume(len(conflicts) == 1 and conflicts.t_in_s[0] >= 60.0)  # not yet lost: there is time to act
    res = resolve(fleet, conflicts, proto, prefer=prefer)  # type: ignore[arg-type]
    assert not res.follow_tcas.any()  # 130 s out is far outside every RA tau
    assert res.resolved.all(), [adv.reason for adv in res.by_aircraft.values()]
    after = airdecon.detect(apply(fleet, res), proto)
    assert len(after) == 0, after.to_dicts()
    assert _same_sense(res) == []


@SETTINGS
@given(encounter(n=3), st.sampled_from(["auto", "vertical"]))
def test_three_aircraft_cluster_is_resolved_jointly(
    enc: tuple[list[dict[str, object]], tuple[float, float]], prefer: str
) -> None:
    records, origin = enc
    fleet = place(records, origin)
    conflicts = airdecon.detect(fleet)
    # at least two conflicts among three aircraft (one cluster), none lost yet
    assume(len(conflicts) >= 2 and conflicts.t_in_s.min() >= 60.0)
    res = resolve(fleet, conflicts, prefer=prefer)  # type: ignore[arg-type]
    assert len(set(res.cluster.tolist())) == 1
    assert set(res.by_aircraft) == {"AC0", "AC1", "AC2"}
    assert _same_sense(res) == []
    # one advisory per aircraft, addressed to its own party
    assert all(adv.party == f"P{adv.aircraft[-1]}" for adv in res.by_aircraft.values())
    assert res.resolved.all(), [adv.reason for adv in res.by_aircraft.values()]
    after = airdecon.detect(apply(fleet, res))
    assert len(after) == 0, after.to_dicts()


@SETTINGS
@given(encounter(n=4))
def test_vertical_senses_are_complementary_in_every_pair(
    enc: tuple[list[dict[str, object]], tuple[float, float]],
) -> None:
    records, origin = enc
    fleet = place(records, origin)
    conflicts = airdecon.detect(fleet)
    assume(len(conflicts) >= 1)
    res = resolve(fleet, conflicts, prefer="vertical")
    assert _same_sense(res) == []
    # levels never drop below what the thresholds say
    base = airdecon.alerting.classify(conflicts.t_in_s, 120.0, 60.0)
    assert np.all(res.levels >= base)
