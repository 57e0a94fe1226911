"""The restart cache: the latest state of every aircraft, saved now and then, read at a restart.

The reports themselves are durable in the record as soon as they are acknowledged; the cache only
spares a restarted hub replaying more than the reports recorded after the cache's mark.
:class:`RestartCache` keeps the states reported since the last save, saves them (with the mark of
the last report event they cover) and, at a restart, reads back the saved states and the reports
recorded after the mark. Each saved state also holds the aircraft's track-rate state in the
picture (``extra["turn"]``: without it a restarted hub would need two new rates, about 8 s, to see a
steady turn again); a state saved before this field existed restarts without one. The reports
replayed are given back one recorded batch at a time, so that the picture measures their track
rate as it did when they came.

Each saved state also holds the advisory in force for the aircraft then (``extra["advice"]``:
track, vertical rate, rule), if it had one: a restarted hub tells its first resolver run the
advisories its crews are flying (``resolve(previous=...)``), so a restart does not turn an
advisory being flown into a marginally different one (issue 14). What a restart reads back is
what the last save held (at most ``state_save_s`` old); a damaged or unknown entry is dropped, and
that aircraft is resolved afresh.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from airdecon.hub._context import HubContext
from airdecon.hub._reports import Report, expand, fleet_key, from_record
from airdecon.resolution import RULES, Advisory, Rule
from airdecon.store import AircraftState, JsonValue

__all__ = ["RestartCache"]


class RestartCache:
    """The latest states not yet saved, their saves and their reading back (see the module docstring)."""

    def __init__(self, ctx: HubContext) -> None:
        self._ctx = ctx
        self._unsaved: dict[str, Report] = {}  # latest states not yet in the restart cache
        self._through = 0  # the last report event whose states are in _unsaved or saved
        self._lock = threading.Lock()
        self._save_lock = threading.Lock()  # one save at a time: marks are written in order
        #: the advisories in force now, by fleet key (the hub points it at its advisor's)
        self.advice: Callable[[], Mapping[str, Advisory]] = dict
        #: the advisories in force the last save held, read back by :meth:`restore`
        self.restored_advice: dict[str, Advisory] = {}

    def note(self, reports: Sequence[Report], through_seq: int) -> None:
        """*reports* were recorded, by the report event *through_seq* (called in sequence order
        with every other commit: a save's mark never claims a report whose state it does not hold)."""
        with self._lock:
            for r in reports:
                self._unsaved[r.key] = r
            self._through = through_seq

    def restore(self) -> tuple[list[Report], list[list[float] | None], list[list[Report]]]:
        """At a restart: the saved latest states, their track-rate states (None where not saved),
        and the reports recorded after the cache's mark, one list per recorded batch in order
        (kept as unsaved: the next save writes them)."""
        store, parties = self._ctx.store, self._ctx.parties
        saved = []
        turns: list[list[float] | None] = []
        self.restored_advice = {}
        for st in store.latest_states():
            if st.party not in parties:
                continue
            ex = dict(st.extra)
            adv = _advice(st.aircraft_id, st.party, ex.get("advice"))
            if adv is not None:
                self.restored_advice[st.aircraft_id] = adv
            saved.append(
                Report(
                    aircraft_id=st.aircraft_id.removeprefix(st.party + "/"),
                    party=st.party,
                    t=st.t,
                    lat_deg=st.lat_deg,
                    lon_deg=st.lon_deg,
                    alt_m=st.alt_m,
                    gs_mps=st.gs_mps,
                    trk_deg=st.trk_deg,
                    vs_mps=st.vs_mps,
                    squawk=ex.get("squawk"),  # type: ignore[arg-type]
                    emergency=ex.get("emergency"),  # type: ignore[arg-type]
                    callsign=ex.get("callsign"),  # type: ignore[arg-type]
                    on_ground=bool(ex.get("on_ground", False)),
                    sel_alt_m=None if ex.get("sel_alt_m") is None else float(ex["sel_alt_m"]),  # type: ignore[arg-type]
                )
            )
            turns.append(_turn(ex.get("turn")))
        replayed: list[list[Report]] = []
        seq = store.states_through()
        while batch := store.events_after(seq, kinds=("report",), limit=200):
            for ev in batch:
                if ev.origin in parties:
                    replayed.append([from_record(ev.origin, item) for item in expand(ev.payload)["reports"]])
            seq = batch[-1].seq
        self.note([r for b in replayed for r in b], seq)
        return saved, turns, replayed

    def save(self) -> None:
        """Write the latest state of every aircraft reported since the last save to the restart
        cache, with the mark of the last report event it covers."""
        with self._save_lock:
            self._save()

    def _save(self) -> None:
        with self._lock:
            batch, self._unsaved = self._unsaved, {}
            through = self._through
        if not batch:
            return
        reports = list(batch.values())
        try:
            # in slices, each its own short transaction, the mark with the last: a save of 5,000
            # states never holds the interpreter or the store's write lock for long while a cycle
            # or a report's append waits (a crash between slices leaves the old mark, so the
            # restart replays those reports: still exact). Whole saves of 5,000 states holding the
            # write lock for 200-400 ms were the slowest alerts of the load bench.
            step = 100
            for k in range(0, len(reports), step):
                last = k + step >= len(reports)
                part = reports[k : k + step]
                self._ctx.pacing.idle.wait(0.25)  # never beside a cycle
                with self._ctx.lock:
                    turns = self._ctx.picture.turn_states(r.key for r in part)
                advice = self.advice()
                states = [_state(r, turn, advice.get(r.key)) for r, turn in zip(part, turns, strict=True)]
                self._ctx.store.save_states(states, through_seq=through if last else None)
                if not last:
                    time.sleep(0.002)  # the record's appends, waiting on the write lock, go first
        except Exception:
            with self._lock:  # keep them for the next save (newer states win)
                for key, r in batch.items():
                    self._unsaved.setdefault(key, r)
            raise

    def loop(self) -> None:
        """Save every ``state_save_s`` until the hub stops."""
        self._ctx.every(self._ctx.settings.state_save_s, self.save, "could not save the latest states")


def _turn(value: Any) -> list[float] | None:
    """A saved track-rate state: four finite numbers, else none (a state saved without one)."""
    if not isinstance(value, list) or len(value) != 4:
        return None
    if not all(isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x) for x in value):
        return None
    return [float(x) for x in value]


