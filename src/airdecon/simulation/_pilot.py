"""The pilot model of the closed loop: who follows, how late, and what each aircraft is flying.

Each aircraft flies its **intent** until it is advised: direct to its destination (a point on its
initial geodesic, two hours of flight away or beyond the end of the run) and its intended
vertical profile (initial altitude plus initial vertical rate times time, captured back with a time
constant when off it). An
advisory sets a commanded track and/or vertical rate (a channel the advisory leaves out keeps what
it had). The pilot model (:class:`PilotModel`):

* **compliance**: each aircraft's pilot follows the line with probability ``compliance``, drawn
  once per aircraft from the run's seeded generator; a pilot who does not follow ignores every
  advisory (compliance 0 is exactly the run without resolution);
* **response delay**: a first advisory is flown ``response_delay_s`` after it is given; a changed
  advisory while one is already flown after half that (the TCAS II pilot model: 5 s, then 2.5 s).
  An advisory that changes again before it is flown replaces the waiting one without restarting its
  delay (the pilot is already reaching for the controls);
* **performance**: each aircraft climbs or descends at most at a rate drawn once per aircraft,
  uniformly in ``climb_fpm`` (1,500 to 2,500 ft/min); faster advised rates are flown at that rate;
* **resuming**: an aircraft that is no longer advised keeps its advisory until flying its intent
  again is predicted conflict-free (decided by the caller, see :mod:`._run`), then resumes at once.

Pure: the random draws come from a ``numpy.random.Generator`` the caller seeds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from airdecon.errors import InputError
from airdecon.simulation._kinematics import Flight, G, bearing_deg, destination_wgs84, distance_wgs84
from airdecon.units import FPM, FloatArray

__all__ = ["PilotModel", "Pilots"]

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.intp]
_ARRIVED_M = 1852.0  # closer than this to its destination, an aircraft holds its track


@dataclass(frozen=True)
class PilotModel:
    """How pilots and aircraft respond to advisories (see the module docstring).

    Attributes
    ----------
    response_delay_s : float
        Seconds from a first advisory to the start of the manoeuvre (default 5); a change of
        advisory is flown after half of it.
    compliance : float
        Probability in [0, 1] that an aircraft's pilot follows the line (default 1).
    turn_rate_dps : float
        Rate of turn, deg/s (default 3, the standard rate).
    vertical_accel_g : float
        Vertical acceleration in g (default 0.25, TCAS II's initial-RA assumption).
    climb_fpm : (float, float)
        Range of the aircraft's best climb/descent rate, ft/min (default 1,500 to 2,500).
    capture_s : float
        Time constant of the return to the intended vertical profile, seconds (default 20).
    """

    response_delay_s: float = 5.0
    compliance: float = 1.0
    turn_rate_dps: float = 3.0
    vertical_accel_g: float = 0.25
    climb_fpm: tuple[float, float] = (1500.0, 2500.0)
    capture_s: float = 20.0

    def __post_init__(self) -> None:
        checks = (
            ("response_delay_s", self.response_delay_s, 0.0, 600.0),
            ("compliance", self.compliance, 0.0, 1.0),
            ("turn_rate_dps", self.turn_rate_dps, 0.1, 30.0),
            ("vertical_accel_g", self.vertical_accel_g, 0.01, 2.0),
            ("capture_s", self.capture_s, 1.0, 600.0),
        )
        for name, value, lo, hi in checks:
            if (
                not isinstance(value, int | float)
                or isinstance(value, bool)
                or not (math.isfinite(value) and lo <= value <= hi)
            ):
                raise InputError(f"pilot model: {name} must be a number in [{lo:g}, {hi:g}], got {value!r}")
        lo, hi = self.climb_fpm
        if not (math.isfinite(lo) and math.isfinite(hi) and 100.0 <= lo <= hi <= 10_000.0):
            raise InputError(
                f"pilot model: climb_fpm must be 100 <= low <= high <= 10000, got {self.climb_fpm}"
            )


class Pilots:
    """Per-aircraft advisory state of one run: waiting and flown instructions, who follows.

    Channels are arrays of shape (n,); NaN in a track or vertical-rate channel means "fly the intent
    on this channel".
    """

    def __init__(self, start: Flight, model: PilotModel, rng: np.random.Generator, horizon_s: float) -> None:
        n: int = start.lat_deg.shape[0]
        self.model = model
        self.follows: BoolArray = rng.random(n) < model.compliance
        lo, hi = model.climb_fpm
        self.max_vs: FloatArray = rng.uniform(lo, hi, n) * FPM
        # intent: a destination beyond the end of the run, and the vertical profile
        self.dest_lat, self.dest_lon = destination_wgs84(
            start.lat_deg, start.lon_deg, start.trk_deg, start.gs_mps * horizon_s
        )
        self.alt0, self.vs0 = start.alt_m.copy(), start.vs_mps.copy()
        nan = np.full(n, np.nan)
        self.trk, self.vs = nan.copy(), nan.copy()  # flown advisory channels
        self.wait_trk, self.wait_vs = nan.copy(), nan.copy()  # advisory waiting to be flown
        self.wait_t = np.full(n, np.inf)
        self.advised = np.zeros(n, dtype=bool)  # flying an advisory now
        self.ever = np.zeros(n, dtype=bool)  # has flown an advisory at some time

    # ------------------------------------------------------------------------------------------
    def intent(self, flight: Flight, t_s: float) -> tuple[FloatArray, FloatArray]:
        """Track (deg) and vertical rate (m/s) of each aircraft's intent, from *flight* at *t_s*."""
        brg = bearing_deg(flight.lat_deg, flight.lon_deg, self.dest_lat, self.dest_lon)
        far = distance_wgs84(flight.lat_deg, flight.lon_deg, self.dest_lat, self.dest_lon) > _ARRIVED_M
        trk = np.where(far, brg, flight.trk_deg)
        error = self.alt0 + self.vs0 * t_s - flight.alt_m
        vs = self.vs0 + np.clip(error / self.model.capture_s, -self.max_vs, self.max_vs)
        return trk, vs

    def waiting(self) -> BoolArray:
        """Aircraft with an advisory not yet flown."""
        return np.isfinite(self.wait_t)

    def advise(self, t_s: float, rows: IntArray, trk_deg: FloatArray, vs_mps: FloatArray) -> int:
        """Give advisories at *t_s* to aircraft *rows* (NaN: no instruction on that channel).

        Aircraft whose pilot does not follow ignore them; an instruction equal to what the
        aircraft already flies (or waits to fly) changes nothing. Returns how many aircraft got a
        new or changed instruction.
        """
        changed = 0
        half = 0.5 * self.model.response_delay_s
        for r, trk, vs in zip(rows.tolist(), trk_deg.tolist(), vs_mps.tolist(), strict=True):
            if not self.follows[r]:
                continue
            waiting = bool(np.isfinite(self.wait_t[r]))
            cur_trk = self.wait_trk[r] if waiting else self.trk[r]
            cur_vs = self.wait_vs[r] if waiting else self.vs[r]
            new_trk = cur_trk if math.isnan(trk) else trk
            new_vs = cur_vs if math.isnan(vs) else vs
            if math.isnan(new_trk) and math.isnan(new_vs):
                continue  # no instruction (follow-tcas): nothing to fly
            if _same(new_trk, cur_trk) and _same(new_vs, cur_vs):
                continue
            self.wait_trk[r], self.wait_vs[r] = new_trk, new_vs
            changed += 1
            if not waiting:
                self.wait_t[r] = t_s + (half if self.advised[r] else self.model.response_delay_s)
        return changed

    def act(self, t_s: float) -> None:
        """Advisories whose delay has run out at *t_s* are flown from now on."""
        due = self.wait_t <= t_s + 1e-9
        self.trk[due], self.vs[due] = self.wait_trk[due], self.wait_vs[due]
        self.advised[due] = True
        self.ever[due] = True
        self.wait_t[due] = np.inf
        self.wait_trk[due] = self.wait_vs[due] = np.nan

    def resume(self, rows: IntArray) -> None:
        """Aircraft *rows* drop their advisory (flown or waiting) and fly their intent again."""
        self.trk[rows] = self.vs[rows] = np.nan
        self.wait_trk[rows] = self.wait_vs[rows] = np.nan
        self.wait_t[rows] = np.inf
        self.advised[rows] = False

    def commands(self, flight: Flight, t_s: float) -> tuple[FloatArray, FloatArray]:
        """Commanded track (deg) and vertical rate (m/s) of every aircraft at *t_s*."""
        trk_i, vs_i = self.intent(flight, t_s)
        trk = np.where(np.isnan(self.trk), trk_i, self.trk)
        vs = np.where(np.isnan(self.vs), vs_i, np.clip(self.vs, -self.max_vs, self.max_vs))
        return trk, vs

    @property
    def vertical_accel_mps2(self) -> float:
        """The model's vertical acceleration, m/s^2."""
        return self.model.vertical_accel_g * G


def _same(a: float, b: float) -> bool:
    """Two channel values are the same instruction (both absent, or within a thousandth)."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) < 1e-3
