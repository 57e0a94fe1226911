"""A slow, scalar, all-pairs reference detector, written independently of the engine.

Plain Python floats and ``math`` only: each pair is placed on the WGS84 ellipsoid, both velocities
are built in their own local frames, everything is projected on the plane normal to the pair's mean
geodetic normal, and the loss-of-separation intervals are solved with the textbook quadratic
formula. It shares the engine's documented semantics (strict minima, exactly at a minimum within
1 um being separated, 1 mm "still" rule, 1 us touch rule) but none of its code. Used only by the
differential tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

A = 6378137.0
F = 1 / 298.257223563
E2 = F * (2 - F)
STILL_M = 1e-3
TOUCH_S = 1e-6
BOUNDARY_M = 1e-6  # docs/engine.md: a separation within 1 um of a minimum is at it, hence separated


@dataclass(frozen=True)
class RefConflict:
    a: str
    b: str
    t_in_s: float
    t_out_s: float
    tcpa_s: float
    dcpa_m: float
    dalt_m: float
    # how close the decision was to flipping (for borderline tolerance in comparisons)
    margin_s: float


def _ecef(lat: float, lon: float) -> tuple[float, float, float]:
    la, lo = math.radians(lat), math.radians(lon)
    n = A / math.sqrt(1 - E2 * math.sin(la) ** 2)
    return (n * math.cos(la) * math.cos(lo), n * math.cos(la) * math.sin(lo), n * (1 - E2) * math.sin(la))


def _frame(lat: float, lon: float) -> tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]]:
    la, lo = math.radians(lat), math.radians(lon)
    east = (-math.sin(lo), math.cos(lo), 0.0)
    north = (-math.sin(la) * math.cos(lo), -math.sin(la) * math.sin(lo), math.cos(la))
    up = (math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la))
    return east, north, up


def _dot(u: tuple[float, ...], v: tuple[float, ...]) -> float:
    return sum(x * y for x, y in zip(u, v, strict=True))


def _interval_h(s, w, h, T):  # type: ignore[no-untyped-def]
    a = _dot(w, w)
    b = _dot(s, w)
    c = _dot(s, s) - h * h
    if a * T * T < STILL_M**2:
        return (-math.inf, math.inf) if c < 0 else None
    disc = b * b - a * c
    if disc <= 0:
        return None
    r = math.sqrt(disc)
    return ((-b - r) / a, (-b + r) / a)


def _interval_v(dz: float, dvz: float, v: float, T: float) -> tuple[float, float] | None:
    if abs(dvz) * T < STILL_M:
        return (-math.inf, math.inf) if abs(dz) < v else None
    t1, t2 = (-v - dz) / dvz, (v - dz) / dvz
    return (min(t1, t2), max(t1, t2))


def reference_detect(records: list[dict], h_m: float, v_m: float, T: float) -> list[RefConflict]:
    """All conflicts among *records* (dicts with id, lat, lon, alt_m, gs_mps, trk_deg, vs_mps)."""
    out: list[RefConflict] = []
    placed = []
    for r in records:
        e, n, u = _frame(r["lat"], r["lon"])
        t = math.radians(r["trk_deg"])
        ve, vn = r["gs_mps"] * math.sin(t), r["gs_mps"] * math.cos(t)
        vel = tuple(ve * e[k] + vn * n[k] for k in range(3))
        placed.append((r, _ecef(r["lat"], r["lon"]), vel, u))
    for x in range(len(placed)):
        for y in range(x + 1, len(placed)):
            ra, pa, va, ua = placed[x]
            rb, pb, vb, ub = placed[y]
            um = tuple(ua[k] + ub[k] for k in range(3))
            norm = math.sqrt(_dot(um, um))
            um = tuple(c / norm for c in um)
            d = tuple(pb[k] - pa[k] for k in range(3))
            dv = tuple(vb[k] - va[k] for k in range(3))
            dd, dvd = _dot(d, um), _dot(dv, um)
            s = tuple(d[k] - dd * um[k] for k in range(3))
            w = tuple(dv[k] - dvd * um[k] for k in range(3))
            dz = rb["alt_m"] - ra["alt_m"]
            dvz = rb["vs_mps"] - ra["vs_mps"]
            hi_ = _interval_h(s, w, h_m - BOUNDARY_M, T)
            vi_ = _interval_v(dz, dvz, v_m - BOUNDARY_M, T)
            if hi_ is None or vi_ is None:
                continue
            lo, hi = max(hi_[0], vi_[0]), min(hi_[1], vi_[1])
            if not (hi - lo > TOUCH_S and hi > 0 and lo < T):
                continue
            a_ = _dot(w, w)
            tc = 0.0 if a_ * T * T < STILL_M**2 else max(0.0, -_dot(s, w) / a_)
            rel = tuple(s[k] + w[k] * tc for k in range(3))
            margin = min(abs(hi - lo), abs(hi), abs(T - lo))
            ida, idb = ra["id"], rb["id"]
            if ida > idb:
                ida, idb = idb, ida
            out.append(
                RefConflict(
                    ida, idb, max(lo, 0.0), hi, tc, math.sqrt(_dot(rel, rel)), abs(dz + dvz * tc), margin
                )
            )
    return out
