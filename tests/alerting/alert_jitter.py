"""Recorded-style noisy surveillance sequences for the alert tests (synthetic, seeded, reproducible).

Two aircraft are flown along straight truth tracks near 35N 38E and reported once a second, as an
ADS-B feed reports them, with the errors such feeds carry: horizontal position noise (sigma 30 m,
about NACp 9), ground-speed noise (sigma 3 kt, inside NACv 2's 3 m/s) and track noise (sigma 0.5 deg).
Each report is an independent draw, so the predicted time to loss of separation and miss distance
wobble from one update to the next the way they do on a real track.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from airdecon import Fleet

LAT0, LON0 = 35.0, 38.0
POS_SIGMA_M = 30.0
GS_SIGMA_KT = 3.0
TRK_SIGMA_DEG = 0.5


def fleet_at(reports: list[tuple[str, float, float, float, float, float]]) -> Fleet:
    """Fleet from (id, x_nm, y_nm, gs_kt, trk_deg, alt_ft) reports in a plane around 35N 38E."""
    return Fleet.from_records(
        [
            {
                "id": ident,
                "party": ident,
                "lat": LAT0 + y / 60.0,
                "lon": LON0 + x / (60.0 * math.cos(math.radians(LAT0))),
                "alt_ft": alt,
                "gs_kt": gs,
                "trk_deg": trk,
            }
            for ident, x, y, gs, trk, alt in reports
        ]
    )


def noisy(
    truth: list[tuple[str, float, float, float, float, float]], rng: np.random.Generator
) -> list[tuple[str, float, float, float, float, float]]:
    """One noisy report of each truth state."""
    out = []
    for ident, x, y, gs, trk, alt in truth:
        out.append(
            (
                ident,
                x + rng.normal(0.0, POS_SIGMA_M) / 1852.0,
                y + rng.normal(0.0, POS_SIGMA_M) / 1852.0,
                gs + rng.normal(0.0, GS_SIGMA_KT),
                (trk + rng.normal(0.0, TRK_SIGMA_DEG)) % 360.0,
                alt,
            )
        )
    return out


def overtaking(seed: int, closure_kt: float, seconds: int = 150) -> Iterator[tuple[float, Fleet]]:
    """B overtakes A from dead astern at *closure_kt*; true time to loss of separation 170 s at t=0."""
    rng = np.random.default_rng(seed)
    gap0 = 5.0 + closure_kt * 170.0 / 3600.0
    for t in range(seconds):
        ya = 250.0 * t / 3600.0
        yb = -gap0 + (250.0 + closure_kt) * t / 3600.0
        truth = [("A", 0.0, ya, 250.0, 0.0, 20000.0), ("B", 0.0, yb, 250.0 + closure_kt, 0.0, 20000.0)]
        yield float(t), fleet_at(noisy(truth, rng))


def passing(seed: int, miss_nm: float = 4.9, seconds: int = 150) -> Iterator[tuple[float, Fleet]]:
    """Opposite-direction traffic on tracks *miss_nm* apart, from 60 NM: the miss distance wobbles."""
    rng = np.random.default_rng(seed)
    for t in range(seconds):
        xa = -30.0 + 450.0 * t / 3600.0
        xb = 30.0 - 450.0 * t / 3600.0
        truth = [("A", xa, 0.0, 450.0, 90.0, 30000.0), ("B", xb, miss_nm, 450.0, 270.0, 30000.0)]
        yield float(t), fleet_at(noisy(truth, rng))
