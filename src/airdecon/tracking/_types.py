"""The tracker's public value types: its settings, the events it raises, its counts, and the
distress codes it recognises (kept apart from the tracking loop, :mod:`airdecon.tracking._tracker`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from airdecon.units import FT

__all__ = ["DISTRESS_SQUAWKS", "EMERGENCY_STATUS", "TrackEvent", "TrackerSettings", "TrackerStats"]

#: Squawks that declare distress: unlawful interference, radio failure, emergency.
DISTRESS_SQUAWKS: dict[str, str] = {"7500": "unlawful interference", "7600": "radio failure",
                                     "7700": "emergency"}
#: ADS-B emergency states that declare distress, by meaning.
EMERGENCY_STATUS: dict[int, str] = {1: "general emergency", 2: "lifeguard/medical", 3: "minimum fuel",
                                    4: "no communications", 5: "unlawful interference", 6: "downed aircraft"}


@dataclass(frozen=True)
class TrackerSettings:
    """Gates and constants of the tracker (SI units). Defaults suit civil and military jets.

    Attributes
    ----------
    max_speed_mps : float
        Largest plausible ground speed (default 600 m/s, about Mach 1.8 at altitude).
    gate_m, gate_mps : float
        Position gate: base distance plus growth per second since the last position.
    alt_gate_m, max_vs_mps : float
        Altitude gate: base plus the largest plausible vertical rate (default 150 m, 60 m/s).
    ceiling_m, floor_m : float
        Altitudes outside [floor, ceiling] are rejected outright (default -2,000 ft .. 100,000 ft).
    ground_ceiling_m : float
        An aircraft reported on the ground cannot be above this (default 15,000 ft: the highest
        airports are near 14,500 ft).
    repeat_gs_mps : float
        A track moving faster than this that reports exactly its last position again is not
        refreshed by it (a feed repeating a stale state vector).
    reanchor_after : int
        Consecutive rejections after which the track is re-anchored on the latest report.
    vel_fresh_s : float
        A reported velocity is used for this long; then velocity is derived from positions.
    derive_baseline_s : float
        Shortest time between two positions used to derive a velocity.
    sel_fresh_s : float
        A selected altitude (ADS-B TC 29 or BDS 4,0) is used for this long after it was last
        heard (default 60 s: TC 29 comes every few seconds, BDS 4,0 when a radar asks for it).

    How a coasted track's uncertainty grows is not a tracker setting: it is the live-picture
    model's (:func:`airdecon.state.coast_error_m`), the same for the hub and replay.
    """

    max_speed_mps: float = 600.0
    gate_m: float = 1_000.0
    gate_mps: float = 60.0
    alt_gate_m: float = 150.0
    max_vs_mps: float = 60.0
    ceiling_m: float = 100_000.0 * FT
    floor_m: float = -2_000.0 * FT
    ground_ceiling_m: float = 15_000.0 * FT
    repeat_gs_mps: float = 10.0
    reanchor_after: int = 4
    vel_fresh_s: float = 10.0
    derive_baseline_s: float = 4.0
    sel_fresh_s: float = 60.0


@dataclass(frozen=True)
class TrackEvent:
    """Something that happened to a track: ``track-new``, ``track-lost``, ``distress``,
    ``distress-cleared``. ``detail`` says more in plain words (e.g. ``squawk 7700 (emergency)``)."""

    kind: str
    icao24: str
    t_s: float
    callsign: str = ""
    detail: str = ""

    def to_dict(self) -> dict[str, object]:
        """JSON-ready mapping."""
        return {"kind": self.kind, "icao24": self.icao24, "t_s": self.t_s, "callsign": self.callsign,
                "detail": self.detail}


@dataclass
class TrackerStats:
    """Counts of what the tracker did with the observations it was fed."""

    observations: int = 0
    positions: int = 0
    repeated_positions: int = 0
    outlier_positions: int = 0
    outlier_altitudes: int = 0
    reanchored: int = 0
    tracks: int = 0
    lost: int = 0
    distress: int = 0
    examples: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready mapping."""
        return {k: v for k, v in self.__dict__.items()}
