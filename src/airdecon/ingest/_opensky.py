"""OpenSky-style state vectors (CSV or parquet) -> :class:`Observations`.

One row per aircraft and report, in the layout of OpenSky history exports and of the ``traffic``
library's samples (aviation units, converted to SI here):

=============  ===========================  ===========================================
column         unit                         notes
=============  ===========================  ===========================================
timestamp      UTC datetime or Unix s       required
icao24         6 hex digits                 required
callsign       text                         optional
latitude       deg                          optional (NaN: no position in this row)
longitude      deg                          optional
altitude       ft, barometric               optional
groundspeed    kt                           optional
track          deg true                     optional
vertical_rate  ft/min                       optional
onground       bool                         optional (missing: unknown)
squawk         4 octal digits as text       optional
=============  ===========================  ===========================================

Rows without a usable time or address, or with a latitude/longitude out of range, are rejected
(counted in :class:`Rejects`, kinds ``"bad-time"``, ``"bad-icao24"``, ``"bad-position"``); the rest
are kept, vectorised, without a Python loop per row.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from airdecon.errors import IngestError
from airdecon.ingest._obs import Observations, Rejects
from airdecon.units import FPM, FT, KT

__all__ = ["read_state_vectors", "state_vectors_from_frame"]

_REQUIRED = ("timestamp", "icao24")


def read_state_vectors(path: str | Path) -> tuple[Observations, Rejects]:
    """Read an OpenSky-style state-vector file (``.parquet``/``.pq`` or ``.csv``/``.csv.gz``).

    Returns
    -------
    (Observations, Rejects)
        The usable rows in time order, and what was rejected.

    Raises
    ------
    IngestError
        If the file cannot be read or lacks a required column.
    """
    p = Path(path)
    try:
        if p.suffix in (".parquet", ".pq"):
            df = pd.read_parquet(p)
        else:
            df = pd.read_csv(p, dtype={"icao24": str, "callsign": str, "squawk": str}, low_memory=False)
    except (OSError, ValueError) as exc:
        raise IngestError(f"cannot read state vectors: {exc}", source=str(p)) from None
    return state_vectors_from_frame(df, source=str(p))


def _text(df: pd.DataFrame, name: str) -> np.ndarray:
    if name not in df:
        return np.full(len(df), "", dtype=object)
    s = df[name].astype(object).where(df[name].notna(), "")
    return np.asarray(s.map(lambda v: str(v).strip()), dtype=object)


def _num(df: pd.DataFrame, name: str, scale: float) -> np.ndarray:
    if name not in df:
        return np.full(len(df), np.nan)
    return pd.to_numeric(df[name], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan) * scale


def state_vectors_from_frame(df: pd.DataFrame, *, source: str = "") -> tuple[Observations, Rejects]:
    """Convert a state-vector table already in memory (see the module docstring for columns)."""
    missing = [c for c in _REQUIRED if c not in df.columns]
    if missing:
        raise IngestError(f"missing column(s) {missing}; have {list(df.columns)}", source=source)
    rejects = Rejects(total=len(df))
    ts = df["timestamp"]
    if pd.api.types.is_datetime64_any_dtype(ts):
        utc = ts.dt.tz_localize("UTC") if ts.dt.tz is None else ts.dt.tz_convert("UTC")
        since = (utc - pd.Timestamp(0, tz="UTC")).dt.total_seconds()
        t = since.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        t = pd.to_numeric(ts, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    icao = np.asarray(df["icao24"].astype(object).where(df["icao24"].notna(), "").map(
        lambda v: str(v).strip().lower()), dtype=object)
    lat = _num(df, "latitude", 1.0)
    lon = _num(df, "longitude", 1.0)
    if "onground" in df:
        og = df["onground"]
        known = og.fillna(False).astype(bool).to_numpy()
        onground = np.where(og.isna().to_numpy(), -1, known).astype(np.int8)
    else:
        onground = np.full(len(df), -1, dtype=np.int8)

    ok = np.ones(len(df), dtype=bool)
    bad_t = ~np.isfinite(t)
    icao_ok = np.array([len(s) == 6 and all(c in "0123456789abcdef" for c in s) for s in icao], dtype=bool)
    bad_icao = ~icao_ok & ~bad_t
    with np.errstate(invalid="ignore"):
        bad_pos = (np.abs(lat) > 90.0) | (np.abs(lon) > 360.0) | (np.isnan(lat) != np.isnan(lon))
    bad_pos &= ~bad_t & ~bad_icao
    for kind, mask, why in (
        ("bad-time", bad_t, "timestamp missing or not a time"),
        ("bad-icao24", bad_icao, "icao24 is not 6 hex digits"),
        ("bad-position", bad_pos, "latitude/longitude out of range or only one of them given"),
    ):
        for k in np.flatnonzero(mask):
            rejects.add(kind, df.iloc[int(k)].to_json(date_format="iso"), why)
        ok &= ~mask

    obs = Observations(
        t_s=t,
        icao24=icao,
        lat_deg=lat,
        lon_deg=np.where(lon >= 180.0, lon - 360.0, lon),
        alt_m=_num(df, "altitude", FT),
        gs_mps=_num(df, "groundspeed", KT),
        trk_deg=_num(df, "track", 1.0),
        vs_mps=_num(df, "vertical_rate", FPM),
        onground=onground,
        squawk=_text(df, "squawk"),
        callsign=_text(df, "callsign"),
        emergency=np.full(len(df), -1, dtype=np.int8),
    )
    return obs.take(ok).sorted(), rejects
