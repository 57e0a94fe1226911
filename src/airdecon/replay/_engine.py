"""The replay loop: recorded observations -> tracker -> detection -> alerts, at a fixed update rate.

Recorded time is cut into steps of ``step_s`` (default 1 s). At each step time ``t`` the loop

1. feeds the tracker every observation with ``t_prev < t_obs <= t``;
2. ends stale tracks (``track-lost``, which also clears their alerts);
3. takes the airborne snapshot at ``t`` (extrapolated to the common epoch), keeps aircraft at or
   above ``min_alt_m``, and runs :func:`~airdecon.detection.detect`;
4. feeds the alert tracker, and hands a :class:`Step` to every sink.

When no track is live, no alert is open and no observation is due, the loop jumps ahead to the
step of the next observation (``ReplayResult.skipped_s`` says how much recorded time was empty),
so a recording with hours-long gaps costs nothing for the gaps.

The loop is pure: it never reads the clock. Real-time pacing (``--speed``) is the caller's
business, through the ``pace`` hook called with each step's recorded time.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from airdecon.alerting import AlertEvent, AlertTracker
from airdecon.detection import ConflictSet, detect
from airdecon.errors import InputError
from airdecon.ingest import Observations
from airdecon.protocol import SafetyProtocol
from airdecon.state import Fleet
from airdecon.tracking import Tracker, TrackerSettings, TrackEvent

__all__ = ["ReplayResult", "Sink", "Step", "replay"]


@dataclass(frozen=True, eq=False)
class Step:
    """What one update produced: the time, the fleet, its conflicts and the events."""

    t_s: float
    fleet: Fleet
    conflicts: ConflictSet
    alerts: list[AlertEvent]
    tracks: list[TrackEvent]


class Sink(Protocol):
    """Where replay output goes (files, the console, later the hub). Two methods."""

    def on_step(self, step: Step) -> None:
        """Called once per update, in time order."""

    def close(self, t_s: float, final_alerts: list[AlertEvent]) -> None:
        """Called once at the end, with the alerts cleared by the end of the replay."""


@dataclass
class ReplayResult:
    """Counts and timings of a finished replay (the sinks hold the details)."""

    t_from: float
    t_to: float
    steps: int
    observations: int
    tracker: Tracker
    alert_events: int = 0
    alerts_raised: int = 0
    skipped_s: float = 0.0
    track_events: dict[str, int] = field(default_factory=dict)
    #: the stretches of recorded time with nothing live and nothing new, skipped: (from, to) s
    gaps: list[tuple[float, float]] = field(default_factory=list)

    @property
    def duration_s(self) -> float:
        """The span replayed, first to last step, seconds (gaps included)."""
        return self.t_to - self.t_from

    @property
    def covered_s(self) -> float:
        """Recorded time with traffic in it: the span less the gaps skipped, seconds."""
        return self.duration_s - self.skipped_s


def replay(
    obs: Observations,
    protocol: SafetyProtocol | None = None,
    *,
    step_s: float = 1.0,
    t_from: float | None = None,
    t_to: float | None = None,
    min_alt_m: float = -math.inf,
    sinks: Sequence[Sink] = (),
    tracker_settings: TrackerSettings | None = None,
    pace: Callable[[float], None] | None = None,
) -> ReplayResult:
    """Replay recorded observations through tracking, detection and alerting.

    Parameters
    ----------
    obs : Observations
        The recording, in time order.
    protocol : SafetyProtocol, optional
        Minima, look-ahead, alert thresholds, ``stale_s``/``drop_s`` (default: 5 NM / 1000 ft).
    step_s : float
        Update interval in recorded time, seconds (default 1 s).
    t_from, t_to : float, optional
        Replay only this window of recorded time (Unix seconds); observations before ``t_from``
        still warm the tracker up (up to ``drop_s`` before it).
    min_alt_m : float
        Aircraft below this pressure altitude are left out of detection (e.g. 3,000 ft in a
        terminal area, where parallel-runway traffic is separated by other means).
    sinks : sequence of Sink
        Receive every :class:`Step` and the end of the replay.
    tracker_settings : TrackerSettings, optional
    pace : callable, optional
        Called with each step's recorded time before it is processed (real-time pacing).
    """
    rules = protocol if protocol is not None else SafetyProtocol()
    if not step_s > 0:
        raise InputError(f"step_s must be > 0, got {step_s}")
    tracker = Tracker(rules, tracker_settings)
    alerts = AlertTracker.for_protocol(rules)
    n = len(obs)
    start = float(obs.t_s[0]) if n else 0.0
    end = float(obs.t_s[-1]) if n else 0.0
    t0 = start if t_from is None else float(t_from)
    t1 = end if t_to is None else float(t_to)
    result = ReplayResult(t_from=t0, t_to=t1, steps=0, observations=0, tracker=tracker)
    if n and t0 > start:
        # warm up the tracks that will still be live at t_from
        lo = int(np.searchsorted(obs.t_s, t0 - rules.drop_s, side="left"))
        hi = int(np.searchsorted(obs.t_s, t0, side="right"))
        tracker.update(obs, lo, hi)
        cursor = hi
    else:
        cursor = 0
    if t1 < t0:
        raise InputError(f"replay window ends ({t1}) before it starts ({t0})")
    n_steps = math.floor((t1 - t0) / step_s) + 1
    counts = result.track_events
    t_obs = obs.t_s
    k = 0
    t = t0
    while k < n_steps:
        t = t0 + k * step_s
        stop = int(np.searchsorted(t_obs, t, side="right"))
        if len(tracker) == 0 and stop == cursor and cursor < n and alerts.active == []:
            # nothing live and nothing new: jump to the step of the next observation (a recording
            # with hours-long gaps, or several recordings end to end, must not cost a step a second)
            nxt = min(math.ceil((float(t_obs[cursor]) - t0) / step_s), n_steps)
            if nxt > k:
                result.skipped_s += (nxt - k) * step_s
                result.gaps.append((t, t0 + nxt * step_s))
                k = nxt
                continue
        if pace is not None:
            pace(t)
        tev = tracker.update(obs, cursor, stop) if stop > cursor else []
        result.observations += stop - cursor
        cursor = stop
        lost = tracker.expire(t)
        tev.extend(lost)
        fleet = tracker.snapshot(t)
        if min_alt_m > -math.inf and len(fleet):
            keep = fleet.alt_m >= min_alt_m
            if not keep.all():
                fleet = fleet.take(keep)
        conflicts = detect(fleet, rules) if len(fleet) > 1 else detect(Fleet.empty(), rules)
        aev = alerts.update(t, conflicts, gone=[e.icao24 for e in lost])
        for e in tev:
            counts[e.kind] = counts.get(e.kind, 0) + 1
        result.alert_events += len(aev)
        result.alerts_raised += sum(1 for e in aev if e.kind == "raised")
        step = Step(t, fleet, conflicts, aev, tev)
        for sink in sinks:
            sink.on_step(step)
        result.steps += 1
        k += 1
    t_end = t
    final = alerts.clear_all(t_end, "end of replay")
    result.alert_events += len(final)
    for sink in sinks:
        sink.close(t_end, final)
    return result
