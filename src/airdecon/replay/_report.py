"""Replay a recording file end to end and write its report: ``alerts.jsonl``, ``summary.json``,
``traffic.png``. The CLI is a thin face over :func:`replay_recording`.

``summary.json`` holds: the recording and the protocol, the replayed window, aircraft seen (with a
track) and airborne in detection, conflicts (pairs ever predicted to lose separation), losses of
separation (pairs that did), alerts raised (and per hour), track events (new, lost, distress),
the tracker's outlier counts, the readers' rejects, the replay speed, and ``pairs``: for each
conflicting pair ``{"a", "b", "min_h_nm", "min_v_ft", "los_s", ...}`` — its closest horizontal
approach, the vertical distance at that moment, and the seconds it spent in loss of separation.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from airdecon.ingest import Rejects, read_recording
from airdecon.protocol import SafetyProtocol
from airdecon.replay._engine import ReplayResult, Sink, replay
from airdecon.replay._sinks import AlertLog, EventLog, PairStats, TrackRecorder
from airdecon.units import FT

_MAX_GAPS = 10  # the longest gaps the summary lists (``n_gaps`` counts them all)

__all__ = ["ReplayReport", "replay_recording"]


@dataclass
class ReplayReport:
    """The outcome of :func:`replay_recording`: the summary document and where files went."""

    summary: dict[str, Any]
    result: ReplayResult
    pairs: PairStats
    alerts: AlertLog
    events: EventLog
    out_dir: Path | None
    wall_s: float


def _iso(t: float) -> str:
    return np.datetime_as_string(np.datetime64(round(t * 1000), "ms"), unit="s") + "Z"


def replay_recording(
    recording: str | Path,
    protocol: SafetyProtocol | None = None,
    *,
    out_dir: str | Path | None = None,
    fmt: str | None = None,
    step_s: float = 1.0,
    t_from: float | None = None,
    t_to: float | None = None,
    min_alt_m: float = -math.inf,
    plot: bool = True,
    pace: Callable[[float], None] | None = None,
    progress: Callable[[float, float, float], None] | None = None,
    sinks: Sequence[Sink] = (),
) -> ReplayReport:
    """Read a recording, replay it, and (with *out_dir*) write the three output files.

    Parameters
    ----------
    recording : str or Path
        Any file :func:`~airdecon.ingest.read_recording` reads.
    protocol : SafetyProtocol, optional
    out_dir : str or Path, optional
        Directory for ``alerts.jsonl``, ``summary.json`` and ``traffic.png`` (created if needed).
    fmt, step_s, t_from, t_to, min_alt_m, pace :
        See :func:`~airdecon.ingest.read_recording` and :func:`replay` (times in Unix seconds).
    plot : bool
        Write ``traffic.png`` (default True when *out_dir* is given).
    progress : callable, optional
        Called as ``progress(t_s, t_from, t_to)`` after each step.
    sinks : sequence of Sink
        More sinks (e.g. a hub feed), given every step.
    """
    rules = protocol if protocol is not None else SafetyProtocol()
    obs, rejects = read_recording(recording, fmt=fmt)
    out = Path(out_dir) if out_dir is not None else None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    alerts = AlertLog(out / "alerts.jsonl" if out is not None else None)
    pairs = PairStats(rules.horizontal_m, rules.vertical_m, step_s)
    events = EventLog()
    recorder = TrackRecorder(every_s=max(step_s, 5.0))
    all_sinks: list[Sink] = [alerts, pairs, events, recorder, *sinks]
    if progress is not None:
        all_sinks.append(_Progress(progress, t_from, t_to, obs.t_s))
    wall0 = time.perf_counter()
    result = replay(obs, rules, step_s=step_s, t_from=t_from, t_to=t_to, min_alt_m=min_alt_m,
                    sinks=all_sinks, pace=pace)
    wall = time.perf_counter() - wall0
    summary = _summary(
        Path(recording), rules, result, rejects, pairs, alerts, events, min_alt_m, step_s, wall
    )
    if out is not None:
        if plot:
            summary["map"] = _plot(out / "traffic.png", recorder, pairs, rules, Path(recording).name)
        (out / "summary.json").write_text(json.dumps(summary, indent=2, allow_nan=False) + "\n")
    return ReplayReport(summary, result, pairs, alerts, events, out, wall)


class _Progress:
    def __init__(self, cb: Callable[[float, float, float], None], t_from: float | None, t_to: float | None,
                 t: np.ndarray) -> None:
        self.cb = cb
        self.lo = float(t_from if t_from is not None else (t[0] if t.size else 0.0))
        self.hi = float(t_to if t_to is not None else (t[-1] if t.size else 0.0))

        self.every = max((self.hi - self.lo) / 500.0, 0.0)
        self.next = -math.inf

    def on_step(self, step: Any) -> None:
        if step.t_s >= self.next:  # at most ~500 refreshes: a progress bar must not slow the replay
            self.next = step.t_s + self.every
            self.cb(step.t_s, self.lo, self.hi)

    def close(self, t_s: float, final_alerts: list[Any]) -> None:
        self.cb(t_s, self.lo, self.hi)


def _plot(path: Path, recorder: TrackRecorder, pairs: PairStats, rules: SafetyProtocol, name: str) -> str:
    from airdecon.replay._plot import plot_traffic

    return plot_traffic(path, recorder.tracks(), pairs.records(), title=name, horizontal_m=rules.horizontal_m)


def _summary(
    recording: Path,
    rules: SafetyProtocol,
    result: ReplayResult,
    rejects: Rejects,
    pairs: PairStats,
    alerts: AlertLog,
    events: EventLog,
    min_alt_m: float,
    step_s: float,
    wall_s: float,
) -> dict[str, Any]:
    covered_h = result.covered_s / 3600.0
    recs = pairs.records()
    tracker = result.tracker
    distress = [e.to_dict() for e in events.events if e.kind.startswith("distress")]
    return {
        "recording": recording.name,
        "protocol": {**rules.to_mapping(), "min_alt_ft": None if min_alt_m == -math.inf else min_alt_m / FT,
                     "stale_s": rules.stale_s, "drop_s": rules.drop_s},
        "from": _iso(result.t_from) if result.steps else None,
        "to": _iso(result.t_to) if result.steps else None,
        "duration_s": result.duration_s,
        "step_s": step_s,
        "steps": result.steps,
        "skipped_s": result.skipped_s,
        "covered_s": result.covered_s,
        # the longest stretches without traffic (a file of several recordings end to end)
        "gaps": [{"from": _iso(a), "to": _iso(b), "s": b - a}
                 for a, b in sorted(result.gaps, key=lambda g: g[0] - g[1])[:_MAX_GAPS]],
        "n_gaps": len(result.gaps),
        "observations": result.observations,
        "aircraft_seen": len(tracker.seen),
        "conflicts": len(recs),
        "losses_of_separation": sum(1 for r in recs if r.los_s > 0),
        "alerts_raised": alerts.raised,
        # per hour of traffic, not of the span: gaps between recordings have no alerts to raise
        "alerts_per_hour": round(alerts.raised / covered_h, 2) if covered_h > 0 else None,
        "alert_events": len(alerts.events),
        "track_events": dict(sorted(result.track_events.items())),
        "distress": distress,
        "tracker": {k: v for k, v in tracker.stats.to_dict().items()},
        "rejects": rejects.to_dict(),
        "wall_s": round(wall_s, 3),
        # seconds of traffic replayed (empty gaps skipped are not counted) per second of wall time
        "speed_x": round((result.duration_s - result.skipped_s) / wall_s, 1) if wall_s > 0 else None,
        "pairs": [r.to_dict() for r in recs],
    }
