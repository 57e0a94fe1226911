"""A minimal closed loop: sampled encounters flown second by second, pilots following advisories.

:func:`fly` places each encounter of an :class:`~airdecon.encounters.EncounterSet` at its own spot
on the globe (:func:`placements`, far enough apart that no two encounters interact), and at every
whole second hands the system under test the current picture as a :class:`~airdecon.state.Fleet`,
exactly as a hub receives 1 Hz reports; the system answers with the advisories in force. This
module is the seam: the lead can swap it for the fast-time simulator (``airdecon simulate``) by
keeping the one callable it takes.

Pilot model (:class:`Pilot`): an advisory issued at second *t* is flown from ``t + delay_s``; from
then on the aircraft stops its own sampled manoeuvres and flies the advised track (turning at
``turn_rate_dps``) and vertical rate (reached with ``vertical_accel_mps2``), at constant speed. An
advisory with neither track nor vertical rate (``maintain``, ``follow-tcas``) holds the current
track and vertical rate. A later, different advisory replaces the earlier one (with the same delay).
An advised descent levels off at ``floor_m`` (the pilot does not fly into the ground).
Without advisories every aircraft flies exactly its open-loop trajectory.

With ``intent=True`` the picture also carries each aircraft's measured turn rate and selected
altitude (:mod:`airdecon.encounters._intent`), for detection's level-off and turn hypotheses.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from airdecon.encounters._build import EncounterSet, Trajectories
from airdecon.encounters._intent import level_off_altitudes, turn_state0
from airdecon.encounters._kinematics import advance, to_geodetic
from airdecon.errors import InputError
from airdecon.resolution import Advisory
from airdecon.state import Fleet, turn_updates
from airdecon.units import FPM, FT, FloatArray

__all__ = ["Advise", "Pilot", "aircraft_ids", "fly", "placements"]

Advise = Callable[[float, Fleet], Mapping[str, Advisory]]
"""The system under test: (time in s, the 1 Hz picture) -> advisories in force, by aircraft id."""


@dataclass(frozen=True)
class Pilot:
    """How aircraft respond to advisories (SI units)."""

    delay_s: int = 5
    turn_rate_dps: float = 3.0
    vertical_accel_mps2: float = 0.25 * 9.80665
    floor_m: float = 1000.0 * FT

    def __post_init__(self) -> None:
        if self.delay_s < 0 or self.turn_rate_dps <= 0 or self.vertical_accel_mps2 <= 0:
            raise InputError("pilot: delay_s must be >= 0, turn rate and vertical acceleration > 0")


def placements(n: int, max_lat_deg: float = 75.0) -> tuple[FloatArray, FloatArray]:
    """Latitudes and longitudes (degrees) of *n* encounter sites, a Fibonacci lattice in the band
    ``|lat| <= max_lat_deg``: 1,000 sites are about 380 NM apart, far beyond what two aircraft
    flying a few minutes toward each other can close."""
    k = np.arange(n) + 0.5
    zmax = np.sin(np.radians(max_lat_deg))
    lat = np.degrees(np.arcsin(zmax * (1.0 - 2.0 * k / max(n, 1))))
    lon = np.mod(k * 180.0 * (3.0 - np.sqrt(5.0)) + 180.0, 360.0) - 180.0
    return lat, lon


def aircraft_ids(n: int) -> np.ndarray:
    """Ids of the 2n aircraft: ``E0001-1``, ``E0001-2``, ... (encounter number, aircraft)."""
    width = max(4, len(str(n)))
    return np.array([f"E{k + 1:0{width}d}-{a}" for k in range(n) for a in (1, 2)], dtype=object)


def fly(
    enc: EncounterSet,
    advise: Advise | None = None,
    *,
    pilot: Pilot | None = None,
    party: tuple[str, str] = ("CIVIL", "CIVIL"),
    intent: bool = False,
    shown: np.ndarray | None = None,
) -> tuple[Trajectories, FloatArray]:
    """Fly every encounter for its whole duration, asking *advise* once a second.

    Returns the trajectories flown (as :meth:`EncounterSet.trajectories`) and, per aircraft, the
    time it started flying an advisory (``nan`` if never). With *intent*, the picture handed to
    *advise* carries ``turn_dps`` and ``sel_alt_m`` (module docstring); without, neither.
    *shown* (bool, shape (n,)): only these encounters are in the picture (the others fly open loop,
    unseen), each at its site and with its ids in the whole set: a part of a set flown alone.
    """
    p = pilot or Pilot()
    n2, steps = enc.accel_mps2.shape
    lat0, lon0 = placements(n2 // 2)
    lat0, lon0 = np.repeat(lat0, 2), np.repeat(lon0, 2)
    ids = aircraft_ids(n2 // 2)
    row = {str(a): i for i, a in enumerate(ids)}
    parties = np.array([party[i % 2] for i in range(n2)], dtype=object)
    seen = np.ones(n2, dtype=bool) if shown is None else np.repeat(np.asarray(shown, dtype=bool), 2)
    if seen.shape[0] != n2:
        raise InputError(f"shown: expected {n2 // 2} values, got {seen.shape[0] // 2}")
    cols = {k: np.empty((n2, steps + 1)) for k in ("x_m", "y_m", "h_m", "gs_mps", "trk_deg", "vs_mps")}
    s = enc.start
    vs = np.clip(enc.vs_mps[:, 0], -s.gs_mps, s.gs_mps) if steps else np.zeros(n2)
    target_trk = np.full(n2, np.nan)
    target_vs = np.full(n2, np.nan)
    advised_since = np.full(n2, np.nan)
    last: dict[int, tuple[float | None, float | None]] = {}
    pending: dict[int, list[tuple[int, float | None, float | None]]] = {}
    sel_open = level_off_altitudes(enc) if intent and advise is not None else None
    turn_state = np.zeros((n2, 4))
    for t in range(steps + 1):
        for k, v in (
            ("x_m", s.x_m),
            ("y_m", s.y_m),
            ("h_m", s.h_m),
            ("gs_mps", s.gs_mps),
            ("trk_deg", s.trk_deg),
        ):
            cols[k][:, t] = v
        if advise is not None:
            lat, lon, trk = to_geodetic(lat0, lon0, s.x_m, s.y_m, s.trk_deg)
            extra: dict[str, FloatArray] = {}
            if sel_open is not None:
                first = enc.turn_dps[:, 0] if steps else np.zeros(n2)
                now = np.full(n2, float(t))
                turn_state = turn_state0(first, trk) if t == 0 else turn_updates(turn_state, now, trk)
                extra["turn_dps"] = turn_state[seen, 3]
                extra["sel_alt_m"] = np.where(np.isnan(advised_since), sel_open[:, t], np.nan)[seen]
            fleet = Fleet.from_arrays(
                ids=ids[seen],
                lat_deg=lat[seen],
                lon_deg=lon[seen],
                alt_m=s.h_m[seen],
                gs_mps=s.gs_mps[seen],
                trk_deg=trk[seen],
                vs_mps=vs[seen],
                party=parties[seen],
                **extra,
            )
            for aid, adv in advise(float(t), fleet).items():
                i = row[aid]
                want = (adv.trk_deg, adv.vs_fpm)
                if last.get(i) != want:
                    last[i] = want
                    pending.setdefault(t + p.delay_s, []).append((i, *want))
        for i, trk_new, vs_new in pending.pop(t, []):
            if np.isnan(advised_since[i]):
                advised_since[i] = t
            # not instructed: hold it; an advised track is a true track: back to the plane's frame
            plane = None if trk_new is None else np.mod(trk_new - trk[i] + s.trk_deg[i], 360.0)
            target_trk[i] = s.trk_deg[i] if plane is None else plane
            target_vs[i] = vs[i] if vs_new is None else vs_new * FPM
        if t == steps:
            cols["vs_mps"][:, t] = vs
            break
        ruled = ~np.isnan(advised_since)
        accel = np.where(ruled, 0.0, enc.accel_mps2[:, t])
        own_vs = np.clip(enc.vs_mps[:, t], -s.gs_mps, s.gs_mps)
        target_vs = np.where(ruled & (s.h_m <= p.floor_m), np.maximum(target_vs, 0.0), target_vs)
        step_vs = np.clip(target_vs - vs, -p.vertical_accel_mps2, p.vertical_accel_mps2)
        vs = np.where(ruled, vs + np.where(np.isnan(step_vs), 0.0, step_vs), own_vs)
        err = np.mod(target_trk - s.trk_deg + 180.0, 360.0) - 180.0
        turn = np.where(
            ruled,
            np.clip(np.where(np.isnan(err), 0.0, err), -p.turn_rate_dps, p.turn_rate_dps),
            enc.turn_dps[:, t],
        )
        cols["vs_mps"][:, t] = vs
        s = advance(s, accel, vs, turn)
    return Trajectories(**cols), advised_since