def _advice(key: str, party: str, value: Any) -> Advisory | None:
    """A saved advisory in force, ``[trk_deg or null, vs_fpm or null, rule]``; None when there is
    none, or it is damaged (a rule the resolver does not know, a channel that is not a finite
    number in range, no instruction at all except ``follow-tcas``)."""
    if not isinstance(value, list) or len(value) != 3 or value[2] not in RULES:
        return None
    trk, vs, rule = value

    def channel(x: Any, lo: float, hi: float) -> bool:
        if x is None:
            return True
        return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x) and lo <= x <= hi

    if not (channel(trk, 0.0, 360.0) and channel(vs, -10_000.0, 10_000.0)):
        return None
    if trk is None and vs is None and rule != "follow-tcas":
        return None
    return Advisory(
        key,
        party,
        cast(Rule, rule),
        "",
        None if trk is None else float(trk) % 360.0,
        None if vs is None else float(vs),
    )


def _state(r: Report, turn: Sequence[float] | None = None, advice: Advisory | None = None) -> AircraftState:
    fields: tuple[tuple[str, JsonValue], ...] = (
        ("squawk", r.squawk),
        ("emergency", r.emergency),
        ("callsign", r.callsign),
        ("on_ground", r.on_ground),
        ("sel_alt_m", r.sel_alt_m),
        ("turn", None if turn is None else list(turn)),
        ("advice", None if advice is None else [advice.trk_deg, advice.vs_fpm, advice.rule]),
    )
    extra = {k: v for k, v in fields if v is not None}
    return AircraftState(
        aircraft_id=fleet_key(r.party, r.aircraft_id),  # party-qualified: ids never collide across parties
        party=r.party,
        t=r.t,
        lat_deg=r.lat_deg,
        lon_deg=r.lon_deg,
        alt_m=r.alt_m,
        gs_mps=r.gs_mps,
        trk_deg=r.trk_deg,
        vs_mps=r.vs_mps,
        extra=extra,
    )
