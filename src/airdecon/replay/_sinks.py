"""Replay sinks: where each step's output goes. Files here; the hub plugs in the same way later.

* :class:`AlertLog` writes every alert lifecycle event as one JSON line (``alerts.jsonl``);
* :class:`PairStats` keeps each conflicting pair's closest approach and time in loss of separation;
* :class:`TrackRecorder` keeps the airborne tracks (decimated) for the traffic map;
* :class:`EventLog` keeps track events (new, lost, distress).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import numpy as np

from airdecon.alerting import AlertEvent
from airdecon.geometry import distances_m
from airdecon.replay._engine import Step
from airdecon.tracking import TrackEvent
from airdecon.units import FT, NM

__all__ = ["AlertLog", "EventLog", "PairRecord", "PairStats", "TrackRecorder"]


class AlertLog:
    """Writes alert events as JSON lines to *path* (or keeps them only in memory when None)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.events: list[AlertEvent] = []
        self._fh: IO[str] | None = open(path, "w", encoding="utf-8") if path is not None else None  # noqa: SIM115

    def _write(self, events: list[AlertEvent]) -> None:
        self.events.extend(events)
        if self._fh is not None:
            for e in events:
                self._fh.write(json.dumps(e.to_dict()) + "\n")

    def on_step(self, step: Step) -> None:
        """Record the step's alert events."""
        if step.alerts:
            self._write(step.alerts)

    def close(self, t_s: float, final_alerts: list[AlertEvent]) -> None:
        """Record the alerts cleared at the end and close the file."""
        self._write(final_alerts)
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    @property
    def raised(self) -> int:
        """Number of alerts raised."""
        return sum(1 for e in self.events if e.kind == "raised")


class EventLog:
    """Keeps every track event (``track-new``, ``track-lost``, ``distress``, ``distress-cleared``)."""

    def __init__(self) -> None:
        self.events: list[TrackEvent] = []

    def on_step(self, step: Step) -> None:
        """Record the step's track events."""
        self.events.extend(step.tracks)

    def close(self, t_s: float, final_alerts: list[AlertEvent]) -> None:
        """Nothing to do."""


@dataclass
class PairRecord:
    """One pair that conflicted: closest approach (horizontal, and vertical at that moment) and time
    in loss of separation. Distances in metres, times in Unix seconds."""

    a: str
    b: str
    first_t_s: float
    last_t_s: float
    min_h_m: float = math.inf
    v_at_min_m: float = math.inf
    t_min_s: float = math.nan
    los_s: float = 0.0
    where: tuple[float, float, float, float] = (math.nan, math.nan, math.nan, math.nan)

    def to_dict(self) -> dict[str, object]:
        """The summary's pair entry, in aviation units."""
        return {
            "a": self.a,
            "b": self.b,
            "min_h_nm": round(self.min_h_m / NM, 4),
            "min_v_ft": round(self.v_at_min_m / FT, 1),
            "los_s": self.los_s,
            "t_min_s": self.t_min_s,
            "first_t_s": self.first_t_s,
            "last_t_s": self.last_t_s,
        }


@dataclass
class PairStats:
    """For each pair ever in conflict, its closest approach and seconds in loss of separation.

    A step counts ``step_s`` seconds of loss of separation when, at that step's time, the pair's
    horizontal distance is under ``horizontal_m`` and its vertical distance under ``vertical_m``
    (the tracks' own positions, without the uncertainty margin detection adds for coasted tracks).
    """

    horizontal_m: float
    vertical_m: float
    step_s: float
    pairs: dict[tuple[str, str], PairRecord] = field(default_factory=dict)

    def on_step(self, step: Step) -> None:
        """Update the pairs that conflict at this step."""
        c = step.conflicts
        if not len(c):
            return
        f = step.fleet
        h = distances_m(f.lat_deg[c.i], f.lon_deg[c.i], f.lat_deg[c.j], f.lon_deg[c.j])
        v = np.abs(f.alt_m[c.j] - f.alt_m[c.i])
        los = (h < self.horizontal_m) & (v < self.vertical_m)
        for k in range(len(c)):
            a, b = str(c.ids[c.i[k]]), str(c.ids[c.j[k]])
            rec = self.pairs.get((a, b))
            if rec is None:
                rec = self.pairs[(a, b)] = PairRecord(a, b, step.t_s, step.t_s)
            rec.last_t_s = step.t_s
            if h[k] < rec.min_h_m:
                rec.min_h_m, rec.v_at_min_m, rec.t_min_s = float(h[k]), float(v[k]), step.t_s
                ia, ib = c.i[k], c.j[k]
                rec.where = (float(f.lat_deg[ia]), float(f.lon_deg[ia]), float(f.lat_deg[ib]),
                             float(f.lon_deg[ib]))
            if los[k]:
                rec.los_s += self.step_s

    def close(self, t_s: float, final_alerts: list[AlertEvent]) -> None:
        """Nothing to do."""

    def records(self) -> list[PairRecord]:
        """Pairs, closest first."""
        return sorted(self.pairs.values(), key=lambda r: (r.min_h_m, r.a, r.b))


class TrackRecorder:
    """Keeps the airborne positions every ``every_s`` seconds, for the traffic map."""

    def __init__(self, every_s: float = 5.0) -> None:
        self.every_s = every_s
        self._next = -math.inf
        self.ids: list[np.ndarray] = []
        self.lat: list[np.ndarray] = []
        self.lon: list[np.ndarray] = []

    def on_step(self, step: Step) -> None:
        """Record positions if ``every_s`` has passed."""
        if step.t_s < self._next or not len(step.fleet):
            return
        self._next = step.t_s + self.every_s
        self.ids.append(step.fleet.ids)
        self.lat.append(step.fleet.lat_deg)
        self.lon.append(step.fleet.lon_deg)

    def close(self, t_s: float, final_alerts: list[AlertEvent]) -> None:
        """Nothing to do."""

    def tracks(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Per aircraft, its recorded (lat, lon) arrays in time order."""
        if not self.ids:
            return {}
        ids = np.concatenate(self.ids).astype(str)
        lat, lon = np.concatenate(self.lat), np.concatenate(self.lon)
        order = np.argsort(ids, kind="stable")
        ids, lat, lon = ids[order], lat[order], lon[order]
        uniq, first = np.unique(ids, return_index=True)
        bounds = [*first.tolist(), len(ids)]
        return {str(u): (lat[bounds[k] : bounds[k + 1]], lon[bounds[k] : bounds[k + 1]])
                for k, u in enumerate(uniq)}
