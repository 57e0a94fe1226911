"""Live tracks against plans, in the engine: the vectorised check against a slow scalar oracle."""

from __future__ import annotations

import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry import Point

from airdecon.operations import (
    AreaIndex,
    AreaVolume,
    Minima,
    crossed_part,
    crossings,
    inside,
    lonlat_polygon,
    parse_operation,
    volume_ring,
)
from airdecon.units import FT, KT, NM

NOW = 1_800_000_000.0
GEOD = pyproj.Geod(ellps="WGS84")


def volume(lat: float, lon: float, d: float, lo: float = 20000, hi: float = 30000, **kw: float) -> object:
    body = {"polygon": [[lat, lon], [lat, lon + d], [lat + d, lon + d * 1.3], [lat + d * 0.8, lon - d * 0.2]],
            "alt_lower_ft": lo, "alt_upper_ft": hi,
            "start": kw.get("start", NOW - 60), "end": kw.get("end", NOW + 3600)}  # fmt: skip
    return parse_operation({"id": "X", "volumes": [body]}, "RED").volumes[0]


def circle(lat: float, lon: float, r: float) -> object:
    body = {"circle": {"lat": lat, "lon": lon, "radius_nm": r}, "alt_lower_ft": 0, "alt_upper_ft": 40000,
            "start": NOW - 60, "end": NOW + 3600}  # fmt: skip
    return parse_operation({"id": "X", "volumes": [body]}, "RED").volumes[0]


def reference(
    vols: list[AreaVolume],
    fleet: dict,
    lookahead: float,
    step: float = 1.0,
    only: set | None = None,  # type: ignore[type-arg]
) -> dict[tuple[int, int], float]:
    """The slow oracle: every aircraft flown along its geodesic step by step (``pyproj.Geod``
    one position at a time), each position tested against each volume (area, band, window)."""
    out: dict[tuple[int, int], float] = {}
    ts = np.arange(0.0, lookahead + step / 2, step)
    for i in range(len(fleet["lat"])):
        n = ts.shape[0]
        lon, lat, _ = GEOD.fwd([fleet["lon"][i]] * n, [fleet["lat"][i]] * n, [fleet["trk"][i]] * n,
                               fleet["gs"][i] * ts)  # fmt: skip
        alt_ft = (fleet["alt"][i] + fleet["vs"][i] * ts) / FT
        for j, av in enumerate(vols):
            v = av.volume
            if (only is not None and (i, j) not in only) or (av.owner == fleet["party"][i] and not av.public):
                continue
            poly = lonlat_polygon(volume_ring(v))
            for k in range(n):
                if not (v.start <= NOW + ts[k] <= v.end and v.alt_lower_ft <= alt_ft[k] <= v.alt_upper_ft):  # type: ignore[attr-defined]
                    continue
                if poly.contains(Point(lon[k], lat[k])):
                    out[(i, j)] = float(ts[k])
                    break
    return out


def scene(seed: int, n: int = 80) -> tuple[list[AreaVolume], dict]:  # type: ignore[type-arg]
    rng = np.random.default_rng(seed)
    vols = []
    for k in range(12):
        lat, lon = 40 + rng.uniform(-1, 1), 10 + rng.uniform(-1, 1)
        owner = ["RED", "BLUE", "GREEN"][k % 3]
        lo, hi = [(0, 15000), (0, 30000), (20000, 30000)][k % 3]
        v = volume(lat, lon, rng.uniform(0.05, 0.3), lo=lo, hi=hi, start=NOW + rng.uniform(-100, 200))
        if k % 4 == 3:
            v = circle(lat, lon, float(rng.uniform(2, 10)))
        vols.append(AreaVolume(owner, f"OP{k}", 0, k % 5 == 0, v))  # type: ignore[arg-type]
    fleet = {
        "party": np.array(rng.choice(["RED", "BLUE", "GREEN", "CIVIL"], n), dtype=object),
        "lat": 40 + rng.uniform(-1.3, 1.3, n),
        "lon": 10 + rng.uniform(-1.3, 1.3, n),
        "alt": rng.choice([10000, 19500, 25000, 31000], n) * FT,
        "gs": rng.choice([0.0, 120.0, 300.0, 480.0], n) * KT,
        "trk": rng.uniform(0, 360, n),
        "vs": rng.choice([0.0, 0.0, -1500.0, 2000.0], n) * FT / 60.0,
    }
    return vols, fleet


