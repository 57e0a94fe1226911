"""The live traffic picture behind the hub: latest reports, detection cycles, alerts and distress.

Pure domain logic: no HTTP, no SQL, no clock (every method takes ``now``). The hub feeds it the
reports parties send, runs :meth:`Picture.cycle` whenever something changed (and on a timer for
coasting and distress re-sends), and publishes the events a cycle returns, after they have passed
the need-to-know filter (:mod:`airdecon.needtoknow`).

Aircraft are keyed by ``(party, aircraft id)``: two parties may use the same id without their
aircraft ever being confused, and without a report revealing whether another party uses that id.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from airdecon.alerting import AlertEvent, AlertTracker
from airdecon.detection import ConflictSet, detect
from airdecon.errors import InputError, RecordError
from airdecon.protocol import SafetyProtocol
from airdecon.state import LIMITS, Fleet
from airdecon.units import FPM, FT, KT

__all__ = ["DistressCase", "Picture", "Report", "Track", "fleet_key", "parse_report"]

_SQUAWK = re.compile(r"^[0-7]{4}$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,39}$")
_EARTH_R = 6_371_008.8

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


def fleet_key(party: str, aircraft_id: str) -> str:
    """The internal, party-qualified id of an aircraft (never shown to other parties)."""
    return f"{party}/{aircraft_id}"


@dataclass(frozen=True)
class Report:
    """One validated state report of one aircraft, SI units, POSIX time ``t``."""

    aircraft_id: str
    party: str
    t: float
    lat_deg: float
    lon_deg: float
    alt_m: float
    gs_mps: float
    trk_deg: float
    vs_mps: float = 0.0
    squawk: str | None = None
    emergency: int | None = None
    callsign: str | None = None
    on_ground: bool = False

    def to_json(self) -> dict[str, Any]:
        """The report in the wire's aviation units (for the record and the owner's view)."""
        return {
            "id": self.aircraft_id,
            "t": self.t,
            "lat": self.lat_deg,
            "lon": self.lon_deg,
            "alt_ft": self.alt_m / FT,
            "gs_kt": self.gs_mps / KT,
            "trk_deg": self.trk_deg,
            "vs_fpm": self.vs_mps / FPM,
            "squawk": self.squawk,
            "emergency": self.emergency,
            "callsign": self.callsign,
            "on_ground": self.on_ground,
        }


_REPORT_FIELDS = {
    "id",
    "lat",
    "lon",
    "alt_ft",
    "gs_kt",
    "trk_deg",
    "vs_fpm",
    "t",
    "squawk",
    "emergency",
    "callsign",
    "on_ground",
    "party",
}


_NUMERIC = ("lat", "lon", "alt_ft", "gs_kt", "trk_deg", "vs_fpm")
_REQUIRED = ("lat", "lon", "alt_ft", "gs_kt", "trk_deg")


def parse_report(raw: object, party: str, now: float, *, max_skew_s: float, index: int = 0) -> Report:
    """Validate one report (scenario fields plus optional ``t``, ``squawk``, ``emergency``, ``callsign``,
    ``on_ground``), with the same limits as :class:`~airdecon.state.Fleet` (``LIMITS``).

    Plain Python on purpose: a hub validates tens of thousands of reports a second, one by one,
    so that a bad report is refused alone and names its own field.

    Raises
    ------
    RecordError
        Naming the report (its id, or ``#index``) and the field.
    """
    where = f"#{index}"
    if not isinstance(raw, Mapping):
        raise RecordError(where, "<report>", type(raw).__name__, "each report must be an object")
    rid = raw.get("id")
    if isinstance(rid, str) and _ID.match(rid):
        where = rid
    for key in raw:
        if key not in _REPORT_FIELDS:
            raise RecordError(where, str(key), None, f"unknown field (known: {sorted(_REPORT_FIELDS)})")
    if "party" in raw and raw["party"] != party:
        raise RecordError(where, "party", None, "a party may only report its own aircraft")
    if not isinstance(rid, str) or not _ID.match(rid):
        raise RecordError(where, "id", rid, "must be 1-40 characters of A-Z a-z 0-9 _ . : / - ")
    vals: dict[str, float] = {}
    for name in _NUMERIC:
        v = raw.get(name)
        if v is None:
            if name in _REQUIRED:
                raise RecordError(where, name, None, "missing")
            v = 0.0
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise RecordError(where, name, v, "must be a number")
        f = float(v)
        if not math.isfinite(f):
            raise RecordError(where, name, v, "must be a finite number")
        lim = LIMITS.get(name)
        if lim is not None and not lim[0] <= f <= lim[1]:
            raise RecordError(where, name, f, f"out of range [{lim[0]:g}, {lim[1]:g}]")
        vals[name] = f
    t = raw.get("t", now)
    if isinstance(t, bool) or not isinstance(t, int | float) or not math.isfinite(t):
        raise RecordError(where, "t", t, "must be a finite number of POSIX seconds")
    if abs(float(t) - now) > max_skew_s:
        raise RecordError(where, "t", t, f"more than {max_skew_s:g} s from the hub's clock")
    squawk = raw.get("squawk")
    if squawk is not None:
        if isinstance(squawk, int) and not isinstance(squawk, bool):
            squawk = f"{squawk:04d}"
        if not isinstance(squawk, str) or not _SQUAWK.match(squawk):
            raise RecordError(where, "squawk", squawk, "must be a 4-digit octal code")
    emergency = raw.get("emergency")
    if emergency is not None and (
        isinstance(emergency, bool) or not isinstance(emergency, int) or not 0 <= emergency <= 7
    ):
        raise RecordError(where, "emergency", emergency, "must be an ADS-B emergency status 0-7")
    callsign = raw.get("callsign")
    if callsign is not None and (not isinstance(callsign, str) or len(callsign) > 16):
        raise RecordError(where, "callsign", callsign, "must be a string of at most 16 characters")
    on_ground = raw.get("on_ground", False)
    if not isinstance(on_ground, bool):
        raise RecordError(where, "on_ground", on_ground, "must be true or false")
    lon = vals["lon"]
    if not -180.0 <= lon < 180.0:
        lon = (lon + 180.0) % 360.0 - 180.0
    return Report(
        aircraft_id=rid,
        party=party,
        t=float(t),
        lat_deg=vals["lat"],
        lon_deg=lon,
        alt_m=vals["alt_ft"] * FT,
        gs_mps=vals["gs_kt"] * KT,
        trk_deg=vals["trk_deg"] % 360.0,
        vs_mps=vals["vs_fpm"] * FPM,
        squawk=squawk,
        emergency=emergency,
        callsign=callsign,
        on_ground=on_ground,
    )


@dataclass
class Track:
    """The latest report of one aircraft and when the hub received it."""

    report: Report
    received: float
    key: str = ""

    def __post_init__(self) -> None:
        if not self.key:
            self.key = fleet_key(self.report.party, self.report.aircraft_id)


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
        self.tracks: dict[str, Track] = {}
        self.alerts = AlertTracker.for_protocol(protocol)
        self.distress: dict[str, DistressCase] = {}
        self._distress_by_key: dict[str, str] = {}
        self._squawks = frozenset(distress_squawks)
        self._status = frozenset(distress_status)
        self.ack_s = acknowledge_within_s
        self.escalate_s = escalate_after_s
        self._next_distress = 1
        self.last_fleet: Fleet = Fleet.empty()
        self.last_conflicts: ConflictSet = detect(Fleet.empty(), protocol)

    # ------------------------------------------------------------------ inputs
    def apply(self, reports: Iterable[Report], now: float) -> list[DistressCase]:
        """Take validated reports; return distress cases that these reports raised."""
        raised = []
        for r in reports:
            key = fleet_key(r.party, r.aircraft_id)
            old = self.tracks.get(key)
            if old is not None and old.report.t > r.t:
                continue  # out of order: keep the newer state
            self.tracks[key] = Track(r, now, key)
            reason = self._distress_reason(r)
            if reason and key not in self._distress_by_key:
                raised.append(self.declare_distress(r.party, r.aircraft_id, reason, now))
        return raised

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

    def close_distress(self, party: str, distress_id: str) -> DistressCase:
        """The owning party ends a distress case (distress traffic ended)."""
        case = self.distress.get(distress_id)
        if case is None or case.party != party:
            raise InputError(f"unknown distress {distress_id!r}")
        case.closed = True
        self._distress_by_key.pop(case.key, None)
        return case

    # ------------------------------------------------------------------ the cycle
    def snapshot(self, now: float) -> tuple[Fleet, list[Track]]:
        """Airborne tracks extrapolated to *now* (coasted ones with growing uncertainty), and the
        tracks dropped for staleness (removed from the picture)."""
        p = self.protocol
        lost = [tr for tr in self.tracks.values() if now - tr.report.t > p.drop_s]  # (rare)
        for tr in lost:
            del self.tracks[tr.key]
        keys = [k for k, tr in self.tracks.items() if not tr.report.on_ground]
        n = len(keys)
        if n == 0:
            return Fleet.empty(), lost
        reps = [self.tracks[k].report for k in keys]
        cols = np.array([(r.t, r.lat_deg, r.lon_deg, r.alt_m, r.gs_mps, r.trk_deg, r.vs_mps) for r in reps])
        age = np.maximum(now - cols[:, 0], 0.0)
        lat, lon = np.radians(cols[:, 1]), np.radians(cols[:, 2])
        gs, trk, vs = cols[:, 4], np.radians(cols[:, 5]), cols[:, 6]
        alt = cols[:, 3] + vs * age
        # straight-line extrapolation along the track (great circle; ages are seconds to a minute)
        d = gs * age / _EARTH_R
        lat2 = np.arcsin(np.sin(lat) * np.cos(d) + np.cos(lat) * np.sin(d) * np.cos(trk))
        lon2 = lon + np.arctan2(np.sin(trk) * np.sin(d) * np.cos(lat), np.cos(d) - np.sin(lat) * np.sin(lat2))
        stale = np.maximum(age - p.stale_s, 0.0)
        ids = np.empty(n, dtype=object)
        ids[:] = keys
        party = np.empty(n, dtype=object)
        party[:] = [r.party for r in reps]
        # every value was validated when its report was parsed: build the fleet without re-checking
        fleet = Fleet(
            ids=ids,
            party=party,
            lat_deg=np.clip(np.degrees(lat2), -90.0, 90.0),
            lon_deg=(np.degrees(lon2) + 180.0) % 360.0 - 180.0,
            alt_m=np.clip(alt, -2000 * FT, 200_000 * FT),
            gs_mps=gs,
            trk_deg=cols[:, 5],
            vs_mps=vs,
            pos_err_m=stale * np.maximum(gs, 50.0) * 0.1,  # coasting: 10 % of the distance flown blind
        )
        return fleet, lost

    def cycle(self, now: float) -> CycleResult:
        """Detect on the current picture; update alerts and distress timers."""
        fleet, lost = self.snapshot(now)
        conflicts = detect(fleet, self.protocol)
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
        return CycleResult(fleet, conflicts, events, lost, dist)

    def missing_acks(self, case: DistressCase) -> list[str]:
        """Parties that have not acknowledged *case* yet (set by the hub: ``parties``)."""
        return [p for p in self.parties if p not in case.acks]

    parties: tuple[str, ...] = ()

    def track_of(self, key: str) -> Track | None:
        """The track with this party-qualified key."""
        return self.tracks.get(key)
