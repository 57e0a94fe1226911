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

from airdecon.geometry import bearing_range_nm
from airdecon.protocol import FULL, DisclosureRules, Precision
from airdecon.units import FPM, FT, KT

__all__ = ["AUDIENCE_RULES", "Disclosure", "StateView", "quantised", "threat_ref"]


def threat_ref(alert_id: str) -> str:
    """The pseudonym under which a threat is shown for the lifetime of one alert."""
    return f"threat:{alert_id}"


def _snap(x: float, step: float) -> float:
    return round(round(x / step) * step, 6)


def quantised(state: StateView, p: Precision) -> dict[str, float]:
    """Position, altitude, speed and track of *state* rounded to the steps of *p*: the position to
    a grid of ``p.position_nm`` (latitude rows, longitude columns as wide in NM at that row)."""
    step_lat = p.position_nm / 60.0
    lat = max(-90.0, min(90.0, _snap(state.lat_deg, step_lat)))
    step_lon = min(360.0, step_lat / max(math.cos(math.radians(lat)), 1e-3))
    lon = (_snap(state.lon_deg, step_lon) + 180.0) % 360.0 - 180.0
    return {
        "lat": round(lat, 6),
        "lon": round(lon, 6),
        "alt_ft": _snap(state.alt_m / FT, p.altitude_ft),
        "gs_kt": _snap(state.gs_mps / KT, p.speed_kt),
        "trk_deg": _snap(state.trk_deg, p.track_deg) % 360.0,
    }


def _geometry(event: Mapping[str, Any], p: Precision) -> dict[str, Any]:
    """The alert's times and distances rounded to *p* (they locate the threat as well)."""
    out = dict(event)
    for name in ("t_in_s", "tcpa_s"):
        if out.get(name) is not None:
            out[name] = _snap(float(out[name]), p.time_s)
    if out.get("t_out_s") is not None:
        out["t_out_s"] = _snap(float(out["t_out_s"]), p.time_s)
    if out.get("dcpa_nm") is not None:
        out["dcpa_nm"] = _snap(float(out["dcpa_nm"]), p.position_nm)
    if out.get("dalt_cpa_ft") is not None:
        out["dalt_cpa_ft"] = _snap(float(out["dalt_cpa_ft"]), p.altitude_ft)
    return out


def _point(cpa: Mapping[str, float] | None, p: Precision) -> dict[str, float] | None:
    if not cpa:
        return None
    q = quantised(StateView(float(cpa["lat"]), float(cpa["lon"]), 0.0, 0.0, 0.0, 0.0), p)
    return {"lat": q["lat"], "lon": q["lon"]}


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


