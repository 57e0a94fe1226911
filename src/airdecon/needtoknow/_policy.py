"""Need to know: the one place that decides what each party may see.

Every face of the hub (HTTP responses, the WebSocket stream, error messages, exports) builds what it
sends a party through this module. The rule, from the memorandum behind airdecon ("no intelligence
and no target information"):

* a party sees **its own aircraft** in full;
* **civil traffic** is public (it broadcasts its own position anyway);
* of another party's aircraft it sees **only** what a current alert involving one of its own
  aircraft requires — the threat's position (absolute and relative to its own aircraft), altitude,
  track and ground speed, under an alert-scoped pseudonym (``threat:AL-7``), for the alert's
  lifetime — and aircraft **in distress**, which every party must be able to help.

Never callsigns, types, routes, history or counts of another party's aircraft beyond that.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from airdecon.units import FPM, FT, KT, NM

__all__ = ["Disclosure", "threat_ref"]


def threat_ref(alert_id: str) -> str:
    """The pseudonym under which a threat is shown for the lifetime of one alert."""
    return f"threat:{alert_id}"


def _bearing_range(lat1: float, lon1: float, lat2: float, lon2: float) -> tuple[float, float]:
    """Initial great-circle bearing (deg) and distance (NM) from point 1 to point 2 (sphere)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    brg = (math.degrees(math.atan2(y, x)) + 360.0) % 360.0
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    dist_m = 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(h)))
    return brg, dist_m / NM


@dataclass(frozen=True)
class StateView:
    """Position and kinematics of an aircraft at one time (SI inside, aviation units out)."""

    lat_deg: float
    lon_deg: float
    alt_m: float
    gs_mps: float
    trk_deg: float
    vs_mps: float

    def public(self) -> dict[str, float]:
        return {
            "lat": round(self.lat_deg, 6),
            "lon": round(self.lon_deg, 6),
            "alt_ft": round(self.alt_m / FT, 1),
            "gs_kt": round(self.gs_mps / KT, 1),
            "trk_deg": round(self.trk_deg, 1),
        }


