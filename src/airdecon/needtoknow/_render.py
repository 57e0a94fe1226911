"""Sentences for one audience, rendered from structured events *after* the disclosure decision.

Nothing that can mention an aircraft travels as free text before disclosure: alert causes and
advisories carry codes and party-qualified keys, and :class:`Names` says how one audience may
name each aircraft (its own by its own id, civil traffic by its public id, a threat by the
pseudonym of the alert it shares with the reader, anything else not at all). The sentences here
are built from those names alone, so an aircraft the reader may not see can never appear in them,
nor be counted.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["ALERT_CAUSES", "Names", "advisory_text", "alert_cause"]

#: What each alert cause code means, as a sentence (``{aircraft}`` as the reader names it).
ALERT_CAUSES: dict[str, str] = {
    "loss-predicted": "loss of separation predicted",
    "closer": "closer to loss of separation",
    "further": "further from loss of separation",
    "separation-assured": "separation assured",
    "track-lost": "track lost: {aircraft}",
    "active": "",
}


class Names:
    """How one audience names aircraft.

    Parameters
    ----------
    party : str
        The audience.
    civil : collection of str
        Parties whose aircraft are public civil traffic.
    refs : mapping of str to str
        ``{fleet key: pseudonym}`` of the threats this audience currently shares an alert with.
    """

    def __init__(self, party: str, civil: frozenset[str], refs: Mapping[str, str]) -> None:
        self.party = party
        self.civil = civil
        self.refs = refs

    def of(self, key: str | None) -> str | None:
        """The name of aircraft *key* for this audience, or ``None``: it may not be named."""
        if not key or "/" not in key:
            return None
        owner, ident = key.split("/", 1)
        if owner == self.party or owner in self.civil:
            return ident
        return self.refs.get(key)


def alert_cause(code: str, lost: str | None, names: Names) -> dict[str, str | None]:
    """An alert's cause for one audience: ``{"code", "aircraft", "text"}``."""
    aircraft = names.of(lost) if code == "track-lost" else None
    template = ALERT_CAUSES.get(code, code)
    text = template.format(aircraft=aircraft or "the other aircraft") if "{" in template else template
    return {"code": code, "aircraft": aircraft, "text": text}


_RULE_WHY = {
    "head-on": "Annex 2 head-on with {p}, both aircraft alter heading to the right",
    "converging": "Annex 2 converging, {p} is on your right: give way, pass behind it",
    "overtaking": "Annex 2 overtaking {p}: the overtaking aircraft alters heading to the right",
    "distress-priority": "an aircraft in distress has right of way over all: keep clear of it",
    "vertical": "vertical resolution against {p}, complementary senses",
    "maintain": "you have right of way over {p}; the other aircraft keeps clear",
    "follow-tcas": "the pair with {p} is inside the TCAS II RA region",
}


def _vertical(new_fpm: float, cur_fpm: float) -> str:
    new = round(new_fpm)
    changed = abs(new_fpm - cur_fpm) > 1.0
    if new > 0:
        return f"climb at {new} fpm" if changed else f"maintain climb at {new} fpm"
    if new < 0:
        return f"descend at {-new} fpm" if changed else f"maintain descent at {-new} fpm"
    return "level off" if abs(cur_fpm) > 1.0 else "maintain level"


def advisory_text(
    *,
    rule: str,
    trk_deg: float | None,
    vs_fpm: float | None,
    current_trk_deg: float,
    current_vs_fpm: float,
    partner: str | None,
    resolved: bool,
) -> str:
    """An advisory as words for its own party: the instruction, then why, naming only *partner*
    (the reader's name for the other aircraft of the alert; ``None``: "the other aircraft")."""
    p = partner or "the other aircraft"
    if rule == "follow-tcas":
        return f"follow TCAS: {_RULE_WHY[rule].format(p=p)}; no instruction from the ground, fly the RA"
    parts: list[str] = []
    if trk_deg is not None:
        turn = (trk_deg - current_trk_deg + 180.0) % 360.0 - 180.0
        if abs(turn) >= 0.5:
            parts.append(f"turn {'right' if turn > 0 else 'left'} {abs(turn):.0f}° to {trk_deg % 360:03.0f}°")
        else:
            parts.append(f"maintain track {trk_deg % 360:03.0f}° and speed")
    if vs_fpm is not None:
        parts.append(_vertical(vs_fpm, current_vs_fpm))
    why = _RULE_WHY.get(rule, rule).format(p=p)
    text = (" and ".join(parts) or "maintain heading and level") + ": " + why
    if not resolved:
        text = (
            "NO SAFE MANOEUVRE FOUND that restores the minima without a new conflict; best effort: "
            + text
            + "; alert escalated to warning"
        )
    return text
