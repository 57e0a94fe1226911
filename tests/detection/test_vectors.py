"""The hand-derived encounters of vectors.json: exact on the flat plane, and placed on the globe."""

from __future__ import annotations

import math

import numpy as np
import pytest

import airdecon
from airdecon.detection import los_intervals
from tests.scenarios import CENTRES, FPM, FT, KT, NM, place_pair, vectors

VEC = vectors()
ENCOUNTERS = VEC["encounters"]
TOL = VEC["meta"]["tolerances"]
H, V, T = 5 * NM, 1000 * FT, 300.0


def flat_geometry(enc):  # type: ignore[no-untyped-def]
    a, b = enc["A"], enc["B"]
    s = np.array([[(b["x_nm"] - a["x_nm"]) * NM, (b["y_nm"] - a["y_nm"]) * NM]])
    w = np.array([[(b["vx_kt"] - a["vx_kt"]) * KT, (b["vy_kt"] - a["vy_kt"]) * KT]])
    dz = np.array([(b["alt_ft"] - a["alt_ft"]) * FT])
    dvz = np.array([(b["vs_fpm"] - a["vs_fpm"]) * FPM])
    return los_intervals(s, w, dz, dvz, H, V, T)


@pytest.mark.parametrize("enc", ENCOUNTERS, ids=[e["id"] for e in ENCOUNTERS])
def test_flat_kernel_matches_hand_derivation(enc):  # type: ignore[no-untyped-def]
    exp = enc["expected"]
    g = flat_geometry(enc)
    assert bool(g.conflict[0]) is exp["conflict_300s"], enc["hand_derivation"]
    assert g.tcpa_s[0] == pytest.approx(exp["tcpa_clamped_s"], abs=TOL["time_s"])
    assert g.dcpa_m[0] / NM == pytest.approx(exp["dmin_future_nm"], abs=TOL["distance_nm"])
    assert g.dalt_cpa_m[0] / FT == pytest.approx(exp["vsep_at_tcpa_clamped_ft"], abs=TOL["alt_ft"])
    if exp["conflict_300s"]:
        t_in, t_end = exp["conflict_interval_s"]
        assert g.t_in_s[0] == pytest.approx(t_in, abs=TOL["time_s"])
        # the engine reports the true end of the loss, which may lie beyond the look-ahead
        h_out = exp["h_los"].get("t_out", math.inf)
        v_out = exp["v_los"].get("t_out", math.inf)
        true_out = min(h_out, v_out)
        if math.isinf(true_out):
            assert math.isinf(g.t_out_s[0])
        else:
            assert g.t_out_s[0] == pytest.approx(true_out, abs=TOL["time_s"])
        assert min(g.t_out_s[0], T) == pytest.approx(t_end, abs=TOL["time_s"])


@pytest.mark.parametrize("centre", CENTRES, ids=[c[0] for c in CENTRES])
@pytest.mark.parametrize("enc", ENCOUNTERS, ids=[e["id"] for e in ENCOUNTERS])
def test_globe_matches_hand_derivation(enc, centre):  # type: ignore[no-untyped-def]
    """The same encounter placed anywhere on Earth gives the same answer through detect()."""
    exp = enc["expected"]
    fleet = place_pair(enc, centre[1], centre[2])
    found = list(airdecon.detect(fleet, airdecon.SafetyProtocol()))
    if enc["id"] == "E13":
        # exact tangency: on the globe the pair passes within a few mm of 5 NM, either side
        assert len(found) <= 1
        if found:
            assert found[0].t_out_s - found[0].t_in_s < 0.2
        return
    assert bool(found) is exp["conflict_300s"], (enc["id"], centre[0], found)
    if found:
        c = found[0]
        assert (c.a, c.b) == ("A", "B")
        t_in, t_end = exp["conflict_interval_s"]
        assert c.t_in_s == pytest.approx(t_in, abs=0.05)
        assert min(c.t_out_s, T) == pytest.approx(t_end, abs=0.05)
        assert c.tcpa_s == pytest.approx(exp["tcpa_clamped_s"], abs=0.05)
        assert c.dcpa_nm == pytest.approx(exp["dmin_future_nm"], abs=2e-3)
        assert c.dalt_cpa_ft == pytest.approx(exp["vsep_at_tcpa_clamped_ft"], abs=0.5)
