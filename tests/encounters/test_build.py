"""Encounters built from samples: the designed closest approach is where the aircraft pass."""

from __future__ import annotations

import numpy as np
import pytest

from airdecon.encounters import EncounterModel, EncounterSet, sample_correlated, sample_due_regard
from airdecon.errors import InputError
from airdecon.units import FT, KT, NM


@pytest.fixture(scope="module")
def cor_set(cor: EncounterModel) -> EncounterSet:
    return sample_correlated(cor, 400, np.random.default_rng(21))


def separation(e: EncounterSet) -> tuple[np.ndarray, np.ndarray]:
    tr = e.trajectories()
    d = np.hypot(tr.x_m[1::2] - tr.x_m[0::2], tr.y_m[1::2] - tr.y_m[0::2])
    return d, tr.h_m[0::2] - tr.h_m[1::2]


def test_closest_approach_is_the_sampled_miss_distance(cor_set: EncounterSet) -> None:
    e = cor_set
    d, dz = separation(e)
    k = e.tcpa_s
    labels = e.labels
    np.testing.assert_allclose(e.hmd_m, e.values[:, labels.index("hmd")] * NM)
    np.testing.assert_allclose(e.vmd_m, e.values[:, labels.index("vmd")] * FT)
    np.testing.assert_allclose(d[:, k], e.hmd_m, rtol=0, atol=1e-6)
    np.testing.assert_allclose(dz[:, k], e.vmd_m, rtol=0, atol=1e-6)
    # tcpa is the closest approach: the distance a second either side is not smaller...
    assert np.mean(np.minimum(d[:, k - 1], d[:, k + 1]) >= e.hmd_m - 0.5) > 0.98
    # ... and over the whole encounter, the minimum is the sampled hmd (within 1 m) for nearly all:
    # aircraft that turn hard can come closer again (a few percent)
    assert np.mean(d.min(axis=1) >= e.hmd_m - 1.0) > 0.93


def test_approach_angle_and_front_or_behind_are_honoured(cor_set: EncounterSet) -> None:
    e = cor_set
    tr = e.trajectories()
    k = e.tcpa_s
    beta = e.values[:, e.labels.index("\\beta")]
    chi = e.values[:, e.labels.index("\\chi")]
    rel_trk = np.mod(tr.trk_deg[1::2, k] - tr.trk_deg[0::2, k], 360.0)
    np.testing.assert_allclose(np.mod(rel_trk - beta + 180, 360) - 180, 0.0, atol=1e-6)
    own = np.radians(tr.trk_deg[0::2, k])
    ahead = (tr.x_m[1::2, k] - tr.x_m[0::2, k]) * np.sin(own) + (tr.y_m[1::2, k] - tr.y_m[0::2, k]) * np.cos(
        own
    )
    moving = e.hmd_m > 1.0
    assert np.all(ahead[moving & (chi == 1)] >= -1e-6)
    assert np.all(ahead[moving & (chi == 2)] < 1e-6)


def test_encounters_stay_in_the_model_envelope(cor_set: EncounterSet) -> None:
    tr = cor_set.trajectories()
    assert tr.h_m.min() >= 0.0
    assert tr.gs_mps.min() >= 50 * KT - 1e-9 and tr.gs_mps.max() <= 600 * KT + 1e-9
    assert np.all(np.abs(tr.vs_mps) <= tr.gs_mps + 1e-9)
    layer = cor_set.values[:, cor_set.labels.index("L")].astype(int)
    alt1 = tr.h_m[0::2, cor_set.tcpa_s] / FT
    lo = np.array([1000, 3000, 10000, 18000, 29000])[layer - 1]
    hi = np.array([3000, 10000, 18000, 29000, 50000])[layer - 1]
    assert np.all((alt1 >= lo) & (alt1 <= hi))


def test_encounters_are_reproducible_under_a_seed(cor: EncounterModel, dueregard: EncounterModel) -> None:
    for f, m in ((sample_correlated, cor), (sample_due_regard, dueregard)):
        a, b = f(m, 30, np.random.default_rng(4)), f(m, 30, np.random.default_rng(4))
        ta, tb = a.trajectories(), b.trajectories()
        for name in ("x_m", "y_m", "h_m", "gs_mps", "trk_deg", "vs_mps"):
            np.testing.assert_array_equal(getattr(ta, name), getattr(tb, name))


def test_due_regard_encounters_meet_their_designed_miss_distances(dueregard: EncounterModel) -> None:
    e = sample_due_regard(dueregard, 300, np.random.default_rng(9), hmd_max_m=4 * NM, vmd_max_m=1500 * FT)
    d, dz = separation(e)
    k = e.tcpa_s
    assert e.hmd_m.max() <= 4 * NM and np.abs(e.vmd_m).max() <= 1500 * FT
    np.testing.assert_allclose(d[:, k], e.hmd_m, atol=1e-6)
    np.testing.assert_allclose(dz[:, k], e.vmd_m, atol=1e-6)
    assert np.mean(np.minimum(d[:, k - 1], d[:, k + 1]) >= e.hmd_m - 0.5) > 0.98
    # each aircraft starts on its sampled track and altitude
    tr = e.trajectories()
    np.testing.assert_allclose(tr.trk_deg[0::2, 0], np.mod(e.values[:, e.labels.index("\\psi #1")], 360))
    np.testing.assert_allclose(tr.h_m[0::2, 0], e.values[:, e.labels.index("L #1")] * FT)


def test_bad_arguments_are_refused(cor: EncounterModel) -> None:
    with pytest.raises(InputError, match="0 < tcpa_s <= duration_s"):
        sample_correlated(cor, 3, np.random.default_rng(1), duration_s=60, tcpa_s=90)
    with pytest.raises(InputError, match=">= 0"):
        sample_correlated(cor, -1, np.random.default_rng(1))
