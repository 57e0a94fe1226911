"""Advisory and Resolution: what the line tells each party about its own aircraft, per conflict.

An :class:`Advisory` is addressed to one aircraft and carries that aircraft's party, so a face can
hand each party only the advisories for its own aircraft (:meth:`Resolution.for_party`). A
:class:`Resolution` pairs a :class:`~airdecon.detection.ConflictSet` with each conflict's alert
level and the two advisories, and answers per-aircraft look-ups.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from airdecon.alerting import Level
from airdecon.detection import Conflict, ConflictSet

__all__ = ["RULES", "Advisory", "ConflictResolution", "Resolution", "Rule"]

Rule = Literal[
    "head-on", "converging", "overtaking", "vertical", "distress-priority", "maintain", "follow-tcas"
]
RULES: tuple[str, ...] = (
    "head-on",
    "converging",
    "overtaking",
    "vertical",
    "distress-priority",
    "maintain",
    "follow-tcas",
)


@dataclass(frozen=True)
class Advisory:
    """What one aircraft should fly, addressed to its own party.

    Attributes
    ----------
    aircraft : str
        The aircraft's id.
    party : str
        Its party: the only party this advisory is for.
    rule : str
        One of :data:`RULES`: why this aircraft does what it does.
    reason : str
        The instruction and its justification in plain words, e.g. ``"turn right 30° to 125°:
        Annex 2 head-on with RED-01, both aircraft alter heading to the right"``.
    trk_deg : float or None
        New true track to fly, degrees in [0, 360) (whole degrees); ``None`` when the advisory
        gives no horizontal instruction.
    vs_fpm : float or None
        New vertical rate, ft/min, positive up; ``None`` when the advisory gives no vertical
        instruction (always ``None`` for ``follow-tcas``).
    """

    aircraft: str
    party: str
    rule: Rule
    reason: str
    trk_deg: float | None = None
    vs_fpm: float | None = None

    @property
    def sense(self) -> int:
        """Vertical sense of the instruction: +1 climb, -1 descend, 0 level or no vertical instruction."""
        if self.vs_fpm is None:
            return 0
        return int(np.sign(self.vs_fpm))

    def to_dict(self) -> dict[str, object]:
        """JSON-ready mapping: ``aircraft``, then ``trk_deg`` and/or ``vs_fpm`` when given, ``rule``,
        ``reason``."""
        d: dict[str, object] = {"aircraft": self.aircraft}
        if self.trk_deg is not None:
            d["trk_deg"] = self.trk_deg
        if self.vs_fpm is not None:
            d["vs_fpm"] = self.vs_fpm
        d["rule"] = self.rule
        d["reason"] = self.reason
        return d


@dataclass(frozen=True)
class ConflictResolution:
    """One conflict with its alert level and the advisory of each of its two aircraft.

    ``resolved`` is True when the advisories were verified by re-prediction to restore the minima
    without creating a new conflict; ``follow_tcas`` when the pair was handed to the airborne TCAS.
    ``advisories`` holds the two aircraft's advisories, or nothing when resolving the pair's
    cluster failed: then ``error`` says why (otherwise ``None``).
    """

    conflict: Conflict
    level: Level
    advisories: tuple[Advisory, ...]
    resolved: bool
    follow_tcas: bool
    cluster: int
    error: str | None = None

    def to_dict(self) -> dict[str, object]:
        """The conflict's JSON mapping plus ``level`` and ``advisories``."""
        d = self.conflict.to_dict()
        d["level"] = self.level.label
        d["advisories"] = [adv.to_dict() for adv in self.advisories]
        if self.error is not None:
            d["error"] = self.error
        return d


@dataclass(frozen=True, eq=False)
class Resolution:
    """Levels and advisories for every conflict of a detection run.

    Attributes
    ----------
    conflicts : ConflictSet
        The conflicts resolved, in their order (by ``t_in_s``).
    levels : int8 array of shape (m,)
        :class:`~airdecon.alerting.Level` codes, escalated to ``warning`` where no safe manoeuvre
        exists or the pair is in the TCAS RA region.
    resolved, follow_tcas : bool arrays of shape (m,)
        See :class:`ConflictResolution`.
    cluster : int array of shape (m,)
        Which multi-aircraft encounter (connected component of the conflict graph) each conflict
        belongs to; numbered 0.. in order of urgency.
    by_aircraft : mapping of str to Advisory
        The one advisory of every aircraft involved in a conflict whose cluster was resolved, by
        id (read-only).
    failed : bool array of shape (m,)
        Conflicts whose cluster could not be resolved (an error met on its data): they have no
        advisories; every other cluster was resolved without them.
    errors : mapping of int to str
        Why, by cluster number.
    """

    conflicts: ConflictSet
    levels: npt.NDArray[np.int8]
    resolved: npt.NDArray[np.bool_]
    follow_tcas: npt.NDArray[np.bool_]
    cluster: npt.NDArray[np.intp]
    by_aircraft: Mapping[str, Advisory]
    failed: npt.NDArray[np.bool_] | None = None
    errors: Mapping[int, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.conflicts)

    def __iter__(self) -> Iterator[ConflictResolution]:
        for k in range(len(self)):
            yield self[k]

    def __getitem__(self, k: int) -> ConflictResolution:
        c = self.conflicts[k]
        k %= len(self)
        cluster = int(self.cluster[k])
        failed = self.failed is not None and bool(self.failed[k])
        return ConflictResolution(
            conflict=c,
            level=Level(int(self.levels[k])),
            advisories=() if failed else (self.by_aircraft[c.a], self.by_aircraft[c.b]),
            resolved=bool(self.resolved[k]),
            follow_tcas=bool(self.follow_tcas[k]),
            cluster=cluster,
            error=self.errors.get(cluster, "resolution failed") if failed else None,
        )

    def __repr__(self) -> str:
        failed = 0 if self.failed is None else int(self.failed.sum())
        return (
            f"Resolution({len(self)} conflicts, {int(self.resolved.sum())} resolved, "
            f"{int(self.follow_tcas.sum())} follow-tcas" + (f", {failed} failed)" if failed else ")")
        )

    def advisory(self, aircraft_id: str) -> Advisory:
        """The advisory for one aircraft (``KeyError`` when it is in no conflict)."""
        return self.by_aircraft[aircraft_id]

    def for_party(self, party: str) -> dict[str, Advisory]:
        """Only the advisories for *party*'s own aircraft, by aircraft id (need to know)."""
        return {k: adv for k, adv in self.by_aircraft.items() if adv.party == party}

    def to_dicts(self) -> list[dict[str, object]]:
        """Every conflict as a JSON-ready mapping with ``level`` and ``advisories``, in order."""
        return [cr.to_dict() for cr in self]
