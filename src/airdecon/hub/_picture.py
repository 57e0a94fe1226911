"""The live traffic picture behind the hub: latest reports, detection cycles, alerts and distress.

Pure domain logic: no HTTP, no SQL, no clock (every method takes ``now``). The hub feeds it the
reports parties send, runs :meth:`Picture.cycle` whenever something changed (and on a timer for
coasting and distress re-sends), and publishes the events a cycle returns, after they have passed
the need-to-know filter (:mod:`airdecon.needtoknow`). What a cycle detects on is each aircraft's
latest report flown on to ``now`` by :func:`airdecon.state.predict_fleet`: the same model the replay
tracker uses, so ``airdecon replay`` measures the picture the hub runs. It carries each aircraft's
reported selected altitude and the track rate of a steady turn, measured from its successive reports
as the tracker measures it (:func:`airdecon.state.turn_update`), for detection's hypotheses; the
track-rate state is kept across a restart (:meth:`Picture.turn_states`, ``apply(turns=...)``).
The reports and that state are kept in :mod:`airdecon.hub._table`.

Aircraft are keyed by ``(party, aircraft id)``: two parties may use the same id without their
aircraft ever being confused, and without a report revealing whether another party uses that id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from airdecon.alerting import AlertEvent, AlertTracker
from airdecon.detection import ConflictSet, detect
from airdecon.errors import InputError
from airdecon.hub._quarantine import Quarantine
from airdecon.hub._reports import Report, fleet_key
from airdecon.hub._table import TURN, Table, Track, Tracks
from airdecon.protocol import SafetyProtocol
from airdecon.state import Fleet, is_lost, predict_fleet, turn_updates

__all__ = ["CycleResult", "DistressCase", "Picture", "Track"]  # Track: re-exported from _table

DEFAULT_DISTRESS_SQUAWKS = ("7500", "7600", "7700")
DEFAULT_DISTRESS_STATUS = (1, 2, 3, 4, 5, 6)
SQUAWK_MEANING = {"7500": "unlawful interference", "7600": "radio failure", "7700": "emergency"}
STATUS_MEANING = {
    1: "general emergency",
    2: "lifeguard / medical",
    3: "minimum fuel",
    4: "no communications",
    5: "unlawful interference",
    6: "downed aircraft",
}


@dataclass
class DistressCase:
    """An aircraft in distress, broadcast to every party until each acknowledges it."""

    distress_id: str
    key: str
    party: str
    aircraft_id: str
    reason: str
    raised_at: float
    acks: dict[str, float] = field(default_factory=dict)
    sends: int = 1
    last_sent: float = 0.0
    escalated: bool = False
    closed: bool = False


@dataclass(frozen=True)
class CycleResult:
    """What one detection cycle produced, before disclosure."""

    fleet: Fleet
    conflicts: ConflictSet
    alert_events: list[AlertEvent]
    lost: list[Track]
    distress_events: list[tuple[str, DistressCase]]  # ("raised" | "resent" | "escalated", case)
    left_out: tuple[str, ...] = ()  # aircraft the engine raised on, left out of this cycle
    detect_error: Exception | None = None


class Picture:
    """The hub's live picture of every party's aircraft.

    Parameters
    ----------
    protocol : SafetyProtocol
        Minima, look-ahead, thresholds, staleness limits.
    distress_squawks, distress_status : iterables
        Codes that mean distress (from the protocol document).
    acknowledge_within_s, escalate_after_s : float
        Distress re-send and escalation deadlines.

    Not thread-safe: the hub serialises access.
    """

    def __init__(
        self,
        protocol: SafetyProtocol,
        *,
        distress_squawks: Iterable[str] = DEFAULT_DISTRESS_SQUAWKS,
        distress_status: Iterable[int] = DEFAULT_DISTRESS_STATUS,
        acknowledge_within_s: float = 30.0,
        escalate_after_s: float = 120.0,
    ) -> None:
        self.protocol = protocol
        self._table = Table()
        self.tracks: Mapping[str, Track] = Tracks(self._table)
        self.alerts = AlertTracker.for_protocol(protocol)
        self.distress: dict[str, DistressCase] = {}
        self._distress_by_key: dict[str, str] = {}
        self._squawks = frozenset(distress_squawks)
        self._status = frozenset(distress_status)
        self.ack_s = acknowledge_within_s
        self.escalate_s = escalate_after_s
        self._next_distress = 1
        self.last_fleet: Fleet = Fleet.empty()
        self.quarantine = Quarantine()
        self.last_conflicts: ConflictSet = detect(Fleet.empty(), protocol)

    # ------------------------------------------------------------------ inputs
    def apply(
        self,
        reports: Iterable[Report],
        now: float,
        *,
        raise_distress: bool = True,
        turns: Sequence[Sequence[float] | None] | None = None,
    ) -> list[DistressCase]:
        """Take validated reports; return distress cases that these reports raised.

        A report older than the aircraft's current one is ignored. ``raise_distress=False`` only
        loads states (a restart: distress cases come back from the record). *turns*, one per
        report (a restart): the track-rate state (:meth:`turn_states`) an aircraft new to the
        picture starts from, instead of none.
        """
        tab = self._table
        index, stored = tab.index, tab.reports
        raised: list[DistressCase] = []
        rows: list[int] = []
        vals: list[tuple[float, ...]] = []
        ground: list[bool] = []
        new: list[int] = []
        nan = float("nan")
        given: list[tuple[int, Sequence[float]]] = []
        for k, r in enumerate(reports):
            key = f"{r.party}/{r.aircraft_id}"
            i = index.get(key)
            if i is None:
                i = tab.add(key, r.party)
                new.append(len(rows))
                if turns is not None and turns[k] is not None:
                    given.append((len(rows), turns[k]))  # type: ignore[arg-type]
            elif stored[i].t > r.t:  # type: ignore[union-attr]
                continue  # out of order: keep the newer state
            stored[i] = r
            rows.append(i)
            sel = nan if r.sel_alt_m is None else r.sel_alt_m
            vals.append((*r[2:9], sel))  # t, lat, lon, alt, gs, trk, vs, sel
            ground.append(r.on_ground)
            if raise_distress and (r.squawk is not None or r.emergency is not None):
                reason = self._distress_reason(r)
                if reason and key not in self._distress_by_key:
                    raised.append(self.declare_distress(r.party, r.aircraft_id, reason, now))
        if rows:
            at = np.array(rows, dtype=np.intp)
            v = np.array(vals, dtype=np.float64)
            turn = tab.num[at, TURN]
            turn[new] = np.column_stack([v[new, 0], v[new, 5], np.zeros((len(new), 2))])
            for row, state in given:
                turn[row] = state
            v = np.concatenate([v, turn_updates(turn, v[:, 0], v[:, 5])], axis=1)
            tab.num[at] = v  # repeated rows: the last (newest) assignment wins
            tab.received[at] = now
            tab.airborne[at] = ~np.array(ground, dtype=bool)
        return raised

    def turn_states(self, keys: Iterable[str]) -> list[tuple[float, float, float, float] | None]:
        """The track-rate state (:func:`airdecon.state.turn_update`: last sampled time and track,
        latest rate, steady-turn rate) of each aircraft by fleet key, None for one not in the
        picture: what a restart needs to go on measuring turns without starting again."""
        tab = self._table
        out: list[tuple[float, float, float, float] | None] = []
        for key in keys:
            i = tab.index.get(key)
            if i is None:
                out.append(None)
                continue
            t, trk, rate, steady = (float(x) for x in tab.num[i, TURN])  # TURN is four columns
            out.append((t, trk, rate, steady))
        return out

    def count(self, party: str) -> int:
        """How many aircraft of *party* the picture holds."""
        return self._table.counts.get(party, 0)

    def reports(self) -> Iterator[Report]:
        """The latest report of every aircraft in the picture."""
        return (r for r in self._table.reports if r is not None)

    def _distress_reason(self, r: Report) -> str | None:
        if r.squawk in self._squawks:
            return f"squawk {r.squawk} ({SQUAWK_MEANING.get(r.squawk, 'distress')})"
        if r.emergency in self._status:
            return f"ADS-B emergency status {r.emergency} ({STATUS_MEANING.get(r.emergency or 0, '')})"
        return None

    def declare_distress(self, party: str, aircraft_id: str, reason: str, now: float) -> DistressCase:
        """Open a distress case for one of *party*'s aircraft (idempotent while one is open).

        Raises
        ------
        InputError
            When *party* has no such aircraft (the message reveals nothing of other parties).
        """
        key = fleet_key(party, aircraft_id)
        if key not in self.tracks:
            raise InputError(f"unknown aircraft {aircraft_id!r}: report its position first")
        existing = self._distress_by_key.get(key)
        if existing:
            return self.distress[existing]
        case = DistressCase(
            distress_id=f"D-{self._next_distress}",
            key=key,
            party=party,
            aircraft_id=aircraft_id,
            reason=reason,
            raised_at=now,
            last_sent=now,
        )
        self._next_distress += 1
        case.acks[party] = now  # the party in distress knows it
        self.distress[case.distress_id] = case
        self._distress_by_key[key] = case.distress_id
        return case

    def acknowledge(self, party: str, distress_id: str, now: float) -> DistressCase:
        """Record *party*'s acknowledgement of a distress case."""
        case = self.distress.get(distress_id)
        if case is None:
            raise InputError(f"unknown distress {distress_id!r}")
        case.acks.setdefault(party, now)
        return case

    def open_distress_of(self, key: str) -> str | None:
        """The id of the open distress case of aircraft *key* (fleet key), if any."""
        return self._distress_by_key.get(key)

    def distress_keys(self) -> frozenset[str]:
        """Fleet keys of the aircraft with an open distress case."""
        return frozenset(self._distress_by_key)

    def restore_distress(self, case: DistressCase) -> None:
        """Put back an open case read from the record (after a restart); ids continue after it."""
        self.distress[case.distress_id] = case
        self._distress_by_key[case.key] = case.distress_id
        self._next_distress = max(self._next_distress, int(case.distress_id.split("-")[-1]) + 1)

    def close_distress(self, party: str, distress_id: str) -> DistressCase:
        """The owning party ends a distress case (distress traffic ended)."""
        case = self.distress.get(distress_id)
        if case is None or case.party != party:
            raise InputError(f"unknown distress {distress_id!r}")
        self.closed_distress(case)
        return case

    def closed_distress(self, case: DistressCase) -> None:
        """Mark *case* closed (its aircraft may declare again)."""
        case.closed = True
        self._distress_by_key.pop(case.key, None)

    # ------------------------------------------------------------------ the cycle
    def snapshot(self, now: float) -> tuple[Fleet, list[Track]]:
        """Airborne tracks extrapolated to *now* (coasted ones with growing uncertainty), and the
        tracks dropped for staleness (removed from the picture).

        The prediction is :func:`airdecon.state.predict_fleet`, the model replay scores too."""
        p = self.protocol
        tab = self._table
        n = len(tab.reports)
        gone = np.flatnonzero(tab.live[:n] & is_lost(tab.num[:n, 0], now, p.drop_s))  # (rare)
        # by key: the rows a track held depend on other parties' fleets, its loss's place must not
        lost = sorted((tab.track(int(i)) for i in gone), key=lambda tr: tr.key)
        for i in gone:
            tab.remove(int(i))
        sel = np.flatnonzero(tab.airborne[:n])
        if len(sel) == 0:
            return Fleet.empty(), lost
        cols = tab.num[sel]  # t, lat_deg, lon_deg, alt_m, gs_mps, trk_deg, vs_mps
        # every value was validated when its report was parsed: the fleet is built unchecked
        fleet = predict_fleet(
            ids=tab.keys[sel],
            party=tab.party[sel],
            t_obs=cols[:, 0],
            lat_deg=cols[:, 1],
            lon_deg=cols[:, 2],
            alt_m=cols[:, 3],
            gs_mps=cols[:, 4],
            trk_deg=cols[:, 5],
            vs_mps=cols[:, 6],
            t=now,
            stale_s=p.stale_s,
            sel_alt_m=cols[:, 7],
            turn_dps=cols[:, 11],
        )
        return fleet, lost

    def cycle(self, now: float) -> CycleResult:
        """Detect on the current picture; update alerts and distress timers."""
        fleet, lost = self.snapshot(now)
        budget = None if self.own_budget is None else self.own_budget()
        fleet, conflicts = self.quarantine.detect(
            fleet, lambda f: detect(f, self.protocol, own_budget=budget))
        if self.bound_conflicts is not None:
            conflicts = self.bound_conflicts(conflicts, fleet.party)
        events = self.alerts.update(now, conflicts, gone=[tr.key for tr in lost])
        self.last_fleet, self.last_conflicts = fleet, conflicts
        dist: list[tuple[str, DistressCase]] = []
        for case in self.distress.values():
            if case.closed:
                continue
            missing = self.missing_acks(case)
            if not missing:
                continue
            if not case.escalated and now - case.raised_at >= self.escalate_s:
                case.escalated = True
                dist.append(("escalated", case))
            elif now - case.last_sent >= self.ack_s:
                case.sends += 1
                case.last_sent = now
                dist.append(("resent", case))
        q = self.quarantine
        return CycleResult(fleet, conflicts, events, lost, dist, q.left_out, q.error)

    def missing_acks(self, case: DistressCase) -> list[str]:
        """Parties that have not acknowledged *case* yet (set by the hub: ``parties``)."""
        return [p for p in self.parties if p not in case.acks]

    parties: tuple[str, ...] = ()
    #: set by the hub: the per-party bound on conflicts alerted (``ReportGuard.bound_own_pairs``)
    bound_conflicts: Callable[[ConflictSet, Any], ConflictSet] | None = None
    #: set by the hub: each party's detection budget for its own pairs (``ReportGuard.own_budget``)
    own_budget: Callable[[], Mapping[str, int]] | None = None

    def track_of(self, key: str) -> Track | None:
        """The track with this party-qualified key."""
        return self.tracks.get(key)