class Disclosure:
    """What each party may see.

    Parameters
    ----------
    parties : iterable of str
        Every party on the line.
    civil : iterable of str
        The parties whose aircraft are civil traffic (public).
    frequencies_mhz : iterable of float
        Common distress frequencies, quoted in every distress broadcast.
    """

    def __init__(
        self, parties: Iterable[str], civil: Iterable[str], frequencies_mhz: Iterable[float]
    ) -> None:
        self.parties = tuple(sorted(parties))
        self.civil = frozenset(civil)
        self.frequencies_mhz = tuple(frequencies_mhz)

    def is_civil(self, party: str) -> bool:
        """Whether *party*'s aircraft are civil traffic."""
        return party in self.civil

    # ------------------------------------------------------------------ tracks
    def own_track(self, report: Mapping[str, Any]) -> dict[str, Any]:
        """A party's own aircraft: everything it reported."""
        return {"kind": "own", **report}

    def civil_track(self, report: Mapping[str, Any]) -> dict[str, Any]:
        """Civil traffic: public identity and state (no on-board extras)."""
        keep = ("id", "t", "lat", "lon", "alt_ft", "gs_kt", "trk_deg", "vs_fpm", "callsign", "squawk")
        return {"kind": "civil", **{k: report[k] for k in keep if k in report}}

    def threat_track(self, alert_id: str, state: StateView, own: StateView | None) -> dict[str, Any]:
        """Another party's aircraft, disclosed for one alert: pseudonym, position, altitude, track, speed."""
        out: dict[str, Any] = {"kind": "threat", "ref": threat_ref(alert_id), "alert_id": alert_id}
        out.update(state.public())
        if own is not None:
            brg, rng = _bearing_range(own.lat_deg, own.lon_deg, state.lat_deg, state.lon_deg)
            out["relative"] = {
                "bearing_deg": round(brg, 1),
                "range_nm": round(rng, 3),
                "dalt_ft": round((state.alt_m - own.alt_m) / FT, 0),
            }
        return out

    def distress_track(self, case_id: str, party: str, aircraft_id: str, state: StateView) -> dict[str, Any]:
        """An aircraft in distress: every party sees who, where, and the frequencies to call on."""
        return {
            "kind": "distress",
            "distress_id": case_id,
            "party": party,
            "id": aircraft_id,
            **state.public(),
            "vs_fpm": round(state.vs_mps / FPM, 0),
        }

    # ------------------------------------------------------------------ alerts
    def alert_payloads(
        self,
        *,
        event: Mapping[str, Any],
        side_a: tuple[str, str, StateView],
        side_b: tuple[str, str, StateView],
        advisories: Mapping[str, Any],
        cpa: Mapping[str, float] | None,
    ) -> list[tuple[frozenset[str], dict[str, Any]]]:
        """The alert as each involved party may see it: ``[(audience, payload), ...]``.

        Parameters
        ----------
        event : mapping
            The alert lifecycle event (kind, alert_id, level, times, distances), no identities.
        side_a, side_b : (party, aircraft id, state)
            The two aircraft.
        advisories : mapping
            Advisory per party-qualified key ``party/id``: each party only ever gets its own.
        cpa : mapping or None
            Predicted closest-approach point ``{"lat", "lon"}`` (a point in space, no identity).
        """
        out: list[tuple[frozenset[str], dict[str, Any]]] = []
        alert_id = str(event["alert_id"])
        sides = [side_a, side_b]
        parties = {side_a[0], side_b[0]}
        if len(parties) == 1:
            # both aircraft belong to one party (it asked for its own pairs to be watched)
            party = side_a[0]
            payload = dict(event)
            payload["own"] = [
                {"id": s[1], **s[2].public(), "advisory": advisories.get(f"{s[0]}/{s[1]}")} for s in sides
            ]
            payload["threat"] = None
            payload["cpa"] = dict(cpa) if cpa else None
            return [(frozenset([party]), payload)]
        for me, other in ((side_a, side_b), (side_b, side_a)):
            payload = dict(event)
            payload["own"] = [{"id": me[1], **me[2].public(), "advisory": advisories.get(f"{me[0]}/{me[1]}")}]
            if event.get("kind") == "cleared":
                payload["threat"] = {"ref": threat_ref(alert_id)}
            elif self.is_civil(other[0]):
                payload["threat"] = {**self.threat_track(alert_id, other[2], me[2]), "civil_id": other[1]}
            else:
                payload["threat"] = self.threat_track(alert_id, other[2], me[2])
            payload["cpa"] = dict(cpa) if cpa else None
            out.append((frozenset([me[0]]), payload))
        return out

    # ------------------------------------------------------------------ distress
    def distress_payload(
        self,
        *,
        case_id: str,
        party: str,
        aircraft_id: str,
        reason: str,
        state: StateView | None,
        stage: str,
        acks: Mapping[str, float],
        raised_at: float,
    ) -> dict[str, Any]:
        """A distress broadcast (to every party): who, where, why, the frequencies, who has acknowledged."""
        return {
            "distress_id": case_id,
            "stage": stage,
            "party": party,
            "id": aircraft_id,
            "reason": reason,
            "raised_at": raised_at,
            "position": (state.public() | {"vs_fpm": round(state.vs_mps / FPM, 0)}) if state else None,
            "frequencies_mhz": list(self.frequencies_mhz),
            "acknowledged_by": sorted(acks),
            "awaiting": [p for p in self.parties if p not in acks],
        }

    # ------------------------------------------------------------------ errors
    @staticmethod
    def unknown_aircraft(aircraft_id: str) -> str:
        """The one message for an aircraft a party may not see or that does not exist: the same
        words either way, so an error never reveals what another party flies."""
        return f"unknown aircraft {aircraft_id!r} (not one of yours)"
