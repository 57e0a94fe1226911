"""Tracker: irregular, noisy, partial observations -> per-aircraft tracks -> a Fleet at any time t.

One track per ICAO address. Each observation updates what it carries:

* **position** (lat, lon) is gated against the track's prediction: the distance from the position
  predicted at the observation's time must be under ``gate_m + gate_mps * dt``, and the implied
  speed from the last accepted position under ``max_speed_mps``; otherwise the position is an
  *outlier* and is not used.
* **altitude** is gated the same way: ``|alt - predicted| < alt_gate_m + max_vs_mps * dt``, and
  never above ``ceiling_m`` (the Paris recording has altitudes of 123,000 ft).
* A *young* track (fewer than ``reanchor_after`` accepted positions, or altitudes) whose reports
  have been rejected ``reanchor_after`` times in a row is re-anchored on the latest report: its
  first report was the bad one. An established track is never re-anchored: OpenSky data holds
  runs of hundreds of identical bogus altitudes (72,500 ft for 300 s). Its gate keeps widening
  with the time since the last accepted report, so a real change after a gap is accepted as
  soon as it is physically possible.
* **velocity** comes from velocity reports (ground speed and track, vertical rate) when fresh
  (``vel_fresh_s``), otherwise it is derived from accepted positions over a baseline of at least
  ``derive_baseline_s`` seconds (and the vertical rate from altitudes).
* a moving aircraft reporting *exactly* its last position again is a feed repeating a stale
  state (OpenSky does, for minutes, with every field frozen): it does not refresh the track.
* **selected altitude** (ADS-B TC 29, Comm-B BDS 4,0) is kept while heard within ``sel_fresh_s``
  (and within the altitude limits); the snapshot hands it to the live-picture model, which levels
  a climb or descent off there.
* **track rate**: every track (reported, or derived from positions) feeds
  :func:`airdecon.state.turn_update` (tracks at least 4 s apart, two agreeing rates of 1 deg/s or
  more make a steady turn), so a turning aircraft is also predicted along its arc.
* **on ground** is taken from the report's flag; such aircraft are left out of the airborne
  snapshot, and a ground report confirms the last altitude (so the altitude gate does not widen
  while an aircraft taxis: the Paris data has bogus 34,000-38,000 ft reports at take-off).
* **distress**: squawk 7500/7600/7700 or an ADS-B emergency state 1..6 raises a ``distress``
  event; its end raises ``distress-cleared``.

:meth:`Tracker.snapshot` flies every live airborne track on to a common time ``t`` with
:func:`airdecon.state.predict_fleet`, the model the hub's live picture runs (great circle along the
track, ``vs`` from the altitude's own time, coasted tracks' ``pos_err_m`` growing beyond
``protocol.stale_s``), so replay scores measure what the hub does. A track without an altitude
younger than ``drop_s`` is left out: its vertical separation cannot be judged until a report passes
the gate again (which widens with the time since the last accepted altitude).
:meth:`Tracker.expire` ends tracks whose position is older than ``protocol.drop_s``
(:func:`airdecon.state.is_lost`, as the hub drops them) with a ``track-lost`` event.

The tracker is pure: time is always a parameter, never read from a clock. Not thread-safe: one
tracker per ingest loop. Observations must be fed in time order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from airdecon.geometry import local_offset_m
from airdecon.ingest import Observations
from airdecon.protocol import SafetyProtocol
from airdecon.state import Fleet, is_lost, predict_fleet, turn_update
from airdecon.tracking._types import (
    DISTRESS_SQUAWKS,
    EMERGENCY_STATUS,
    TrackerSettings,
    TrackerStats,
    TrackEvent,
)
from airdecon.units import FT, KT

__all__ = ["Tracker"]

_D2R = math.pi / 180.0
_MAX_GS = 3_999.0 * KT  # Fleet's plausibility limit, a hair below


@dataclass
class _Track:
    icao24: str
    t_last: float = -math.inf
    t_pos: float = -math.inf
    lat: float = math.nan
    lon: float = math.nan
    t_alt: float = -math.inf
    alt: float = math.nan
    t_vel: float = -math.inf  # last velocity report
    t_v: float = -math.inf  # last velocity estimate, reported or derived
    gs: float = 0.0
    trk: float = 0.0
    t_vs: float = -math.inf
    vs: float = 0.0
    anchor: tuple[float, float, float] | None = None  # (t, lat, lon) for a derived velocity
    alt_anchor: tuple[float, float] | None = None  # (t, alt) for a derived vertical rate
    onground: int = -1
    squawk: str = ""
    callsign: str = ""
    emergency: int = -1
    distress: str = ""
    live: bool = False
    rej_pos: int = 0
    rej_alt: int = 0
    ok_pos: int = 0  # accepted positions since the track began or was re-anchored
    ok_alt: int = 0
    sel: float = math.nan  # selected altitude, m
    t_sel: float = -math.inf
    turn: tuple[float, float, float, float] = (-math.inf, 0.0, 0.0, 0.0)  # turn_update's state


class Tracker:
    """Per-aircraft tracks from observations; a :class:`~airdecon.state.Fleet` at any time.

    Parameters
    ----------
    protocol : SafetyProtocol, optional
        Supplies ``stale_s`` (coasting starts) and ``drop_s`` (track lost).
    settings : TrackerSettings, optional
        Gates and constants.
    party : str
        The party every aircraft of this feed belongs to (default ``"CIVIL"``).

    Examples
    --------
    >>> from airdecon.ingest import Observation, Observations
    >>> tr = Tracker()
    >>> ev = tr.update(Observations.from_rows([
    ...     Observation(0.0, "3c6444", lat_deg=48.0, lon_deg=2.0, alt_m=3000.0, gs_mps=200.0,
    ...                 trk_deg=90.0, vs_mps=0.0, onground=0)]))
    >>> [e.kind for e in ev], len(tr.snapshot(10.0))
    (['track-new'], 1)
    """

    def __init__(
        self,
        protocol: SafetyProtocol | None = None,
        settings: TrackerSettings | None = None,
        *,
        party: str = "CIVIL",
    ) -> None:
        self.protocol = protocol if protocol is not None else SafetyProtocol()
        self.settings = settings if settings is not None else TrackerSettings()
        self.party = party
        self.stats = TrackerStats()
        self._tracks: dict[str, _Track] = {}
        self.callsigns: dict[str, str] = {}
        self._cache: tuple[Observations, tuple[list[Any], ...]] | None = None

    def __len__(self) -> int:
        return sum(1 for tr in self._tracks.values() if tr.live)

    @property
    def seen(self) -> set[str]:
        """Every ICAO address that ever had a track."""
        return {k for k, tr in self._tracks.items() if tr.t_pos > -math.inf}

    # ------------------------------------------------------------------ update
    def update(self, obs: Observations, lo: int = 0, hi: int | None = None) -> list[TrackEvent]:
        """Feed observations ``obs[lo:hi]`` (in time order); return the events they cause.

        Parameters
        ----------
        obs : Observations
            Reports in SI units (see :mod:`airdecon.ingest`); missing values are NaN/""/-1.
        lo, hi : int
            The rows to feed (default: all). Feeding one recording range by range (as replay
            does) converts its columns once, not once per range.
        """
        events: list[TrackEvent] = []
        s = self.settings
        tracks = self._tracks
        stats = self.stats
        if self._cache is None or self._cache[0] is not obs:
            self._cache = (obs, tuple(getattr(obs, c).tolist() for c in Observations.COLUMNS))
        stop = len(obs) if hi is None else hi
        stats.observations += stop - lo
        cols = tuple(c[lo:stop] for c in self._cache[1])
        isfinite = math.isfinite
        for t, icao, lat, lon, alt, gs, trk, vs, og, sq, cs, em, sel in zip(*cols, strict=True):
            tr = tracks.get(icao)
            if tr is None:
                tr = tracks[icao] = _Track(icao)
            tr.t_last = t
            if cs:
                tr.callsign = cs
                self.callsigns[icao] = cs
            if og >= 0:
                tr.onground = og
                if og == 1 and tr.alt == tr.alt:
                    if tr.alt > s.ground_ceiling_m:  # the track's altitude was a bad report
                        tr.alt, tr.ok_alt, tr.alt_anchor = math.nan, 0, None
                    else:
                        # on the ground the last altitude holds and is confirmed: the gate must
                        # not widen, nor the track be re-anchored, while the aircraft taxis
                        # (else a bogus 38,000 ft report passes at take-off)
                        tr.t_alt = t
                        tr.ok_alt = max(tr.ok_alt, s.reanchor_after)
            # --- velocity report
            if isfinite(gs) and isfinite(trk) and gs <= s.max_speed_mps:
                tr.gs, tr.trk, tr.t_vel, tr.t_v = gs, trk % 360.0, t, t
                tr.turn = turn_update(tr.turn, t, tr.trk)
            if isfinite(sel) and s.floor_m <= sel <= s.ceiling_m:
                tr.sel, tr.t_sel = sel, t
            if isfinite(vs) and abs(vs) <= s.max_vs_mps * 2.0:
                tr.vs, tr.t_vs = vs, t
            # --- altitude
            if isfinite(alt):
                self._altitude(tr, t, alt)
            # --- position
            if isfinite(lat) and isfinite(lon):
                self._position(tr, t, lat, lon, events)
            # --- distress
            if sq or em >= 0:
                if sq:
                    tr.squawk = sq
                if em >= 0:
                    tr.emergency = em
                self._distress(tr, t, events)
        return events

    def _altitude(self, tr: _Track, t: float, alt: float) -> None:
        s = self.settings
        if tr.onground == 1 and alt > s.ground_ceiling_m:
            self.stats.outlier_altitudes += 1
            self._example(f"altitude {alt / FT:.0f} ft reported on the ground ({tr.icao24} at {t:.0f})")
            return
        if not s.floor_m <= alt <= s.ceiling_m:
            self.stats.outlier_altitudes += 1
            self._example(f"altitude {alt / FT:.0f} ft outside [{s.floor_m / FT:.0f}, {s.ceiling_m / FT:.0f}]"
                          f" ({tr.icao24} at {t:.0f})")
            return
        if math.isfinite(tr.alt):
            dt = max(t - tr.t_alt, 0.0)
            vs = tr.vs if t - tr.t_vs <= s.vel_fresh_s * 3 else 0.0
            # a climb or descent is extrapolated for at most stale_s; beyond, only the gate grows
            predicted = tr.alt + vs * min(dt, self.protocol.stale_s)
            if abs(alt - predicted) > s.alt_gate_m + s.max_vs_mps * dt:
                tr.rej_alt += 1
                if tr.rej_alt < s.reanchor_after or tr.ok_alt >= s.reanchor_after:
                    self.stats.outlier_altitudes += 1
                    self._example(f"altitude jump {tr.alt / FT:.0f} -> {alt / FT:.0f} ft in {dt:.0f} s"
                                  f" ({tr.icao24} at {t:.0f})")
                    return
                self.stats.reanchored += 1
                tr.alt_anchor = None
                tr.ok_alt = 0
        tr.rej_alt = 0
        tr.ok_alt += 1
        # derived vertical rate when no fresh report
        if t - tr.t_vs > s.vel_fresh_s:
            if tr.alt_anchor is None:
                tr.alt_anchor = (t, alt)
            elif t - tr.alt_anchor[0] >= s.derive_baseline_s:
                t0, a0 = tr.alt_anchor
                tr.vs = max(-s.max_vs_mps, min(s.max_vs_mps, (alt - a0) / (t - t0)))
                tr.alt_anchor = (t, alt)
        tr.alt, tr.t_alt = alt, t

    def _position(self, tr: _Track, t: float, lat: float, lon: float, events: list[TrackEvent]) -> None:
        s = self.settings
        self.stats.positions += 1
        if lat == tr.lat and lon == tr.lon and tr.live and tr.gs > s.repeat_gs_mps and t > tr.t_pos:
            # the very same position again from an aircraft that is moving: a feed repeating its
            # last known state (OpenSky does), not a new fix. The track is not refreshed: it
            # coasts, then is lost.
            self.stats.repeated_positions += 1
            return
        if tr.live and math.isfinite(tr.lat) and t - tr.t_pos <= self.protocol.drop_s:
            dt = max(t - tr.t_pos, 0.0)
            dn, de = local_offset_m(tr.lat, tr.lon, lat, lon)
            jump = math.hypot(dn, de)
            gs = tr.gs if t - tr.t_v <= s.vel_fresh_s * 3 else 0.0
            trk = tr.trk * _D2R
            miss = math.hypot(dn - gs * math.cos(trk) * dt, de - gs * math.sin(trk) * dt)
            if miss > s.gate_m + s.gate_mps * dt or jump > s.gate_m + s.max_speed_mps * dt:
                tr.rej_pos += 1
                if tr.rej_pos < s.reanchor_after or tr.ok_pos >= s.reanchor_after:
                    self.stats.outlier_positions += 1
                    self._example(f"position jump of {jump:.0f} m in {dt:.0f} s ({tr.icao24} at {t:.0f})")
                    return
                self.stats.reanchored += 1
                tr.anchor = None
                tr.ok_pos = 0
        tr.rej_pos = 0
        tr.ok_pos += 1
        if not tr.live:
            tr.live = True
            tr.anchor = None
            tr.ok_pos = 1
            self.stats.tracks += 1
            events.append(TrackEvent("track-new", tr.icao24, t, tr.callsign))
        # derived velocity when no fresh velocity report
        if t - tr.t_vel > s.vel_fresh_s:
            if tr.anchor is None:
                tr.anchor = (t, lat, lon)
            elif t - tr.anchor[0] >= s.derive_baseline_s:
                t0, lat0, lon0 = tr.anchor
                dt0 = t - t0
                dn0, de0 = local_offset_m(lat0, lon0, lat, lon)
                vn, ve = dn0 / dt0, de0 / dt0
                tr.gs = min(math.hypot(vn, ve), _MAX_GS)
                tr.trk = math.degrees(math.atan2(ve, vn)) % 360.0
                tr.t_v = t
                tr.turn = turn_update(tr.turn, t, tr.trk)
                tr.anchor = (t, lat, lon)
        else:
            tr.anchor = None
        tr.lat, tr.lon, tr.t_pos = lat, lon, t

    def _distress(self, tr: _Track, t: float, events: list[TrackEvent]) -> None:
        why = ""
        if tr.squawk in DISTRESS_SQUAWKS:
            why = f"squawk {tr.squawk} ({DISTRESS_SQUAWKS[tr.squawk]})"
        elif tr.emergency in EMERGENCY_STATUS:
            why = f"ADS-B emergency status {tr.emergency} ({EMERGENCY_STATUS[tr.emergency]})"
        if why and not tr.distress:
            self.stats.distress += 1
            events.append(TrackEvent("distress", tr.icao24, t, tr.callsign, why))
        elif tr.distress and not why:
            events.append(TrackEvent("distress-cleared", tr.icao24, t, tr.callsign, f"was {tr.distress}"))
        tr.distress = why

    def _example(self, text: str) -> None:
        if len(self.stats.examples) < 5:
            self.stats.examples.append(text)

    # ------------------------------------------------------------------ time
    def expire(self, t_s: float) -> list[TrackEvent]:
        """End tracks whose position is older than ``protocol.drop_s`` at *t_s* (``track-lost``)."""
        drop = self.protocol.drop_s
        events = []
        for tr in self._tracks.values():
            if tr.live and is_lost(tr.t_pos, t_s, drop):
                tr.live = False
                tr.anchor = tr.alt_anchor = None
                self.stats.lost += 1
                events.append(TrackEvent("track-lost", tr.icao24, t_s, tr.callsign,
                                         f"no position for {t_s - tr.t_pos:.0f} s"))
        return events

    def distressed(self) -> list[str]:
        """ICAO addresses of the live tracks currently in distress."""
        return [k for k, tr in self._tracks.items() if tr.live and tr.distress]

    def snapshot(self, t_s: float, *, airborne: bool = True) -> Fleet:
        """Every live track with a position and an altitude, extrapolated to time *t_s*.

        Parameters
        ----------
        t_s : float
            The common epoch, Unix seconds.
        airborne : bool
            Leave out aircraft reported on the ground (default True).

        Returns
        -------
        Fleet
            Ids are ICAO addresses; ``pos_err_m`` grows for coasted tracks (see module docstring).
        """
        drop = self.protocol.drop_s
        rows = [
            tr for tr in self._tracks.values()
            if tr.live and tr.alt == tr.alt and not (airborne and tr.onground == 1)
            and not is_lost(tr.t_pos, t_s, drop) and not is_lost(tr.t_alt, t_s, drop)
        ]
        if not rows:
            return Fleet.empty()
        s = self.settings
        a = np.array(
            [(tr.lat, tr.lon, tr.alt, tr.t_pos, tr.t_alt, tr.gs, tr.trk, tr.vs,
              tr.sel if t_s - tr.t_sel <= s.sel_fresh_s else math.nan,
              tr.turn[3] if t_s - tr.turn[0] <= s.vel_fresh_s * 3 else 0.0) for tr in rows],
            dtype=np.float64,
        )  # fmt: skip
        lat, lon, alt, t_pos, t_alt, gs, trk, vs, sel, turn = a.T
        ids = np.empty(len(rows), dtype=object)
        ids[:] = [tr.icao24 for tr in rows]
        # every value is finite and in range by construction (gated above), so the unchecked
        # fleet is safe and keeps the replay loop fast
        return predict_fleet(
            ids=ids,
            party=np.full(len(rows), self.party, dtype=object),
            t_obs=t_pos,
            lat_deg=lat,
            lon_deg=lon,
            alt_m=alt,
            gs_mps=gs,
            trk_deg=trk,
            vs_mps=vs,
            t=t_s,
            stale_s=self.protocol.stale_s,
            t_alt=t_alt,
            sel_alt_m=sel,
            turn_dps=turn,
        )
