"""Encounter geometry and Annex 2 right of way: who gives way in each pair, measured on the globe.

Every pair is measured in its own tangent plane, with the engine's machinery (``airdecon.geometry``):
both aircraft are placed in ECEF on the WGS84 ellipsoid, each track is built from the aircraft's own
east/north vectors, and positions and tracks are projected onto the plane normal to the mean of the
two geodetic normals. Relative bearings are clockwise angles in that plane, so they stay exact near
the poles and across the antimeridian (no flat lat/lon approximation).

Right of way (ICAO Annex 2 3.2.2, STANDARDS.md 3), in this order:

1. **distress**: when exactly one aircraft is in distress it has right of way over the other, which
   gives way (``distress-priority``);
2. **head-on**: tracks within ``rules.head_on_deg`` of reciprocal and each aircraft ahead of the other
   (relative bearing within 90 degrees of its nose): both alter heading to the right;
3. **overtaking**: an aircraft approaching another from the rear, at a relative bearing (seen from
   the overtaken aircraft's nose) less than ``rules.overtaking_deg`` from its tail (110-250 degrees
   with the Annex 2 value of 70), while the range closes: the overtaking aircraft alters heading to
   the right, the overtaken maintains;
4. **converging**: the aircraft that has the other on its right gives way. When both (or neither)
   have the other on the right, the one that has it *more* on its right (larger sine of the
   relative bearing) gives way; on an exact tie, the aircraft whose id sorts first.

Everything is vectorised over the pairs.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import cast

import numpy as np
import numpy.typing as npt

from airdecon.geometry import geodetic_to_ecef, velocity_ecef
from airdecon.protocol import RulesOfTheAir
from airdecon.state import Fleet
from airdecon.units import FloatArray

__all__ = ["Encounter", "Kind", "encounter_geometry", "relative_bearing_deg", "right_of_way"]

IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]


class Kind(IntEnum):
    """The Annex 2 situation of a pair."""

    CONVERGING = 0
    HEAD_ON = 1
    OVERTAKING = 2
    DISTRESS = 3

    @property
    def rule(self) -> str:
        """The advisory rule name of the aircraft that gives way in this situation."""
        return ("converging", "head-on", "overtaking", "distress-priority")[self.value]


def _dot(a: FloatArray, b: FloatArray) -> FloatArray:
    out: FloatArray = np.einsum("ij,ij->i", a, b)
    return out


def _clockwise_deg(a: FloatArray, b: FloatArray, up: FloatArray) -> FloatArray:
    """Clockwise angle (seen from above) from direction a to direction b, degrees in [0, 360)."""
    cross = cast(FloatArray, np.cross(b, a))  # float64 in, float64 out (numpy's stubs: "floating")
    sin = _dot(cross, up)
    cos = _dot(a, b)
    return np.mod(np.degrees(np.arctan2(sin, cos)), 360.0)


def relative_bearing_deg(fleet: Fleet, i: IntArray, j: IntArray) -> FloatArray:
    """Relative bearing of aircraft j seen from aircraft i's nose (clockwise, degrees in [0, 360)).

    Measured in the pair's tangent plane (see the module docstring). Shapes (m,) -> (m,).
    """
    return encounter_geometry(fleet, i, j).brg_b_from_a_deg


@dataclass(frozen=True)
class Encounter:
    """The geometry of m pairs (a = fleet row i, b = fleet row j), arrays of shape (m,) or (m, 3).

    Attributes
    ----------
    s, w : arrays of shape (m, 3)
        Position and velocity of b relative to a in the pair's tangent plane (m, m/s), ECEF axes.
    dz, dvz : arrays of shape (m,)
        Altitude (m) and vertical-rate (m/s) difference b - a.
    brg_b_from_a_deg, brg_a_from_b_deg : arrays of shape (m,)
        Relative bearing of the other aircraft from each one's nose, clockwise, [0, 360).
    track_diff_deg : array of shape (m,)
        Angle between the two tracks, [0, 180].
    closing : bool array
        The horizontal range is decreasing.
    """

    s: FloatArray
    w: FloatArray
    dz: FloatArray
    dvz: FloatArray
    brg_b_from_a_deg: FloatArray
    brg_a_from_b_deg: FloatArray
    track_diff_deg: FloatArray
    closing: BoolArray


def encounter_geometry(fleet: Fleet, i: IntArray, j: IntArray) -> Encounter:
    """Relative geometry of pairs (i[k], j[k]) in each pair's tangent plane (see :class:`Encounter`)."""
    i = np.asarray(i, dtype=np.intp)
    j = np.asarray(j, dtype=np.intp)
    lat, lon = fleet.lat_deg, fleet.lon_deg
    pos = geodetic_to_ecef(lat, lon)
    vel, up = velocity_ecef(lat, lon, fleet.gs_mps, fleet.trk_deg)
    # unit track directions, defined even for a hovering aircraft (gs = 0)
    head, _ = velocity_ecef(lat, lon, np.ones_like(fleet.gs_mps), fleet.trk_deg)
    u = up[i] + up[j]
    u /= np.sqrt(_dot(u, u))[:, None]

    def flat(x: FloatArray) -> FloatArray:
        return x - _dot(x, u)[:, None] * u

    s = flat(pos[j] - pos[i])
    w = flat(vel[j] - vel[i])
    ha = flat(head[i])
    hb = flat(head[j])
    return Encounter(
        s=s,
        w=w,
        dz=fleet.alt_m[j] - fleet.alt_m[i],
        dvz=fleet.vs_mps[j] - fleet.vs_mps[i],
        brg_b_from_a_deg=_clockwise_deg(ha, s, u),
        brg_a_from_b_deg=_clockwise_deg(hb, -s, u),
        track_diff_deg=180.0 - np.abs(180.0 - _clockwise_deg(ha, hb, u)),
        closing=_dot(s, w) < 0.0,
    )