def run(vols: list[AreaVolume], fleet: dict, lookahead: float = 300.0) -> dict[tuple[int, int], float]:  # type: ignore[type-arg]
    c = crossings(AreaIndex(vols), party=fleet["party"], lat_deg=fleet["lat"], lon_deg=fleet["lon"],
                  alt_m=fleet["alt"], gs_mps=fleet["gs"], trk_deg=fleet["trk"], vs_mps=fleet["vs"], now=NOW,
                  lookahead_s=lookahead)  # fmt: skip
    return {(int(i), int(j)): float(t) for i, j, t in zip(c.aircraft, c.volume, c.t_in, strict=True)}


@pytest.mark.parametrize("seed", range(6))
def test_crossings_agree_with_the_second_by_second_oracle(seed: int) -> None:
    vols, fleet = scene(seed)
    fast, slow = run(vols, fleet), reference(vols, fleet, 300.0)
    # the oracle steps by 1 s: a crossing shorter than a second may fall between its steps
    missed = {k for k in slow if k not in fast}
    extra = {k for k in fast if k not in slow}
    assert not missed, missed
    if extra:  # grazes the oracle stepped over: a finer oracle finds them
        fine = reference(vols, fleet, 300.0, step=0.02, only=extra)
        assert set(fine) == extra
    for k, t in slow.items():
        assert fast[k] <= t + 1e-6 and t - fast[k] <= 1.5, (k, fast[k], t)
    assert len(slow) >= 2  # the scenes do cross


def test_own_volumes_are_not_checked_but_hazard_areas_are() -> None:
    v = volume(40.0, 10.0, 0.3)
    fleet = {"party": np.array(["RED"], dtype=object), "lat": np.array([40.1]), "lon": np.array([9.8]),
             "alt": np.array([25000 * FT]), "gs": np.array([450 * KT]), "trk": np.array([90.0]),
             "vs": np.zeros(1)}  # fmt: skip
    assert run([AreaVolume("RED", "A", 0, False, v)], fleet) == {}  # type: ignore[arg-type]
    assert set(run([AreaVolume("RED", "A", 0, True, v)], fleet)) == {(0, 0)}  # type: ignore[arg-type]
    fleet["party"] = np.array(["BLUE"], dtype=object)
    assert set(run([AreaVolume("RED", "A", 0, False, v)], fleet)) == {(0, 0)}  # type: ignore[arg-type]


def test_across_the_antimeridian() -> None:
    v = parse_operation({"id": "X", "volumes": [{"polygon": [[10, -179.9], [10, -179.5], [10.3, -179.5],
                        [10.3, -179.9]], "alt_lower_ft": 0, "alt_upper_ft": 40000, "start": NOW - 1,
                        "end": NOW + 3600}]}, "RED").volumes[0]  # fmt: skip
    fleet = {"party": np.array(["BLUE"], dtype=object), "lat": np.array([10.15]), "lon": np.array([179.9]),
             "alt": np.array([25000 * FT]), "gs": np.array([450 * KT]), "trk": np.array([90.0]),
             "vs": np.zeros(1)}  # fmt: skip
    got = run([AreaVolume("RED", "A", 0, False, v)], fleet)
    assert set(got) == {(0, 0)}
    # 0.2° of longitude at 10° N is ~11.8 NM: ~94 s at 450 kt
    assert 85 < got[(0, 0)] < 100


def test_the_crossed_part_is_inside_the_volume_and_near_the_path_only() -> None:
    v = volume(40.0, 10.0, 0.5)
    m = Minima(5.0, 1000.0)
    part = crossed_part(v, lat_deg=40.2, lon_deg=9.7, alt_m=25000 * FT, gs_mps=450 * KT, trk_deg=90.0,  # type: ignore[arg-type]
                        vs_mps=0.0, t_in=60.0, t_out=200.0, now=NOW, minima=m)  # fmt: skip
    assert part is not None
    poly = shapely.Polygon([(lon, lat) for lat, lon in part.rings[0]])
    whole = lonlat_polygon(volume_ring(v))
    assert poly.within(whole.buffer(1e-5))
    assert poly.area < 0.5 * whole.area  # a corridor, not the volume
    # every vertex within the minimum of the predicted path (a geodesic: it bends south a little)
    ts = np.linspace(60.0, 200.0, 2000)
    plon, plat, _ = GEOD.fwd([9.7] * ts.size, [40.2] * ts.size, [90.0] * ts.size, 450 * KT * ts)
    for lat, lon in part.rings[0]:
        _, _, d = GEOD.inv([lon] * ts.size, [lat] * ts.size, plon, plat)
        assert min(d) <= 5.0 * NM * 1.001 + 5.0
    assert (part.alt_lower_ft, part.alt_upper_ft) == (24000, 26000)
    assert (part.start, part.end) == (NOW + 60, NOW + 200)
    # the volume's own corners beyond the corridor never appear
    corners = set(volume_ring(v))
    assert not corners & set(part.rings[0])


