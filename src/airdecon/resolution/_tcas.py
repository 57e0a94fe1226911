"""The TCAS II v7.1 resolution-advisory region: sensitivity levels and the RA threat test, vectorised.

The ground must never contradict an airborne resolution advisory (PANS-OPS, STANDARDS.md 2.1). This
module answers one question for pairs of aircraft: could either aircraft's TCAS be issuing an RA
against the other right now? It applies the v7.1 RA thresholds of STANDARDS.md 2.2 and the threat
tests of 2.3 (as in NASA DAIDALUS ``TCAS2D``/``TCAS3D``):

* sensitivity level from the aircraft's own pressure altitude (upper bounds inclusive, as DAIDALUS
  ``TCASTable``): <= 2350 ft SL3 (real TCAS uses radio altitude there; we have none), <= 5000 ft SL4,
  <= 10000 ft SL5, <= 20000 ft SL6, <= 42000 ft SL7, above that the SL7 high-altitude row;
* horizontal test: range <= DMOD, or closing with modified tau ``(DMOD^2 - s.s)/(s.v) <= TAU``;
* vertical test: ``|dz| <= ZTHR``, or converging with time to co-altitude ``0 <= -dz/dvz <= TAU``;
* RA region for the aircraft: both tests hold with its own SL. A pair is in the region when either
  aircraft's test holds (we do not know who is equipped, so we assume both may be).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from airdecon.units import FT, NM, FloatArray

__all__ = ["RA_TABLE", "RaRegion", "ra_region", "sensitivity_level"]

IntArray = npt.NDArray[np.intp]

#: TCAS II v7.1 RA thresholds, one row per band: (SL, upper altitude ft, TAU s, DMOD NM, ZTHR ft).
RA_TABLE: tuple[tuple[int, float, float, float, float], ...] = (
    (3, 2350.0, 15.0, 0.20, 600.0),
    (4, 5000.0, 20.0, 0.35, 600.0),
    (5, 10000.0, 25.0, 0.55, 600.0),
    (6, 20000.0, 30.0, 0.80, 600.0),
    (7, 42000.0, 35.0, 1.10, 700.0),
    (7, float("inf"), 35.0, 1.10, 800.0),
)

_UPPER_M = np.array([row[1] for row in RA_TABLE]) * FT
_SL = np.array([row[0] for row in RA_TABLE], dtype=np.intp)
_TAU = np.array([row[2] for row in RA_TABLE])
_DMOD_M = np.array([row[3] for row in RA_TABLE]) * NM
_ZTHR_M = np.array([row[4] for row in RA_TABLE]) * FT


def _band(alt_m: FloatArray) -> IntArray:
    """Row of RA_TABLE for each altitude (upper bound inclusive)."""
    return np.searchsorted(_UPPER_M, np.asarray(alt_m, dtype=np.float64), side="left").astype(np.intp)


def sensitivity_level(alt_m: FloatArray) -> IntArray:
    """TCAS sensitivity level (3..7) from pressure altitude in metres, shape (n,) -> (n,)."""
    return _SL[_band(alt_m)]


@dataclass(frozen=True)
class RaRegion:
    """Per-pair result of :func:`ra_region`, arrays of shape (m,).

    Attributes
    ----------
    inside : bool array
        Either aircraft's TCAS RA test holds.
    sl : int array
        Sensitivity level of the aircraft whose test holds (the first aircraft's when both or none).
    tau_mod_s : float array
        Modified tau with that SL's DMOD (``inf`` when not closing).
    tau_s, dmod_m, zthr_m : float arrays
        That SL's thresholds.
    """

    inside: npt.NDArray[np.bool_]
    sl: IntArray
    tau_mod_s: FloatArray
    tau_s: FloatArray
    dmod_m: FloatArray
    zthr_m: FloatArray


def _test(
    s: FloatArray, w: FloatArray, dz: FloatArray, dvz: FloatArray, band: IntArray
) -> tuple[npt.NDArray[np.bool_], FloatArray]:
    tau = _TAU[band]
    dmod = _DMOD_M[band]
    zthr = _ZTHR_M[band]
    ss = np.einsum("ij,ij->i", s, s)
    sw = np.einsum("ij,ij->i", s, w)
    with np.errstate(divide="ignore", invalid="ignore"):
        tau_mod = np.where(sw < 0.0, (dmod * dmod - ss) / sw, np.inf)
        tcoa = np.where(dz * dvz < 0.0, -dz / dvz, np.inf)
    horizontal = (ss <= dmod * dmod) | ((sw < 0.0) & (tau_mod <= tau))
    vertical = (np.abs(dz) <= zthr) | ((tcoa >= 0.0) & (tcoa <= tau))
    return horizontal & vertical, tau_mod


def ra_region(
    s: FloatArray, w: FloatArray, dz: FloatArray, dvz: FloatArray, alt_a_m: FloatArray, alt_b_m: FloatArray
) -> RaRegion:
    """Whether pairs are inside the TCAS II RA region of either aircraft.

    Parameters
    ----------
    s, w : arrays of shape (m, d)
        Relative horizontal position (m) and velocity (m/s) of b with respect to a, in any frame.
    dz, dvz : arrays of shape (m,)
        Altitude difference b - a (m) and vertical-rate difference (m/s).
    alt_a_m, alt_b_m : arrays of shape (m,)
        Each aircraft's own pressure altitude (m), which selects its sensitivity level.
    """
    band_a = _band(alt_a_m)
    band_b = _band(alt_b_m)
    in_a, tm_a = _test(s, w, dz, dvz, band_a)
    in_b, tm_b = _test(s, w, dz, dvz, band_b)
    use_b = in_b & ~in_a
    band = np.where(use_b, band_b, band_a)
    return RaRegion(
        inside=in_a | in_b,
        sl=_SL[band],
        tau_mod_s=np.where(use_b, tm_b, tm_a),
        tau_s=_TAU[band],
        dmod_m=_DMOD_M[band],
        zthr_m=_ZTHR_M[band],
    )
