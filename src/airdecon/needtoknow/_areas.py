"""Need to know for live tracks against plans: what each side of an *area alert* may see.

An area alert is raised when an aircraft is predicted to enter another party's active volume or
any hazard area within the look-ahead (:mod:`airdecon.operations._live`).

* **The aircraft's party** is told which of its aircraft, in how many seconds, with which party,
  and the part of the volume its predicted path crosses (a corridor of the horizontal minimum
  around the path, the band near its altitudes, the times it would be inside) — never the rest of
  the volume, its operation's id, its other volumes, aircraft or purpose. A hazard area is public:
  it is shown in full, with its id.
* **The volume's owner** is told that an aircraft of party X will enter one of its volumes, when
  and where — the entry time, point and altitude at the protocol's **coarse** precision (5 NM,
  1,000 ft, 10 s by default) — under the alert's pseudonym (``threat:AA-…``), never the
  aircraft's id, callsign, track, speed or path. Coarse, because a party that lies could file
  large active volumes to watch where others' aircraft go: it learns no more than "about here".

Clearing tells each side no more than the alert's id and, to the owner, its own operation.

With ``disclosure.plans_name_party: false`` neither side is told the other's party: the aircraft's
party reads "another party" for an active volume (a hazard area is public and keeps its filer's
name), the owner reads "an aircraft of another party".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from airdecon.needtoknow._operations import ANOTHER_PARTY
from airdecon.needtoknow._policy import StateView, _snap, quantised, threat_ref
from airdecon.protocol import DisclosureRules

__all__ = ["AreaAlert", "area_alert_payloads"]


@dataclass(frozen=True)
class AreaAlert:
    """One area alert before disclosure (the hub's whole knowledge of it)."""

    alert_id: str  # the public pseudonym, AA-…
    kind: str  # raised | updated | cleared
    aircraft_party: str
    aircraft_id: str
    owner: str
    operation: str
    volume: int
    public: bool
    area: Mapping[str, Any]  # the volume as filed
    part: Mapping[str, Any] | None  # the crossed part (a Clip mapping)
    enter_at: float
    exit_at: float
    now: float
    entry: StateView  # where and at what altitude the aircraft is predicted to enter


def _words(a: AreaAlert) -> str:
    what = "a hazard area" if a.public else "an active area"
    n = max(0, round(a.enter_at - a.now))
    return f"{a.aircraft_id} is inside {what}" if n == 0 else f"{a.aircraft_id} will enter {what} in {n} s"


def area_alert_payloads(a: AreaAlert, rules: DisclosureRules) -> list[tuple[frozenset[str], dict[str, Any]]]:
    """The alert as each side may see it: ``[(audience, payload), ...]`` (see the module)."""
    precision = rules.coarse_precision
    cleared = a.kind == "cleared"
    state = "cleared" if cleared else "current"
    mine: dict[str, Any] = {"area_alert_id": a.alert_id, "kind": a.kind, "role": "aircraft", "state": state,
                            "aircraft": a.aircraft_id}  # fmt: skip
    if not cleared:
        mine.update(
            {
                "in_s": max(0, round(a.enter_at - a.now)),
                "enter_at": round(a.enter_at, 1),
                "exit_at": round(a.exit_at, 1),
                "with": a.owner if a.public or rules.plans_name_party else ANOTHER_PARTY,
                "hazard": a.public,
                "text": _words(a),
            }
        )
        if a.public:
            mine["operation"] = a.operation
            mine["area"] = dict(a.area)
        else:
            mine["area"] = dict(a.part) if a.part is not None else None
    out = [(frozenset([a.aircraft_party]), mine)]
    if a.owner == a.aircraft_party:
        return out
    party = a.aircraft_party if rules.plans_name_party else ANOTHER_PARTY
    theirs: dict[str, Any] = {"area_alert_id": a.alert_id, "kind": a.kind, "role": "area",
                              "state": state, "operation": a.operation,
                              "volume": a.volume, "party": party}  # fmt: skip
    if not cleared:
        q = quantised(a.entry, precision)
        theirs.update(
            {
                "aircraft": threat_ref(a.alert_id),
                "enter_at": _snap(a.enter_at, precision.time_s),
                "at": {"lat": q["lat"], "lon": q["lon"], "alt_ft": q["alt_ft"]},
                "precision": precision.label,
                "text": f"an aircraft of {party} will enter {a.operation} "
                f"(volume {a.volume}) at {q['alt_ft']:.0f} ft",
            }
        )
    out.append((frozenset([a.owner]), theirs))
    return out