def test_inside_checks_area_band_and_window() -> None:
    v = volume(40.0, 10.0, 0.3)
    lat, lon = np.array([40.1, 40.1, 45.0]), np.array([10.1, 10.1, 10.1])
    alt = np.array([25000, 35000, 25000]) * FT
    assert inside(v, lat, lon, alt, NOW).tolist() == [True, False, False]  # type: ignore[arg-type]
    assert inside(v, lat, lon, alt, NOW + 7200).tolist() == [False, False, False]  # type: ignore[arg-type]


def crowd(seed: int, n_vol: int = 150, n_ac: int = 600) -> tuple[list[AreaVolume], dict]:  # type: ignore[type-arg]
    """A crowded scene: polygons and circles of many sizes over 4°, aircraft of every kind."""
    rng = np.random.default_rng(seed)
    vols = []
    for k in range(n_vol):
        lat, lon = 40 + rng.uniform(-2, 2), 10 + rng.uniform(-2, 2)
        v = (
            circle(lat, lon, float(rng.uniform(1, 20)))
            if k % 3 == 0
            else volume(lat, lon, rng.uniform(0.02, 0.6))
        )
        vols.append(AreaVolume(["RED", "BLUE"][k % 2], f"OP{k}", 0, k % 7 == 0, v))  # type: ignore[arg-type]
    fleet = {
        "party": np.array(rng.choice(["RED", "BLUE", "CIVIL"], n_ac), dtype=object),
        "lat": 40 + rng.uniform(-2.5, 2.5, n_ac),
        "lon": 10 + rng.uniform(-2.5, 2.5, n_ac),
        "alt": rng.uniform(0, 45000, n_ac) * FT,
        "gs": rng.choice([0.0, 90.0, 250.0, 480.0, 600.0], n_ac) * KT,
        "trk": rng.uniform(0, 360, n_ac),
        "vs": rng.choice([0.0, 0.0, -3000.0, 4000.0], n_ac) * FT / 60.0,
    }
    return vols, fleet


@pytest.mark.parametrize("chunk", [1 << 14, 64])
@pytest.mark.parametrize("seed", range(3))
def test_the_box_pruned_narrow_phase_finds_what_brute_force_finds(seed: int, chunk: int, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The default narrow phase (edges whose boxes meet the path's and the chord's) against every
    chord crossed with every edge of the volume: the same crossings, to the bit, in any chunks."""
    from airdecon.operations import _edges

    vols, fleet = crowd(seed)
    index = AreaIndex(vols)
    args = {"party": fleet["party"], "lat_deg": fleet["lat"], "lon_deg": fleet["lon"], "alt_m": fleet["alt"],
            "gs_mps": fleet["gs"], "trk_deg": fleet["trk"], "vs_mps": fleet["vs"], "now": NOW,
            "lookahead_s": 300.0}  # fmt: skip
    monkeypatch.setattr(_edges, "CHUNK_ROWS", chunk)
    crossed = {"auto": 0, "brute": 0}  # (pair, chord, edge) triples given to the exact crossing
    cross = _edges._cross

    def counted(*a, **k):  # type: ignore[no-untyped-def]
        crossed[backend] += a[1].shape[0]
        return cross(*a, **k)

    monkeypatch.setattr(_edges, "_cross", counted)
    backend = "auto"
    fast = crossings(index, **args)
    backend = "brute"
    brute = crossings(index, backend="brute", **args)
    assert len(fast) > 50
    assert crossed["auto"] * 20 < crossed["brute"], crossed  # the boxes do prune
    for name in ("aircraft", "volume", "t_in", "t_out", "lat", "lon", "alt_m"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(brute, name), err_msg=name)
    with pytest.raises(ValueError, match="backend"):
        crossings(index, backend="grid", **args)  # type: ignore[arg-type]
