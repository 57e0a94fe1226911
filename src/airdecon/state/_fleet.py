"""Fleet: the validated structure of arrays the engine works on (one row per aircraft, SI units).

A fleet is a snapshot of every aircraft's state at one common time: identity and party as object
arrays of strings, kinematics as float64 arrays in SI units. It is built from records in aviation
units (``Fleet.from_records``, the scenario format) or from arrays (``Fleet.from_arrays``), and
either way every value is checked: a bad value raises :class:`~airdecon.errors.RecordError` naming
the aircraft and the field, and nothing is ever dropped silently.

Longitude convention: longitudes in (180, 360] or [-360, -180) are *normalised* into [-180, 180)
(the 0..360 convention some feeds use); beyond +-360 they are rejected. Tracks are normalised
into [0, 360).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from airdecon.errors import RecordError
from airdecon.state._intent import TURN_LIMIT_DPS
from airdecon.units import (
    FloatArray,
    fpm_to_mps,
    ft_to_m,
    kt_to_mps,
    m_to_ft,
    mps_to_fpm,
    mps_to_kt,
)

__all__ = ["LIMITS", "Fleet"]

ObjArray = npt.NDArray[np.object_]

#: Plausibility limits, in the record's own units: (field, low, high). Outside is an error.
LIMITS: dict[str, tuple[float, float]] = {
    "lat": (-90.0, 90.0),
    "lon": (-360.0, 360.0),
    "alt_ft": (-2_000.0, 200_000.0),
    "gs_kt": (0.0, 4_000.0),
    "vs_fpm": (-100_000.0, 100_000.0),
    "pos_err_m": (0.0, 1_000_000.0),
    "selected_alt_ft": (-2_000.0, 200_000.0),
    "turn_dps": (-TURN_LIMIT_DPS, TURN_LIMIT_DPS),
}

_REQUIRED = ("id", "lat", "lon", "alt_ft", "gs_kt", "trk_deg")
_NUMERIC = ("lat", "lon", "alt_ft", "gs_kt", "trk_deg", "vs_fpm")
_INTENT = ("selected_alt_ft", "turn_dps")  # optional: NaN (no selected altitude) and 0 (no turn)


@dataclass(frozen=True, eq=False)
class Fleet:
    """A snapshot of aircraft states as a structure of arrays.

    Attributes
    ----------
    ids : object array of shape (n,)
        Unique aircraft identifiers (str).
    party : object array of shape (n,)
        The party each aircraft belongs to (str), e.g. ``"BLUE"``, ``"CIVIL"``.
    lat_deg, lon_deg : float arrays of shape (n,)
        WGS84 position, degrees; longitude in [-180, 180).
    alt_m : float array of shape (n,)
        Pressure altitude, metres.
    gs_mps : float array of shape (n,)
        Ground speed, metres per second (>= 0).
    trk_deg : float array of shape (n,)
        True track, degrees in [0, 360).
    vs_mps : float array of shape (n,)
        Vertical rate, metres per second (positive up).
    pos_err_m : float array of shape (n,)
        Extra horizontal position uncertainty of each track, metres (0 for fresh reports; grows
        while a track is coasted). Detection adds both aircraft's values to a pair's minimum.
    sel_alt_m : float array of shape (n,), or None
        Selected altitude, metres, NaN where unknown; None when no aircraft has one. A climb or
        descent towards it is predicted to level off there (:mod:`airdecon.state._intent`).
    turn_dps : float array of shape (n,), or None
        Track rate of a steady turn, degrees per second (positive right), 0 where none; None when
        no aircraft turns. Detection also flies such an aircraft along its arc.

    Build with :meth:`from_records` or :meth:`from_arrays`; the constructor does not validate.
    """

    ids: ObjArray
    party: ObjArray
    lat_deg: FloatArray
    lon_deg: FloatArray
    alt_m: FloatArray
    gs_mps: FloatArray
    trk_deg: FloatArray
    vs_mps: FloatArray
    pos_err_m: FloatArray
    sel_alt_m: FloatArray | None = None
    turn_dps: FloatArray | None = None

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def __repr__(self) -> str:
        parties = sorted(set(self.party.tolist()))
        return f"Fleet(n={len(self)}, parties={parties})"

    def index(self, aircraft_id: str) -> int:
        """Row of the aircraft with this id (``KeyError`` if absent)."""
        hits = np.flatnonzero(self.ids == aircraft_id)
        if hits.size == 0:
            raise KeyError(aircraft_id)
        return int(hits[0])

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.to_records())

    def to_records(self) -> list[dict[str, Any]]:
        """The fleet as scenario records, in aviation units (the inverse of :meth:`from_records`)."""
        alt_ft = m_to_ft(self.alt_m)
        gs_kt = mps_to_kt(self.gs_mps)
        vs_fpm = mps_to_fpm(self.vs_mps)
        records = [
            {
                "id": self.ids[k],
                "party": self.party[k],
                "lat": float(self.lat_deg[k]),
                "lon": float(self.lon_deg[k]),
                "alt_ft": float(alt_ft[k]),
                "gs_kt": float(gs_kt[k]),
                "trk_deg": float(self.trk_deg[k]),
                "vs_fpm": float(vs_fpm[k]),
            }
            for k in range(len(self))
        ]
        if self.sel_alt_m is not None:
            sel_ft = m_to_ft(self.sel_alt_m)
            for k, rec in enumerate(records):
                if math.isfinite(sel_ft[k]):
                    rec["selected_alt_ft"] = float(sel_ft[k])
        if self.turn_dps is not None:
            for k, rec in enumerate(records):
                if self.turn_dps[k] != 0.0:
                    rec["turn_dps"] = float(self.turn_dps[k])
        return records

    def take(self, rows: npt.ArrayLike) -> Fleet:
        """A new fleet with only the given rows (integer indices or a boolean mask)."""
        r = np.asarray(rows)
        return Fleet(
            ids=self.ids[r],
            party=self.party[r],
            lat_deg=self.lat_deg[r],
            lon_deg=self.lon_deg[r],
            alt_m=self.alt_m[r],
            gs_mps=self.gs_mps[r],
            trk_deg=self.trk_deg[r],
            vs_mps=self.vs_mps[r],
            pos_err_m=self.pos_err_m[r],
            sel_alt_m=None if self.sel_alt_m is None else self.sel_alt_m[r],
            turn_dps=None if self.turn_dps is None else self.turn_dps[r],
        )

    # ------------------------------------------------------------------ builders
    @classmethod
    def empty(cls) -> Fleet:
        """A fleet with no aircraft (valid: it has no conflicts)."""
        return cls.from_arrays(ids=[], lat_deg=[], lon_deg=[], alt_m=[], gs_mps=[], trk_deg=[])

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]], *, default_party: str | None = None) -> Fleet:
        """Build a fleet from scenario records in aviation units.

        Each record has ``id``, ``party`` (or *default_party*), ``lat``, ``lon`` (degrees),
        ``alt_ft``, ``gs_kt``, ``trk_deg`` and optionally ``vs_fpm`` (default 0),
        ``selected_alt_ft`` (the selected altitude; none by default) and ``turn_dps`` (the track
        rate of a steady turn, deg/s, positive right; default 0). Unknown keys are ignored.

        Raises
        ------
        RecordError
            Naming the record (its id, or ``#index`` before the id is known) and the field.
        """
        ids: list[str] = []
        parties: list[str] = []
        cols: dict[str, list[float]] = {k: [] for k in _NUMERIC + _INTENT}
        for k, rec in enumerate(records):
            where = f"#{k}"
            if not isinstance(rec, Mapping):
                raise RecordError(where, "<record>", rec, "each aircraft must be an object")
            rid = rec.get("id")
            if isinstance(rid, str) and rid.strip():
                where = rid
            for name in _REQUIRED:
                if name not in rec or rec[name] is None:
                    raise RecordError(where, name, None, "missing")
            if not isinstance(rid, str) or not rid.strip():
                raise RecordError(where, "id", rid, "must be a non-empty string")
            party = rec.get("party", default_party)
            if party is None:
                raise RecordError(where, "party", None, "missing")
            if not isinstance(party, str) or not party.strip():
                raise RecordError(where, "party", party, "must be a non-empty string")
            ids.append(rid)
            parties.append(party)
            for name in _NUMERIC:
                value = rec.get(name, 0.0) if name == "vs_fpm" else rec[name]
                if value is None and name == "vs_fpm":
                    value = 0.0
                cols[name].append(_number(where, name, value))
            for name in _INTENT:
                value = rec.get(name)
                cols[name].append(math.nan if value is None and name == "selected_alt_ft"
                                  else 0.0 if value is None else _number(where, name, value))
        sel = np.asarray(cols["selected_alt_ft"], dtype=float)
        turn = np.asarray(cols["turn_dps"], dtype=float)
        return cls.from_arrays(
            ids=ids,
            party=parties,
            lat_deg=cols["lat"],
            lon_deg=cols["lon"],
            alt_m=ft_to_m(np.asarray(cols["alt_ft"], dtype=float)),
            gs_mps=kt_to_mps(np.asarray(cols["gs_kt"], dtype=float)),
            trk_deg=cols["trk_deg"],
            vs_mps=fpm_to_mps(np.asarray(cols["vs_fpm"], dtype=float)),
            sel_alt_m=ft_to_m(sel) if np.isfinite(sel).any() else None,
            turn_dps=turn if turn.any() else None,
        )

    @classmethod
    def from_arrays(
        cls,
        *,
        ids: npt.ArrayLike,
        lat_deg: npt.ArrayLike,
        lon_deg: npt.ArrayLike,
        alt_m: npt.ArrayLike,
        gs_mps: npt.ArrayLike,
        trk_deg: npt.ArrayLike,
        vs_mps: npt.ArrayLike | None = None,
        party: npt.ArrayLike | str = "CIVIL",
        pos_err_m: npt.ArrayLike | None = None,
        sel_alt_m: npt.ArrayLike | None = None,
        turn_dps: npt.ArrayLike | None = None,
    ) -> Fleet:
        """Build a fleet from arrays in SI units (angles in degrees), validating every value.

        Parameters
        ----------
        ids : sequence of str, shape (n,)
        lat_deg, lon_deg : shape (n,), degrees
        alt_m : shape (n,), metres (pressure altitude)
        gs_mps : shape (n,), m/s
        trk_deg : shape (n,), degrees true
        vs_mps : shape (n,), m/s, optional (default 0)
        party : sequence of str of shape (n,), or one str for all (default ``"CIVIL"``)
        pos_err_m : shape (n,), metres, optional (default 0): horizontal position uncertainty
        sel_alt_m : shape (n,), metres, optional: selected altitude, NaN where unknown
        turn_dps : shape (n,), deg/s, optional: track rate of a steady turn, 0 where none
        """
        id_arr = np.empty(len(ids_list := list(np.asarray(ids, dtype=object).ravel())), dtype=object)
        id_arr[:] = ids_list
        n = id_arr.shape[0]
        if isinstance(party, str):
            party_arr = np.full(n, party, dtype=object)
        else:
            party_arr = np.empty(n, dtype=object)
            plist = list(np.asarray(party, dtype=object).ravel())
            if len(plist) != n:
                raise RecordError("<fleet>", "party", len(plist), f"expected {n} values")
            party_arr[:] = plist

        def col(name: str, values: npt.ArrayLike | None) -> FloatArray:
            if values is None:
                return np.zeros(n)
            try:
                arr = np.array(values, dtype=np.float64).ravel()
            except (TypeError, ValueError) as exc:
                raise RecordError("<fleet>", name, values, f"not numeric ({exc})") from None
            if arr.shape[0] != n:
                raise RecordError("<fleet>", name, arr.shape[0], f"expected {n} values")
            return arr

        lat = col("lat_deg", lat_deg)
        lon = col("lon_deg", lon_deg)
        alt = col("alt_m", alt_m)
        gs = col("gs_mps", gs_mps)
        trk = col("trk_deg", trk_deg)
        vs = col("vs_mps", vs_mps)
        perr = col("pos_err_m", pos_err_m)
        sel = None if sel_alt_m is None else col("sel_alt_m", sel_alt_m)
        turn = None if turn_dps is None else col("turn_dps", turn_dps)

        for k in range(n):
            if not isinstance(id_arr[k], str) or not id_arr[k].strip():
                raise RecordError(f"#{k}", "id", id_arr[k], "must be a non-empty string")
            if not isinstance(party_arr[k], str) or not party_arr[k].strip():
                raise RecordError(id_arr[k], "party", party_arr[k], "must be a non-empty string")

        # Values are checked in the record's aviation units so messages speak the user's language.
        checks = (
            ("lat", lat, 1.0),
            ("lon", lon, 1.0),
            ("alt_ft", alt, 1.0 / 0.3048),
            ("gs_kt", gs, 3600.0 / 1852.0),
            ("trk_deg", trk, 1.0),
            ("vs_fpm", vs, 60.0 / 0.3048),
            ("pos_err_m", perr, 1.0),
            *((("selected_alt_ft", sel, 1.0 / 0.3048),) if sel is not None else ()),
            *((("turn_dps", turn, 1.0),) if turn is not None else ()),
        )
        for name, arr, scale in checks:
            bad = ~np.isfinite(arr)
            if name == "selected_alt_ft":
                bad &= ~np.isnan(arr)  # NaN: no selected altitude known
            if bad.any():
                k = int(np.flatnonzero(bad)[0])
                raise RecordError(id_arr[k], name, float(arr[k] * scale), "must be a finite number")
            if name in LIMITS:
                lo, hi = LIMITS[name]
                shown = arr * scale
                # a tiny tolerance absorbs the unit round trip at the limits
                tol = 1e-9 * max(abs(lo), abs(hi), 1.0)
                with np.errstate(invalid="ignore"):
                    out = (shown < lo - tol) | (shown > hi + tol)
                if out.any():
                    k = int(np.flatnonzero(out)[0])
                    raise RecordError(id_arr[k], name, float(shown[k]), f"out of range [{lo:g}, {hi:g}]")

        uniq, _first, counts = np.unique(id_arr.astype(str), return_index=True, return_counts=True)
        if (counts > 1).any():
            dup = uniq[counts > 1][0]
            rows = np.flatnonzero(id_arr == dup)
            raise RecordError(str(dup), "id", str(dup), f"duplicate id (rows {rows.tolist()})")

        lon = np.where((lon >= -180.0) & (lon < 180.0), lon, (lon + 180.0) % 360.0 - 180.0)
        trk = np.mod(trk, 360.0)
        return cls(
            ids=id_arr,
            party=party_arr,
            lat_deg=lat,
            lon_deg=lon,
            alt_m=alt,
            gs_mps=gs,
            trk_deg=trk,
            vs_mps=vs,
            pos_err_m=perr,
            sel_alt_m=sel,
            turn_dps=turn,
        )


def _number(where: str, name: str, value: object) -> float:
    """One numeric field of a record, refusing booleans, strings and non-finite values."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RecordError(where, name, value, "must be a number")
    f = float(value)
    if not math.isfinite(f):
        raise RecordError(where, name, value, "must be a finite number")
    return f