#: What each audience is shown, by kind of aircraft (checked against docs/hub.md by a test).
AUDIENCE_RULES: dict[str, str] = {
    "own": "everything it reported, by its own id",
    "civil": "public identity and state: id, callsign, squawk, position, altitude, speed, track, vs",
    "threat": (
        "while its pair is in a current predicted conflict: position, altitude, track and speed at the "
        "protocol's precision (coarse while the reader's own track is younger than maturity_s), under the "
        "alert's pseudonym; during the alert's hold, only the last geometry disclosed; never its id, "
        "callsign or squawk"
    ),
    "distress": "who, where (exact), why, the frequencies, and who has acknowledged: every party",
    "other": "nothing: not named, not counted",
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
    rules : DisclosureRules
        The protocol's precision and maturity terms.
    """

    def __init__(
        self,
        parties: Iterable[str],
        civil: Iterable[str],
        frequencies_mhz: Iterable[float],
        rules: DisclosureRules | None = None,
    ) -> None:
        self.parties = tuple(sorted(parties))
        self.civil = frozenset(civil)
        self.frequencies_mhz = tuple(frequencies_mhz)
        self.rules = rules or DisclosureRules()

    def is_civil(self, party: str) -> bool:
        """Whether *party*'s aircraft are civil traffic."""
        return party in self.civil

    def precision(self, own_age_s: float | None) -> Precision:
        """The precision at which a reader whose own aircraft's track is *own_age_s* old sees a
        threat: full once the track is mature, coarse before (``None``: unknown, coarse)."""
        if own_age_s is not None and own_age_s >= self.rules.maturity_s:
            return self.rules.precision
        return self.rules.coarse_precision

    # ------------------------------------------------------------------ tracks
    def own_track(self, report: Mapping[str, Any]) -> dict[str, Any]:
        """A party's own aircraft: everything it reported."""
        return {"kind": "own", **report}

    def civil_track(self, report: Mapping[str, Any]) -> dict[str, Any]:
        """Civil traffic: public identity and state (no on-board extras)."""
        keep = ("id", "t", "lat", "lon", "alt_ft", "gs_kt", "trk_deg", "vs_fpm", "callsign", "squawk")
        return {"kind": "civil", **{k: report[k] for k in keep if k in report}}

    def threat_track(
        self, alert_id: str, state: StateView, own: StateView | None, precision: Precision = FULL
    ) -> dict[str, Any]:
        """Another party's aircraft, disclosed for one alert at *precision*: pseudonym, position,
        altitude, track, speed, and where it is from the reader's own aircraft."""
        out: dict[str, Any] = {
            "kind": "threat",
            "ref": threat_ref(alert_id),
            "alert_id": alert_id,
            "precision": precision.label,
        }
        out.update(quantised(state, precision))
        if own is not None:
            brg, rng = bearing_range_nm(own.lat_deg, own.lon_deg, state.lat_deg, state.lon_deg)
            out["relative"] = {
                "bearing_deg": _snap(brg, precision.track_deg) % 360.0,
                "range_nm": _snap(rng, precision.position_nm),
                "dalt_ft": _snap((state.alt_m - own.alt_m) / FT, precision.altitude_ft),
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
        precision: Mapping[str, Precision] | None = None,
        causes: Mapping[str, Mapping[str, Any]] | None = None,
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
        precision : mapping of party to Precision
            How precisely each reader is shown the other aircraft and the geometry (default full).
        causes : mapping of party to cause
            The alert's cause as each reader may read it (see :func:`~airdecon.needtoknow.alert_cause`).
        """
        out: list[tuple[frozenset[str], dict[str, Any]]] = []
        alert_id = str(event["alert_id"])
        sides = [side_a, side_b]
        parties = {side_a[0], side_b[0]}
        precision = precision or {}
        causes = causes or {}
        if len(parties) == 1:
            # both aircraft belong to one party (it asked for its own pairs to be watched)
            party = side_a[0]
            payload = dict(event)
            payload["cause"] = dict(causes.get(party, {}))
            payload["own"] = [
                {"id": s[1], **s[2].public(), "advisory": advisories.get(f"{s[0]}/{s[1]}")} for s in sides
            ]
            payload["threat"] = None
            payload["cpa"] = dict(cpa) if cpa else None
            return [(frozenset([party]), payload)]
        for me, other in ((side_a, side_b), (side_b, side_a)):
            civil = self.is_civil(other[0])
            p = FULL if civil else precision.get(me[0], FULL)
            payload = _geometry(event, p)
            payload["precision"] = p.label
            payload["cause"] = dict(causes.get(me[0], {}))
            payload["own"] = [{"id": me[1], **me[2].public(), "advisory": advisories.get(f"{me[0]}/{me[1]}")}]
            if event.get("kind") == "cleared":
                payload["threat"] = {"ref": threat_ref(alert_id)}
            elif civil:
                payload["threat"] = {**self.threat_track(alert_id, other[2], me[2], p), "civil_id": other[1]}
            else:
                payload["threat"] = self.threat_track(alert_id, other[2], me[2], p)
            payload["cpa"] = _point(cpa, p)
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
