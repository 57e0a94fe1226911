"""The detection cycle: the live picture's alerts, track losses and distress timers, paced.

:class:`Cycle` runs one detection cycle of the picture, turns its result into the events each
party may see (alerts and the disclosure ledger through the alert desk, track losses, distress
resends and escalations) and records them. Its loop runs a cycle whenever reports arrived
(coalesced) or the timer fires, keeping to its duty share while big report work waits.

After the picture's events, the cycle checks the fleet against planned operations' active volumes
and hazard areas (:mod:`airdecon.hub._areas`): area alerts and conformance notices.

The cycle survives any one bad item: an alert, a lost track or a distress case whose processing
raises is left out of that cycle's events (logged once while it keeps failing) and every other
event of the cycle is recorded as usual. When the engine itself raises on the picture, the
aircraft that make it raise are left out of that cycle's detection (:mod:`airdecon.hub._quarantine`)
and everyone else's alerts go on.
"""

from __future__ import annotations

import logging
import time

from airdecon.hub._alerts import HUB_PARTY
from airdecon.hub._areas import AreaWatch
from airdecon.hub._context import HubContext
from airdecon.hub._distress import Distress
from airdecon.hub._faults import FaultLog
from airdecon.hub._picture import CycleResult
from airdecon.hub._record import Record
from airdecon.hub._views import Views
from airdecon.store import Event, JsonValue, NewEvent

__all__ = ["Cycle"]

log = logging.getLogger("airdecon.hub")


class Cycle:
    """The detection cycle and its loop (see the module docstring)."""

    def __init__(
        self, ctx: HubContext, record: Record, distress: Distress, areas: AreaWatch | None = None
    ) -> None:
        self._ctx = ctx
        self._record = record
        self._distress = distress
        self._areas = areas
        self._last = 0.0  # monotonic time the last cycle ended
        self._cost = 0.0  # CPU seconds the last cycle took (paces the next under a flood)
        self._faults = FaultLog(log)
        self._failing: list[tuple[str, str]] = []  # the items that failed in this cycle

    def run(self) -> list[Event]:
        """One detection cycle: alerts (disclosed per party), track losses, distress timers."""
        ctx = self._ctx
        now = ctx.clock()
        start = time.thread_time()
        with ctx.pacing.computing():
            with ctx.lock:
                result = ctx.picture.cycle(now)
                events = self._events(result, now)
            if self._areas is not None:  # live tracks against plans: the cycle's fleet, own locks
                try:
                    events.extend(self._areas.cycle(result.fleet, now))
                except Exception as exc:
                    self._failed(("areas", "cycle"), exc)
                self._faults.clear_except(self._failing, "areas")
            self._last = time.monotonic()
            # its own CPU time, not its wall time: when threads contend for the interpreter a 12 ms
            # cycle can take 150 ms of wall time, and pacing by that delayed the next alert as much
            self._cost = time.thread_time() - start
            return self._record.append(events)

    def loop(self) -> None:
        """Run cycles whenever reports arrived (coalesced) or the timer fires, until the hub stops."""
        ctx, s = self._ctx, self._ctx.settings
        while not ctx.stop.is_set():
            ctx.dirty.wait(s.timer_s)
            if ctx.stop.is_set():
                return
            gap = s.cycle_min_s
            if ctx.pacing.waiting:  # reports wait for the interpreter: leave them their share
                duty = min(max(s.cycle_duty, 0.05), 1.0)
                gap = max(gap, self._cost * (1.0 / duty - 1.0))
            wait = gap - (time.monotonic() - self._last)
            if wait > 0:
                time.sleep(wait)
            ctx.dirty.clear()
            try:
                self.run()
            except Exception as exc:  # logged once while the same failure repeats
                self._faults.failed(("cycle", f"{type(exc).__name__}: {exc}"), "detection cycle failed", exc)
            else:
                self._faults.clear_except((), "cycle")

    def _events(self, result: CycleResult, now: float) -> list[NewEvent]:
        ctx = self._ctx
        self._failing = []
        if result.left_out and result.detect_error is not None:
            self._failed(("detection", " ".join(result.left_out)), result.detect_error)
        out = ctx.desk.cycle_events(result, ctx.picture, now, self._failed)
        out.extend(ctx.desk.precision_changes(ctx.picture, self._failed))
        ctx.guard.forget([tr.key for tr in result.lost])
        # by aircraft: the picture's order of its lost tracks depends on every party's fleet, and
        # a party's track losses in that order would tell it of aircraft it may not see
        for tr in sorted(result.lost, key=lambda tr: tr.key):
            try:
                payload: JsonValue = {"id": tr.report.aircraft_id, "t": tr.report.t}
                out.append(NewEvent("track-lost", HUB_PARTY, payload, audience=[tr.report.party]))
            except Exception as exc:
                self._failed(("track-lost", tr.key), exc)
        views = Views(result.fleet)
        for stage, case in result.distress_events:
            try:
                out.append(self._distress.event(case, stage, views))
            except Exception as exc:
                self._failed(("distress", case.distress_id), exc)
        for kind in ("detection", "alert", "precision", "ledger", "track-lost", "distress"):
            self._faults.clear_except(self._failing, kind)  # logged again if it fails anew later
        return out

    def _failed(self, item: tuple[str, str], exc: Exception) -> None:
        """One item of the cycle failed: left out of this cycle, logged once while it keeps failing."""
        self._failing.append(item)
        self._faults.failed(item, f"detection cycle: {item[0]} {item[1]} failed; the cycle goes on", exc)
