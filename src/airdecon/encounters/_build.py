"""Encounters of two aircraft from model samples: commands per second, and the geometry at CPA.

Every encounter lasts ``duration_s`` seconds; its closest point of approach (CPA) is placed at
``tcpa_s``. Each aircraft starts with a sampled speed and flies, second by second, the sampled
acceleration, vertical rate and turn rate (:mod:`airdecon.encounters._kinematics`). Both are first
flown from a canonical start; then each trajectory is moved rigidly (rotated, translated, shifted in
altitude) so that at ``tcpa_s``:

* **correlated model** (``cor_v1``, traffic under ATC): aircraft 1 is at the origin with a uniformly
  random track and an altitude uniform in its altitude layer ``L`` (1: 1,000–3,000 ft, 2: 3,000–
  10,000, 3: 10,000–18,000, 4: 18,000–29,000, 5: 29,000–50,000); aircraft 2's track is aircraft
  1's plus the approach angle ``β``; the horizontal offset is ``hmd`` long and perpendicular to the
  relative velocity (so ``tcpa_s`` is a stationary point of the horizontal distance: the closest
  approach), on the side that puts aircraft 2 ahead of aircraft 1 when ``χ = 1`` and behind it when
  ``χ = 2``; aircraft 2 is ``vmd`` below aircraft 1. This follows the upstream reference samplers.
* **due-regard model** (``dueregard_v1``, military traffic outside ATC; a one-aircraft model):
  two independent samples, each starting on its sampled track ``ψ``, aircraft 1 at its sampled
  altitude ``L``; aircraft 2 is placed at a horizontal miss distance uniform in ``[0, hmd_max_m]``
  (either side) and a vertical one uniform in ``[-vmd_max_m, vmd_max_m]`` (its own ``L`` only
  conditions its sampled rates). These miss distances are a test design (they weight
  geometries uniformly), not the model's: the due-regard model has none.

The speed stays inside the bin it was sampled in (the correlated model holds one acceleration for
the whole encounter, which would otherwise run the speed out of any plausible range). Encounters in
which an aircraft goes below 0 ft are redrawn (the reference rejects them the same way).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from airdecon.encounters._kinematics import KinState, advance
from airdecon.encounters._model import EncounterModel
from airdecon.encounters._sample import sample_dynamic, sample_initial, to_values
from airdecon.errors import InputError
from airdecon.units import FPM, FT, KT, NM, FloatArray

__all__ = ["COR_LAYERS_FT", "EncounterSet", "Trajectories", "sample_correlated", "sample_due_regard"]

COR_LAYERS_FT = (
    (1000.0, 3000.0),
    (3000.0, 10000.0),
    (10000.0, 18000.0),
    (18000.0, 29000.0),
    (29000.0, 50000.0),
)
"""Altitude band of each layer ``L`` of the correlated model, feet."""

_MAX_ROUNDS = 50


@dataclass(frozen=True, eq=False)
class Trajectories:
    """Positions of every aircraft at each whole second: arrays of shape (2n, duration_s + 1).

    Rows ``2k`` and ``2k + 1`` are aircraft 1 and 2 of encounter *k*. ``x_m``/``y_m`` east/north in
    the encounter's plane (metres), ``h_m`` altitude (m), ``gs_mps`` ground speed (m/s), ``trk_deg``
    track (degrees), ``vs_mps`` the vertical rate flown from that second on (m/s).
    """

    x_m: FloatArray
    y_m: FloatArray
    h_m: FloatArray
    gs_mps: FloatArray
    trk_deg: FloatArray
    vs_mps: FloatArray


@dataclass(frozen=True, eq=False)
class EncounterSet:
    """*n* sampled encounters of two aircraft (SI units; arrays by aircraft have 2n rows).

    Attributes
    ----------
    model : str
        The model's name (``"cor_v1"``).
    duration_s, tcpa_s : int
        Length of each encounter and time of its designed closest approach, seconds.
    start : KinState
        Every aircraft's state at t = 0 (rows ``2k``, ``2k + 1``: encounter *k*).
    accel_mps2, vs_mps, turn_dps : arrays of shape (2n, duration_s)
        The command flown over each second: acceleration (m/s²), vertical rate (m/s), turn rate
        (deg/s, positive right).
    hmd_m : array of shape (n,)
        Designed horizontal miss distance at ``tcpa_s``, metres.
    vmd_m : array of shape (n,)
        Designed altitude of aircraft 1 minus aircraft 2 at ``tcpa_s``, metres.
    labels : tuple of str
        Names of the sampled model variables kept in ``values`` (for the due-regard model, each
        label ends in `` #1`` or `` #2``: the aircraft).
    values : array of shape (n, len(labels))
        Each encounter's sampled initial values, in the model's units (categories 1-based).
    """

    model: str
    duration_s: int
    tcpa_s: int
    start: KinState
    accel_mps2: FloatArray
    vs_mps: FloatArray
    turn_dps: FloatArray
    hmd_m: FloatArray
    vmd_m: FloatArray
    labels: tuple[str, ...]
    values: FloatArray

    def __len__(self) -> int:
        return int(self.hmd_m.shape[0])

    def trajectories(self) -> Trajectories:
        """Fly every aircraft open loop (its own sampled commands) for the whole encounter."""
        return _fly(self.start, self.accel_mps2, self.vs_mps, self.turn_dps)


def _fly(start: KinState, accel: FloatArray, vs: FloatArray, turn: FloatArray) -> Trajectories:
    m, steps = accel.shape
    cols = {k: np.empty((m, steps + 1)) for k in ("x_m", "y_m", "h_m", "gs_mps", "trk_deg", "vs_mps")}
    s = start
    for t in range(steps + 1):
        cols["x_m"][:, t], cols["y_m"][:, t], cols["h_m"][:, t] = s.x_m, s.y_m, s.h_m
        cols["gs_mps"][:, t], cols["trk_deg"][:, t] = s.gs_mps, s.trk_deg
        if t < steps:
            cols["vs_mps"][:, t] = np.clip(vs[:, t], -s.gs_mps, s.gs_mps)
            s = advance(s, accel[:, t], vs[:, t], turn[:, t])
        else:
            cols["vs_mps"][:, t] = cols["vs_mps"][:, t - 1] if steps else 0.0
    return Trajectories(**cols)


def _rot(x: FloatArray, y: FloatArray, theta_deg: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Rotate (x east, y north) clockwise by theta (a track change of +theta)."""
    a = np.radians(theta_deg)
    c, s = np.cos(a), np.sin(a)
    return x * c + y * s, -x * s + y * c


def _check(n: int, duration_s: int, tcpa_s: int) -> None:
    if n < 0:
        raise InputError(f"number of encounters must be >= 0, got {n}")
    if not 0 < tcpa_s <= duration_s:
        raise InputError(f"need 0 < tcpa_s <= duration_s, got {tcpa_s} and {duration_s}")


class _Aircraft:
    """Sampled commands of m aircraft, in SI, before placement."""

    def __init__(
        self,
        gs: FloatArray,
        lo: FloatArray,
        hi: FloatArray,
        accel: FloatArray,
        vs: FloatArray,
        turn: FloatArray,
    ) -> None:
        self.gs, self.lo, self.hi, self.accel, self.vs, self.turn = gs, lo, hi, accel, vs, turn

    def canonical(self, trk0: FloatArray, tcpa_s: int) -> KinState:
        """State at *tcpa_s* when started at the origin, altitude 0, on track *trk0*."""
        z = np.zeros_like(self.gs)
        s = KinState(z, z.copy(), z.copy(), self.gs.copy(), trk0.copy(), self.lo, self.hi)
        for t in range(tcpa_s):
            s = advance(s, self.accel[:, t], self.vs[:, t], self.turn[:, t])
        return s


def _speed(model: EncounterModel, label: str, bins: np.ndarray, vals: np.ndarray) -> tuple[FloatArray, ...]:
    i = model.initial.index(label)
    edges = model.boundaries[i]
    if edges is None:
        raise InputError(f"{model.name}: {label} has no bin edges")
    b = bins[:, 0, i]
    return vals[:, 0, i] * KT, edges[b] * KT, edges[b + 1] * KT


def _series(model: EncounterModel, label: str, vals: np.ndarray, unit: float) -> FloatArray:
    return vals[:, :, model.initial.index(label)] * unit


def _assemble(
    model: EncounterModel,
    ac1: _Aircraft,
    ac2: _Aircraft,
    start1: KinState,
    start2: KinState,
    duration_s: int,
    tcpa_s: int,
    hmd: FloatArray,
    vmd: FloatArray,
    labels: tuple[str, ...],
    values: FloatArray,
) -> EncounterSet:
    """Interleave aircraft 1 and 2 rows into one set."""

    def mix(a: FloatArray, b: FloatArray) -> FloatArray:
        out = np.empty((2 * a.shape[0], *a.shape[1:]))
        out[0::2], out[1::2] = a, b
        return out

    start = KinState(*(mix(getattr(start1, f), getattr(start2, f)) for f in KinState.__dataclass_fields__))
    return EncounterSet(
        model.name,
        duration_s,
        tcpa_s,
        start,
        mix(ac1.accel, ac2.accel),
        mix(ac1.vs, ac2.vs),
        mix(ac1.turn, ac2.turn),
        hmd,
        vmd,
        labels,
        values,
    )


def _redraw(draw: Callable[[int], EncounterSet], n: int, min_alt_m: float) -> EncounterSet:
    """Call ``draw(k)`` for k encounters until *n* keep every aircraft at or above *min_alt_m*."""
    kept: list[EncounterSet] = []
    need = n
    for _ in range(_MAX_ROUNDS):
        if need == 0:
            break
        enc = draw(need)
        low = enc.trajectories().h_m.min(axis=1).reshape(-1, 2).min(axis=1) < min_alt_m
        ok = np.flatnonzero(~low)
        kept.append(_subset(enc, ok))
        need -= ok.size
    if need:
        raise InputError(f"could not draw {n} encounters above {min_alt_m:g} m in {_MAX_ROUNDS} rounds")
    return _concat(kept)


def _subset(e: EncounterSet, k: np.ndarray) -> EncounterSet:
    rows = np.stack([2 * k, 2 * k + 1], axis=1).ravel()
    return EncounterSet(
        e.model,
        e.duration_s,
        e.tcpa_s,
        e.start.take(rows),
        e.accel_mps2[rows],
        e.vs_mps[rows],
        e.turn_dps[rows],
        e.hmd_m[k],
        e.vmd_m[k],
        e.labels,
        e.values[k],
    )


def _concat(parts: list[EncounterSet]) -> EncounterSet:
    p0 = parts[0]
    start = KinState(
        *(np.concatenate([getattr(p.start, f) for p in parts]) for f in KinState.__dataclass_fields__)
    )
    fields = ("accel_mps2", "vs_mps", "turn_dps", "hmd_m", "vmd_m")
    cat = {f: np.concatenate([getattr(p, f) for p in parts]) for f in fields}
    values = np.concatenate([p.values for p in parts])
    return EncounterSet(p0.model, p0.duration_s, p0.tcpa_s, start, **cat, labels=p0.labels, values=values)


def sample_correlated(
    model: EncounterModel, n: int, rng: np.random.Generator, *, duration_s: int = 210, tcpa_s: int = 180
) -> EncounterSet:
    """*n* encounters from the correlated model (``cor_v1``), CPA geometry as sampled (see module)."""
    _check(n, duration_s, tcpa_s)

    def draw(k: int) -> EncounterSet:
        bins = sample_dynamic(model, sample_initial(model, k, rng), duration_s, rng)
        vals = to_values(model, bins, rng)
        first = vals[:, 0, :]
        acs = []
        for a in ("1", "2"):
            gs, lo, hi = _speed(model, f"v_{a}", bins, vals)
            accel = np.repeat(_series(model, f"\\dot v_{a}", vals, KT)[:, :1], duration_s, axis=1)
            acs.append(
                _Aircraft(
                    gs,
                    lo,
                    hi,
                    accel,
                    _series(model, f"\\dot h_{a}", vals, FPM),
                    _series(model, f"\\dot \\psi_{a}", vals, 1.0),
                )
            )
        ac1, ac2 = acs
        layer = first[:, model.initial.index("L")].astype(int)
        band = np.array(COR_LAYERS_FT)[layer - 1] * FT
        alt1 = band[:, 0] + (band[:, 1] - band[:, 0]) * rng.random(k)
        own_trk = 360.0 * rng.random(k)
        beta = first[:, model.initial.index("\\beta")]
        chi = first[:, model.initial.index("\\chi")]
        hmd = first[:, model.initial.index("hmd")] * NM
        vmd = first[:, model.initial.index("vmd")] * FT
        zero = np.zeros(k)
        c1, c2 = ac1.canonical(zero, tcpa_s), ac2.canonical(zero, tcpa_s)
        # aircraft 1: at the origin on own_trk at tcpa
        th1 = own_trk - c1.trk_deg
        px, py = _rot(c1.x_m, c1.y_m, th1)
        start1 = KinState(-px, -py, alt1 - c1.h_m, ac1.gs, np.mod(th1, 360.0), ac1.lo, ac1.hi)
        # aircraft 2: track own_trk + beta, hmd perpendicular to the relative velocity, vmd below
        trk2 = own_trk + beta
        u1 = np.stack([np.sin(np.radians(own_trk)), np.cos(np.radians(own_trk))])
        v1 = c1.gs_mps * u1
        v2 = c2.gs_mps * np.stack([np.sin(np.radians(trk2)), np.cos(np.radians(trk2))])
        rel = v2 - v1
        norm = np.hypot(rel[0], rel[1])
        still = norm < 1e-9
        nx = np.where(still, u1[1], -rel[1] / np.where(still, 1.0, norm))
        ny = np.where(still, -u1[0], rel[0] / np.where(still, 1.0, norm))
        ahead = nx * u1[0] + ny * u1[1]
        flip = np.where(chi == 1, ahead < 0, ahead >= 0) & ~still
        sign = np.where(flip, -1.0, 1.0)
        th2 = trk2 - c2.trk_deg
        qx, qy = _rot(c2.x_m, c2.y_m, th2)
        start2 = KinState(
            sign * hmd * nx - qx,
            sign * hmd * ny - qy,
            alt1 - vmd - c2.h_m,
            ac2.gs,
            np.mod(th2, 360.0),
            ac2.lo,
            ac2.hi,
        )
        return _assemble(
            model, ac1, ac2, start1, start2, duration_s, tcpa_s, hmd, vmd, model.initial.labels, first
        )

    return _redraw(draw, n, 0.0)


def sample_due_regard(
    model: EncounterModel,
    n: int,
    rng: np.random.Generator,
    *,
    duration_s: int = 210,
    tcpa_s: int = 180,
    hmd_max_m: float = 8.0 * NM,
    vmd_max_m: float = 2000.0 * FT,
) -> EncounterSet:
    """*n* encounters of two independent due-regard aircraft (``dueregard_v1``), with miss
    distances uniform in ``[0, hmd_max_m]`` and ``[-vmd_max_m, vmd_max_m]`` (see module)."""
    _check(n, duration_s, tcpa_s)
    if not (hmd_max_m >= 0 and vmd_max_m >= 0):
        raise InputError("hmd_max_m and vmd_max_m must be >= 0")

    def draw(k: int) -> EncounterSet:
        bins = sample_dynamic(model, sample_initial(model, 2 * k, rng), duration_s, rng)
        vals = to_values(model, bins, rng)
        gs, lo, hi = _speed(model, "v", bins, vals)
        both = _Aircraft(
            gs,
            lo,
            hi,
            _series(model, "\\dot v", vals, KT),
            _series(model, "\\dot h", vals, FPM),
            _series(model, "\\dot \\psi", vals, 1.0),
        )
        trk0 = vals[:, 0, model.initial.index("\\psi")]
        alt0 = vals[:, 0, model.initial.index("L")] * FT
        c = both.canonical(trk0, tcpa_s)
        i1, i2 = np.arange(0, 2 * k, 2), np.arange(1, 2 * k, 2)
        hmd = hmd_max_m * rng.random(k)
        vmd = vmd_max_m * (2.0 * rng.random(k) - 1.0)  # aircraft 1 minus aircraft 2
        side = np.where(rng.random(k) < 0.5, -1.0, 1.0)
        v = np.stack([c.gs_mps * np.sin(np.radians(c.trk_deg)), c.gs_mps * np.cos(np.radians(c.trk_deg))])
        rel = v[:, i2] - v[:, i1]
        norm = np.hypot(rel[0], rel[1])
        still = norm < 1e-9
        nx = np.where(still, 1.0, -rel[1] / np.where(still, 1.0, norm))
        ny = np.where(still, 0.0, rel[0] / np.where(still, 1.0, norm))
        h1_cpa = alt0[i1] + c.h_m[i1]
        start1 = KinState(-c.x_m[i1], -c.y_m[i1], alt0[i1], gs[i1], np.mod(trk0[i1], 360.0), lo[i1], hi[i1])
        start2 = KinState(
            side * hmd * nx - c.x_m[i2],
            side * hmd * ny - c.y_m[i2],
            h1_cpa - vmd - c.h_m[i2],
            gs[i2],
            np.mod(trk0[i2], 360.0),
            lo[i2],
            hi[i2],
        )

        def part(rows: np.ndarray) -> _Aircraft:
            return _Aircraft(gs[rows], lo[rows], hi[rows], both.accel[rows], both.vs[rows], both.turn[rows])

        labels = tuple(f"{x} #{a}" for a in (1, 2) for x in model.initial.labels)
        values = np.concatenate([vals[i1, 0, :], vals[i2, 0, :]], axis=1)
        return _assemble(
            model, part(i1), part(i2), start1, start2, duration_s, tcpa_s, hmd, vmd, labels, values
        )

    return _redraw(draw, n, 0.0)
