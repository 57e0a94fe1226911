"""The broad phase must actually prune, on every push: counts of candidate pairs on known scenes."""

from __future__ import annotations

import numpy as np

import airdecon


def lattice(spacing_deg: float, n_side: int, alt_step_m: float = 0.0, seed: int = 1) -> airdecon.Fleet:
    rng = np.random.default_rng(seed)
    lat, lon = np.meshgrid(np.arange(n_side) * spacing_deg, np.arange(n_side) * spacing_deg)
    n = n_side * n_side
    return airdecon.Fleet.from_arrays(
        ids=[f"L{k}" for k in range(n)],
        lat_deg=lat.ravel(),
        lon_deg=lon.ravel(),
        alt_m=9000.0 + alt_step_m * np.arange(n),
        gs_mps=np.full(n, 230.0),
        trk_deg=rng.uniform(0, 360, n),
    )


def test_far_apart_aircraft_produce_no_candidates():
    # 3 deg (~330 km) apart: no two can meet within 300 s at 230 m/s (69 km each)
    fleet = lattice(3.0, 15)
    result = airdecon.detect(fleet, backend="grid")
    assert result.n_candidates == 0
    assert len(result) == 0


def test_neighbours_only_are_candidates():
    # 1 deg apart (~111 km): swept boxes of 69 km + 4.6 km reach only immediate neighbours
    fleet = lattice(1.0, 20)
    n = len(fleet)
    result = airdecon.detect(fleet, backend="grid")
    all_pairs = n * (n - 1) // 2
    assert 0 < result.n_candidates <= 4 * n  # at most the 8-neighbourhood, each pair once
    assert result.n_candidates < all_pairs / 40
    assert result.pairs() == airdecon.detect(fleet, backend="brute").pairs()


def test_altitude_layers_prune_vertically():
    # one dense cluster, every aircraft level and 2000 ft above the previous one: no candidates
    fleet = lattice(0.05, 7, alt_step_m=600.0)
    assert airdecon.detect(fleet, backend="grid").n_candidates == 0
    assert airdecon.detect(fleet, backend="brute").n_candidates == len(fleet) * (len(fleet) - 1) // 2


def test_any_cell_size_gives_the_same_answer():
    """Cell size is a tuning knob only: tiny cells (the rank-lifted sweep) and huge cells agree."""
    fleet = lattice(0.3, 12, seed=7)
    brute = airdecon.detect(fleet, backend="brute").pairs()
    assert brute
    for cell_m in (300.0, 5_000.0, 50_000.0, 2_000_000.0):  # 300 m is coarsened by the memory guard
        assert airdecon.detect(fleet, backend="grid", cell_m=cell_m).pairs() == brute, cell_m


def test_fine_grid_over_the_whole_earth_uses_the_rank_lifted_sweep():
    """Clusters far apart on Earth and in altitude, 10 km cells: cell keys too large to lift by key."""
    a, b = lattice(0.3, 6, seed=3), lattice(0.3, 6, seed=4)
    fleet = airdecon.Fleet.from_arrays(
        ids=[f"A{k}" for k in range(len(a))] + [f"B{k}" for k in range(len(b))],
        lat_deg=np.concatenate([a.lat_deg - 40.0, b.lat_deg + 50.0]),
        lon_deg=np.concatenate([a.lon_deg - 100.0, b.lon_deg + 60.0]),
        alt_m=np.concatenate([a.alt_m - 8000.0, b.alt_m + 6000.0]),
        gs_mps=np.concatenate([a.gs_mps, b.gs_mps]),
        trk_deg=np.concatenate([a.trk_deg, b.trk_deg]),
    )
    brute = airdecon.detect(fleet, backend="brute").pairs()
    assert any(p[0].startswith("A") for p in brute) and any(p[0].startswith("B") for p in brute)
    assert airdecon.detect(fleet, backend="grid", cell_m=10_000.0).pairs() == brute
