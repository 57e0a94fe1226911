"""The live traffic picture behind the hub: latest reports, detection cycles, alerts and distress.

Pure domain logic: no HTTP, no SQL, no clock (every method takes ``now``). The hub feeds it the
reports parties send, runs :meth:`Picture.cycle` whenever something changed (and on a timer for
coasting and distress re-sends), and publishes the events a cycle returns, after they have passed
the need-to-know filter (:mod:`airdecon.needtoknow`). What a cycle detects on is each aircraft's
latest report flown on to ``now`` by :func:`airdecon.state.predict_fleet`: the same model the replay
tracker uses, so ``airdecon replay`` measures the picture the hub runs. It carries each aircraft's
reported selected altitude and the track rate of a steady turn, measured from its successive reports
as the tracker measures it (:func:`airdecon.state.turn_update`), for detection's hypotheses.

Aircraft are keyed by ``(party, aircraft id)``: two parties may use the same id without their
aircraft ever being confused, and without a report revealing whether another party uses that id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from airdecon.alerting import AlertEvent, AlertTracker
from airdecon.detection import ConflictSet, detect
from airdecon.errors import InputError
from airdecon.hub._quarantine import Quarantine
from airdecon.hub._reports import Report, fleet_key
from airdecon.protocol import SafetyProtocol
from airdecon.state import Fleet, is_lost, predict_fleet, turn_updates

__all__ = ["CycleResult", "DistressCase", "Picture", "Track"]

_COLS = 12
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
class Track:
    """The latest report of one aircraft and when the hub received it."""

    report: Report
    received: float
    key: str = ""

    def __post_init__(self) -> None:
        if not self.key:
            self.key = fleet_key(self.report.party, self.report.aircraft_id)


class _Table:
    """The latest report of every aircraft, one row each, kept in columns so that a cycle reads
    the whole picture with a few array copies. Rows of dropped aircraft are reused."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.reports: list[Report | None] = []
        # t, lat_deg, lon_deg, alt_m, gs_mps, trk_deg, vs_mps, sel_alt_m, then the track rate's
        # state (airdecon.state.turn_update): t0, trk0, rate, turn_dps
        self.num = np.zeros((0, _COLS))
        self.received = np.zeros(0)
        self.live = np.zeros(0, dtype=bool)
        self.airborne = np.zeros(0, dtype=bool)
        self.keys = np.empty(0, dtype=object)
        self.party = np.empty(0, dtype=object)
        self.free: list[int] = []
        self.counts: dict[str, int] = {}

    def add(self, key: str, party: str) -> int:
        if self.free:
            i = self.free.pop()
        else:
            i = len(self.reports)
            self.reports.append(None)
            if i >= len(self.received):
                self._grow(max(64, 2 * len(self.received)))
        self.index[key] = i
        self.keys[i], self.party[i], self.live[i] = key, party, True
        self.counts[party] = self.counts.get(party, 0) + 1
        return i

    def _grow(self, cap: int) -> None:
        n = len(self.received)
        num = np.zeros((cap, _COLS))
        num[:n] = self.num
        self.num = num
        for name, dtype in (
            ("received", float),
            ("live", bool),
            ("airborne", bool),
            ("keys", object),
            ("party", object),
        ):
            old = getattr(self, name)
            new = np.zeros(cap, dtype=dtype) if dtype is not object else np.empty(cap, dtype=object)
            new[:n] = old
            setattr(self, name, new)

    def remove(self, i: int) -> None:
        key = self.keys[i]
        del self.index[key]
        self.counts[self.party[i]] -= 1
        self.reports[i] = None
        self.keys[i] = self.party[i] = None
        self.live[i] = self.airborne[i] = False
        self.free.append(i)

    def track(self, i: int) -> Track:
        rep = self.reports[i]
        assert rep is not None
        return Track(rep, float(self.received[i]), str(self.keys[i]))


class _Tracks(Mapping[str, "Track"]):
    """Read-only ``{fleet key: Track}`` view of the table (tracks are made on demand)."""

    def __init__(self, table: _Table) -> None:
        self._t = table

    def __getitem__(self, key: str) -> Track:
        return self._t.track(self._t.index[key])

    def __contains__(self, key: object) -> bool:
        return key in self._t.index

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._t.index))

    def __len__(self) -> int:
        return len(self._t.index)


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
        self._table = _Table()
        self.tracks: Mapping[str, Track] = _Tracks(self._table)
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
        self, reports: Iterable[Report], now: float, *, raise_distress: bool = True
    ) -> list[DistressCase]:
        """Take validated reports; return distress cases that these reports raised.

        A report older than the aircraft's current one is ignored. ``raise_distress=False`` only
        loads states (a restart: distress cases come back from the record).
        """
        tab = self._table
        index, stored = tab.index, tab.reports
        raised: list[DistressCase] = []
        rows: list[int] = []
        vals: list[tuple[float, ...]] = []
        ground: list[bool] = []
        new: list[int] = []
        nan = float("nan")
        for r in reports:
            key = f"{r.party}/{r.aircraft_id}"
            i = index.get(key)
            if i is None:
                i = tab.add(key, r.party)
                new.append(len(rows))
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
            turn = tab.num[at, 8:12]
            turn[new] = np.column_stack([v[new, 0], v[new, 5], np.zeros((len(new), 2))])
            v = np.concatenate([v, turn_updates(turn, v[:, 0], v[:, 5])], axis=1)
            tab.num[at] = v  # repeated rows: the last (newest) assignment wins
            tab.received[at] = now
            tab.airborne[at] = ~np.array(ground, dtype=bool)
        return raised

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
