"""Per-pair policy of a protocol document: which minima apply to a pair, and whether it is watched.

Everything here is vectorised over the fleet: each aircraft's own minima (from altitude bands and
airspace volumes, point-in-polygon included) and its watch attributes (party role, formation) are
computed once per fleet with numpy, looping over bands, volumes, polygon edges and parties — never
over aircraft — and then gathered for any number of candidate pairs.

Rules, in SI units (metres):

* **Minima.** An override (altitude band or volume) *applies* to an aircraft inside it. For each
  component (horizontal, vertical) an aircraft's minimum is the largest value among the applying
  overrides that set that component, or the default when none does (so an override may lower the
  default inside its volume, e.g. 3 NM in a terminal area). A pair gets the **largest** of its two
  aircraft's minima, per component.
* **Bands** are ``floor < altitude <= ceiling`` (either side may be open): ``floor_ft: 41000``
  means "above FL410", and an aircraft at exactly FL410 keeps the band below.
* **Volumes** are a polygon of (lat, lon) vertices with straight edges in latitude/longitude, plus an
  altitude band as above; containment uses the even-odd rule. A point exactly on an edge may fall
  either side. Polygons may cross the antimeridian (longitudes are unwrapped) but must span less
  than 180 degrees of longitude and must not enclose a pole.
* **Formations.** Two members of one formation are never watched. Any other pair with a member of a
  formation gets that formation's extent added to its minima (horizontal and vertical), once per
  formation involved: the formation is kept clear as a whole, including members that do not report
  a position. An aircraft counts as a member only when the fleet gives it the party that declared
  the formation (a party cannot silence alerts on another party's aircraft).
* **Watched.** A pair of aircraft of different parties is watched. Two aircraft of the same party
  are watched only if that party asked for it (``watch_own_pairs``), except civil aircraft, which
  are each their own operator and always watched. A party id the document does not declare is
  treated as civil.
* **Inhibition volumes** (STCA inhibition areas, e.g. parallel approaches): a pair with both
  aircraft inside one is not watched, when the volume covers its kind of pair (``civil``: two civil
  aircraft; ``all``: any pair).
* **Descent floors by volume**: an aircraft inside a floor volume gets the largest of the applying
  volumes' floors instead of the protocol's default (no descent advisory below it, see
  :mod:`airdecon.resolution`).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from airdecon.units import FloatArray

__all__ = [
    "AirspaceVolume",
    "AltitudeBand",
    "FloorVolume",
    "FormationSpec",
    "InhibitionVolume",
    "PairPolicy",
    "PartyWatch",
]

IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]


def _in_band(alt_m: FloatArray, floor_m: float | None, ceiling_m: float | None) -> BoolArray:
    inside = np.ones(alt_m.shape[0], dtype=bool)
    if floor_m is not None:
        inside &= alt_m > floor_m
    if ceiling_m is not None:
        inside &= alt_m <= ceiling_m
    return inside


@dataclass(frozen=True)
class AltitudeBand:
    """Minima that apply to every aircraft in an altitude band (metres; ``None`` = unset/open)."""

    floor_m: float | None
    ceiling_m: float | None
    horizontal_m: float | None
    vertical_m: float | None

    def contains(self, lat_deg: FloatArray, lon_deg: FloatArray, alt_m: FloatArray) -> BoolArray:
        """Which aircraft are in the band; arrays of shape (n,) in, boolean (n,) out."""
        return _in_band(alt_m, self.floor_m, self.ceiling_m)


@dataclass(frozen=True)
class AirspaceVolume:
    """Minima that apply inside a polygon (lat/lon degrees, shape (k, 2)) and an altitude band."""

    polygon_deg: tuple[tuple[float, float], ...]
    floor_m: float | None
    ceiling_m: float | None
    horizontal_m: float | None
    vertical_m: float | None

    def contains(self, lat_deg: FloatArray, lon_deg: FloatArray, alt_m: FloatArray) -> BoolArray:
        """Which aircraft are inside the volume (even-odd rule); arrays (n,) in, boolean (n,) out."""
        inside = _in_band(alt_m, self.floor_m, self.ceiling_m)
        if not inside.any():
            return inside
        return inside & points_in_polygon(lat_deg, lon_deg, self.polygon_deg)


@dataclass(frozen=True)
class FloorVolume:
    """A descent floor (metres) inside a polygon and an altitude band (e.g. a terminal area)."""

    polygon_deg: tuple[tuple[float, float], ...]
    floor_m: float | None
    ceiling_m: float | None
    descent_floor_m: float

    def contains(self, lat_deg: FloatArray, lon_deg: FloatArray, alt_m: FloatArray) -> BoolArray:
        """Which aircraft are inside the volume; arrays (n,) in, boolean (n,) out."""
        inside = _in_band(alt_m, self.floor_m, self.ceiling_m)
        return inside & points_in_polygon(lat_deg, lon_deg, self.polygon_deg) if inside.any() else inside


@dataclass(frozen=True)
class InhibitionVolume:
    """A volume where pairs with both aircraft inside are not watched: two civil aircraft
    (``pairs="civil"``) or any pair (``"all"``)."""

    polygon_deg: tuple[tuple[float, float], ...]
    floor_m: float | None
    ceiling_m: float | None
    pairs: str = "civil"

    def contains(self, lat_deg: FloatArray, lon_deg: FloatArray, alt_m: FloatArray) -> BoolArray:
        """Which aircraft are inside the volume; arrays (n,) in, boolean (n,) out."""
        inside = _in_band(alt_m, self.floor_m, self.ceiling_m)
        return inside & points_in_polygon(lat_deg, lon_deg, self.polygon_deg) if inside.any() else inside


def unwrap_lons(lons: FloatArray) -> FloatArray:
    """Polygon longitudes unwrapped so that each edge takes the short way (antimeridian-safe)."""
    step = np.diff(lons)
    step = (step + 180.0) % 360.0 - 180.0
    return np.concatenate([lons[:1], lons[0] + np.cumsum(step)])


def points_in_polygon(
    lat_deg: FloatArray, lon_deg: FloatArray, polygon_deg: tuple[tuple[float, float], ...]
) -> BoolArray:
    """Even-odd point-in-polygon test in the lat/lon plane, vectorised over points.

    Parameters
    ----------
    lat_deg, lon_deg : arrays of shape (n,)
        The points, degrees.
    polygon_deg : sequence of (lat, lon) of length k >= 3
        The vertices, degrees; the ring closes itself.

    Returns
    -------
    boolean array of shape (n,)

    The loop runs over the k edges, each step vectorised over the n points (memory O(n)).
    """
    poly = np.asarray(polygon_deg, dtype=np.float64)
    py = poly[:, 0]
    px = unwrap_lons(poly[:, 1])
    centre = 0.5 * (px.min() + px.max())
    x = (lon_deg - centre + 180.0) % 360.0 - 180.0 + centre  # the copy of each point nearest the polygon
    y = lat_deg
    inside = np.zeros(x.shape[0], dtype=bool)
    k = py.shape[0]
    for a in range(k):
        b = (a + 1) % k
        ya, yb, xa, xb = py[a], py[b], px[a], px[b]
        if ya == yb:
            continue  # a horizontal edge is never crossed by the horizontal ray
        crosses = (ya > y) != (yb > y)
        x_at = xa + (y - ya) * (xb - xa) / (yb - ya)
        inside ^= crosses & (x < x_at)
    return inside


@dataclass(frozen=True)
class FormationSpec:
    """Aircraft flying together, declared by one party; extents in metres."""

    party: str
    aircraft: tuple[str, ...]
    extent_h_m: float
    extent_v_m: float


@dataclass(frozen=True)
class PartyWatch:
    """What the watch rules need of a party: whether it is civil, and whether it watches its own pairs."""

    civil: bool
    watch_own_pairs: bool


@dataclass(frozen=True)
class _PerAircraft:
    h_m: FloatArray  # own horizontal minimum, (n,)
    v_m: FloatArray  # own vertical minimum, (n,)
    party_code: IntArray  # (n,) index into the fleet's distinct parties
    watch_own: BoolArray  # per distinct party
    civil: BoolArray  # per distinct party
    formation: IntArray  # (n,) formation index or -1
    ext_h_m: FloatArray  # (n,) formation extent, 0 for non-members
    ext_v_m: FloatArray
    inhib_civil: npt.NDArray[np.int64]  # (n,) bit k: inside inhibition volume k of civil pairs
    inhib_all: npt.NDArray[np.int64]  # (n,) bit k: inside inhibition volume k of all pairs
    descent_floor_m: FloatArray  # (n,) the floor volumes' floor, NaN outside every one


class _OneFleetCache:
    """Remembers the per-aircraft table of the last fleet seen (detection asks chunk after chunk).

    Keyed by the fleet's identity (fleets are immutable) and the default minima.
    """

    __slots__ = ("_key", "_ref", "_value")

    def __init__(self) -> None:
        self._ref: weakref.ref[Any] | None = None
        self._key: tuple[float, float] = (0.0, 0.0)
        self._value: _PerAircraft | None = None

    def get(self, fleet: Any, key: tuple[float, float]) -> _PerAircraft | None:
        if self._ref is not None and self._ref() is fleet and self._key == key:
            return self._value
        return None

    def put(self, fleet: Any, key: tuple[float, float], value: _PerAircraft) -> None:
        try:
            self._ref = weakref.ref(fleet)
        except TypeError:  # pragma: no cover - a fleet-like object without weakref support
            self._ref = None
            return
        self._key = key
        self._value = value

    def __reduce__(self) -> tuple[type[_OneFleetCache], tuple[()]]:
        """A cache is not worth sending to another process: it travels empty."""
        return (_OneFleetCache, ())


@dataclass(frozen=True)
class PairPolicy:
    """The per-pair rules of a protocol document (see the module docstring), in SI units.

    Attributes
    ----------
    bands, volumes : tuples of AltitudeBand and AirspaceVolume
        Minima overrides.
    parties : tuple of (party id, PartyWatch)
        Declared parties; any other party id is civil.
    formations : tuple of FormationSpec
        Declared formations (an aircraft id appears in at most one).
    inhibitions : tuple of InhibitionVolume
        Volumes where some pairs are not watched (at most 62).
    floors : tuple of FloorVolume
        Descent floors by volume.
    """

    bands: tuple[AltitudeBand, ...] = ()
    volumes: tuple[AirspaceVolume, ...] = ()
    parties: tuple[tuple[str, PartyWatch], ...] = ()
    formations: tuple[FormationSpec, ...] = ()
    inhibitions: tuple[InhibitionVolume, ...] = ()
    floors: tuple[FloorVolume, ...] = ()
    _cache: _OneFleetCache = field(default_factory=_OneFleetCache, compare=False, repr=False, hash=False)

    def _overrides(self) -> tuple[AltitudeBand | AirspaceVolume, ...]:
        return (*self.bands, *self.volumes)

    # ---- bounds ---------------------------------------------------------------------------------
    def bounds(self, default_h_m: float, default_v_m: float) -> tuple[float, float]:
        """The largest horizontal and vertical minima any pair can get (metres)."""
        hs = [default_h_m] + [o.horizontal_m for o in self._overrides() if o.horizontal_m is not None]
        vs = [default_v_m] + [o.vertical_m for o in self._overrides() if o.vertical_m is not None]
        ext_h = max((f.extent_h_m for f in self.formations), default=0.0)
        ext_v = max((f.extent_v_m for f in self.formations), default=0.0)
        return max(hs) + 2.0 * ext_h, max(vs) + 2.0 * ext_v

    # ---- per aircraft ---------------------------------------------------------------------------
    def _per_aircraft(self, fleet: Any, default_h_m: float, default_v_m: float) -> _PerAircraft:
        key = (default_h_m, default_v_m)
        cached = self._cache.get(fleet, key)
        if cached is not None:
            return cached
        n = len(fleet)
        lat, lon, alt = fleet.lat_deg, fleet.lon_deg, fleet.alt_m
        h_best = np.full(n, -np.inf)
        v_best = np.full(n, -np.inf)
        for o in self._overrides():
            inside = o.contains(lat, lon, alt)
            if o.horizontal_m is not None:
                np.maximum(h_best, np.where(inside, o.horizontal_m, -np.inf), out=h_best)
            if o.vertical_m is not None:
                np.maximum(v_best, np.where(inside, o.vertical_m, -np.inf), out=v_best)
        h_m = np.where(np.isfinite(h_best), h_best, default_h_m)
        v_m = np.where(np.isfinite(v_best), v_best, default_v_m)

        party_str = np.asarray(fleet.party, dtype=object).astype(str)
        uniq, code = np.unique(party_str, return_inverse=True)
        declared = dict(self.parties)
        unknown = PartyWatch(civil=True, watch_own_pairs=True)
        info = [declared.get(str(p), unknown) for p in uniq]  # one per distinct party, not per aircraft
        civil = np.array([w.civil for w in info], dtype=bool)
        watch_own = np.array([w.watch_own_pairs for w in info], dtype=bool)

        formation = np.full(n, -1, dtype=np.intp)
        ext_h = np.zeros(n)
        ext_v = np.zeros(n)
        if self.formations and n:
            members = np.array([a for f in self.formations for a in f.aircraft], dtype=str)
            owner = np.array([k for k, f in enumerate(self.formations) for _ in f.aircraft], dtype=np.intp)
            order = np.argsort(members)
            members, owner = members[order], owner[order]
            ids = np.asarray(fleet.ids, dtype=object).astype(str)
            # the hub keys aircraft as "PARTY/ID" (parties may reuse ids): match on the bare id
            ids = np.array(
                [
                    a[len(p) + 1 :] if a.startswith(p + "/") else a
                    for a, p in zip(ids, party_str, strict=True)
                ],
                dtype=str,
            )
            pos = np.clip(np.searchsorted(members, ids), 0, members.shape[0] - 1)
            f_of = np.where(members[pos] == ids, owner[pos], -1)
            f_party = np.array([f.party for f in self.formations], dtype=str)
            f_h = np.array([f.extent_h_m for f in self.formations])
            f_v = np.array([f.extent_v_m for f in self.formations])
            member = f_of >= 0
            member &= f_party[np.maximum(f_of, 0)] == party_str
            formation = np.where(member, f_of, -1).astype(np.intp)
            ext_h = np.where(member, f_h[np.maximum(f_of, 0)], 0.0)
            ext_v = np.where(member, f_v[np.maximum(f_of, 0)], 0.0)
        inhib = {"civil": np.zeros(n, dtype=np.int64), "all": np.zeros(n, dtype=np.int64)}
        for k, vol in enumerate(self.inhibitions[:62]):
            inhib[vol.pairs] |= np.where(vol.contains(lat, lon, alt), np.int64(1) << k, np.int64(0))
        floor_best = np.full(n, -np.inf)
        for fv in self.floors:
            np.maximum(floor_best, np.where(fv.contains(lat, lon, alt), fv.descent_floor_m, -np.inf),
                       out=floor_best)
        table = _PerAircraft(
            inhib_civil=inhib["civil"],
            inhib_all=inhib["all"],
            descent_floor_m=np.where(np.isfinite(floor_best), floor_best, np.nan),
            h_m=h_m,
            v_m=v_m,
            party_code=code.astype(np.intp).ravel(),
            watch_own=watch_own,
            civil=civil,
            formation=formation,
            ext_h_m=ext_h,
            ext_v_m=ext_v,
        )
        self._cache.put(fleet, key, table)
        return table

    # ---- per pair -------------------------------------------------------------------------------
    def pair_minima(
        self, fleet: Any, i: IntArray, j: IntArray, default_h_m: float, default_v_m: float
    ) -> tuple[FloatArray, FloatArray]:
        """Horizontal and vertical minima (metres) of each pair (i[k], j[k]), shape (m,) each."""
        t = self._per_aircraft(fleet, default_h_m, default_v_m)
        same_formation = (t.formation[i] >= 0) & (t.formation[i] == t.formation[j])
        ext_h = np.where(same_formation, 0.0, t.ext_h_m[i] + t.ext_h_m[j])
        ext_v = np.where(same_formation, 0.0, t.ext_v_m[i] + t.ext_v_m[j])
        h = np.maximum(t.h_m[i], t.h_m[j]) + ext_h
        v = np.maximum(t.v_m[i], t.v_m[j]) + ext_v
        return h, v

    def watched(
        self, fleet: Any, i: IntArray, j: IntArray, default_h_m: float, default_v_m: float
    ) -> BoolArray:
        """Which pairs (i[k], j[k]) are watched, boolean of shape (m,)."""
        t = self._per_aircraft(fleet, default_h_m, default_v_m)
        pi, pj = t.party_code[i], t.party_code[j]
        same_party = pi == pj
        keep = ~same_party | t.watch_own[pi] | t.civil[pi]
        same_formation = (t.formation[i] >= 0) & (t.formation[i] == t.formation[j])
        watched: BoolArray = keep & ~same_formation
        if self.inhibitions:
            civil_pair = t.civil[pi] & t.civil[pj]
            inhibited = (t.inhib_all[i] & t.inhib_all[j]) != 0
            inhibited |= civil_pair & ((t.inhib_civil[i] & t.inhib_civil[j]) != 0)
            watched &= ~inhibited
        return watched

    def descent_floor(self, fleet: Any, rows: IntArray, default_m: float, default_h_m: float,
                      default_v_m: float) -> FloatArray:
        """The descent floor (metres) of the aircraft at *rows*: the largest of the floor volumes
        they are in, else *default_m*."""
        t = self._per_aircraft(fleet, default_h_m, default_v_m)
        own = t.descent_floor_m[rows]
        floor: FloatArray = np.where(np.isnan(own), default_m, own)
        return floor
