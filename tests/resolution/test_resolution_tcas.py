"""The TCAS II v7.1 RA region: sensitivity levels and the modified-tau test (STANDARDS.md 2.2, 2.3)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from resolution_scenes import ac, place

from airdecon.resolution import RaRegion, encounter_geometry, ra_region, sensitivity_level
from airdecon.units import FT


@pytest.mark.parametrize(
    ("alt_ft", "sl"),
    [
        (500, 3),
        (2350, 3),
        (2351, 4),
        (5000, 4),
        (5001, 5),
        (10000, 5),
        (10001, 6),
        (20000, 6),
        (20001, 7),
        (42000, 7),
        (50000, 7),
    ],
)
def test_sensitivity_level_bands_upper_bound_inclusive(alt_ft: float, sl: int) -> None:
    assert int(sensitivity_level(np.array([alt_ft * FT]))[0]) == sl


def _region(a: dict[str, Any], b: dict[str, Any]) -> RaRegion:
    fleet = place([a, b])
    enc = encounter_geometry(fleet, np.array([0]), np.array([1]))
    return ra_region(enc.s, enc.w, enc.dz, enc.dvz, fleet.alt_m[:1], fleet.alt_m[1:])


def test_modified_tau_matches_the_hand_derived_vector_e01() -> None:
    # E01: head-on at 40 NM, 900 kt closure, FL300 (SL7): tau_mod(RA) = 159.879 s, far outside 35 s
    r = _region(ac("A", 0, 0, 450, 0, 30000), ac("B", 40, 0, -450, 0, 30000))
    assert r.tau_mod_s[0] == pytest.approx(159.879, abs=0.01)
    assert not r.inside[0]


@pytest.mark.parametrize(
    ("range_nm", "dz_ft", "inside"),
    [
        (8.0, 0.0, True),  # tau_mod ~ 31.5 s <= 35 s, co-altitude
        (10.0, 0.0, False),  # tau_mod ~ 39.5 s > 35 s
        (8.0, 650.0, True),  # |dz| 650 <= ZTHR 700 ft at FL300
        (8.0, 750.0, False),  # |dz| 750 > 700, level: no time to co-altitude
    ],
)
def test_ra_region_at_fl300(range_nm: float, dz_ft: float, inside: bool) -> None:
    r = _region(ac("A", 0, 0, 450, 0, 30000), ac("B", range_nm, 0, -450, 0, 30000 + dz_ft))
    assert bool(r.inside[0]) is inside
    assert int(r.sl[0]) == 7


def test_vertical_test_uses_time_to_co_altitude() -> None:
    # 2000 ft apart but closing vertically at 6000 fpm: co-altitude in 20 s <= 35 s
    r = _region(ac("A", 0, 0, 450, 0, 30000, vs_fpm=3000), ac("B", 8, 0, -450, 0, 32000, vs_fpm=-3000))
    assert r.inside[0]
    r = _region(ac("A", 0, 0, 450, 0, 30000), ac("B", 8, 0, -450, 0, 32000))
    assert not r.inside[0]


def test_sl_from_each_aircraft_own_altitude() -> None:
    # At 3000 ft (SL4, tau 20 s) a 30 s encounter is outside; the other aircraft at 3500 ft is SL4 too
    r = _region(ac("A", 0, 0, 250, 0, 3000), ac("B", 4.2, 0, -250, 0, 3500))
    assert int(r.sl[0]) == 4
    assert not r.inside[0]