def right_of_way(
    enc: Encounter,
    rules: RulesOfTheAir,
    *,
    a_first: BoolArray,
    distress_a: BoolArray,
    distress_b: BoolArray,
) -> tuple[IntArray, BoolArray, BoolArray]:
    """Annex 2 situation and who gives way, for every pair.

    Parameters
    ----------
    enc : Encounter
        The pairs' geometry.
    rules : RulesOfTheAir
        ``head_on_deg`` and ``overtaking_deg``.
    a_first : bool array of shape (m,)
        Whether a's id sorts before b's (the final tie-break).
    distress_a, distress_b : bool arrays of shape (m,)
        Whether each aircraft is in distress.

    Returns
    -------
    kind : int array of shape (m,)
        :class:`Kind` codes.
    give_way_a, give_way_b : bool arrays of shape (m,)
        Which aircraft must alter heading (both for head-on).
    """
    ra = np.radians(enc.brg_b_from_a_deg)
    rb = np.radians(enc.brg_a_from_b_deg)
    ahead_a = np.cos(ra) > 0.0
    ahead_b = np.cos(rb) > 0.0
    head_on = (enc.track_diff_deg >= 180.0 - rules.head_on_deg) & ahead_a & ahead_b
    b_overtakes = enc.closing & (np.abs(enc.brg_b_from_a_deg - 180.0) < rules.overtaking_deg)
    a_overtakes = enc.closing & (np.abs(enc.brg_a_from_b_deg - 180.0) < rules.overtaking_deg)
    overtaking = (a_overtakes ^ b_overtakes) & ~head_on
    right_a = np.sin(ra)
    right_b = np.sin(rb)
    conv_a = (right_a > right_b) | ((right_a == right_b) & a_first)

    kind = np.full(enc.dz.shape, Kind.CONVERGING, dtype=np.intp)
    kind[overtaking] = Kind.OVERTAKING
    kind[head_on] = Kind.HEAD_ON
    give_a = np.where(head_on, True, np.where(overtaking, a_overtakes, conv_a))
    give_b = np.where(head_on, True, np.where(overtaking, b_overtakes, ~conv_a))
    one_distress = distress_a ^ distress_b
    kind[one_distress] = Kind.DISTRESS
    give_a = np.where(one_distress, distress_b, give_a)
    give_b = np.where(one_distress, distress_a, give_b)
    return kind, give_a.astype(bool), give_b.astype(bool)
