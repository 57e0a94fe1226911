"""Plan against plan: which live operations of two parties come within the minima, and where.

A *notice* is told to one party about one of its own operations and one other party: the parts of
its own volumes that come within the minima of any of that party's live volumes (each part
clipped to its own volume, see :func:`~airdecon.operations._geometry.clip`). It never names the
other party's operations, their ids, aircraft or purpose, nor how many there are: all of that
party's operations are compared as one plan. Operations of one party are never compared with
each other.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from airdecon.operations._geometry import Clip, Minima, clip
from airdecon.operations._model import Operation, Volume

#: The minima between two volumes: one value, or a function of the pair (own, other)
MinimaRule = Minima | Callable[[Volume, Volume], Minima]

__all__ = ["Notice", "NoticeKey", "conflicting", "notice_id", "notices"]

NoticeKey = tuple[str, str, str]  # (party told, its operation id, the other party or others' label)


@dataclass(frozen=True)
class Notice:
    """What *party* is told of its operation *operation* against *other*'s plan."""

    party: str
    operation: str
    version: int
    other: str
    parts: tuple[tuple[int, Clip], ...]  # (index of own volume, its conflicting part)
    minima: Minima | None = None  # the largest minima of its parts (None: those given to to_mapping)

    @property
    def key(self) -> NoticeKey:
        """The notice's identity: who is told, about which own operation, against which party."""
        return (self.party, self.operation, self.other)

    def to_mapping(self, minima: Minima, state: str = "open") -> dict[str, Any]:
        """The notice as its party receives it."""
        return {
            "notice_id": notice_id(self.key),
            "state": state,
            "operation": self.operation,
            "version": self.version,
            "with": self.other,
            "minima": (self.minima or minima).to_mapping(),
            "parts": [{"volume": n, **c.to_mapping()} for n, c in self.parts],
        }


def notice_id(key: NoticeKey) -> str:
    """A stable id for a notice: from what its reader knows already (itself, its operation, the
    other party), so it says nothing about the other party's operations."""
    return "N-" + hashlib.sha256("\0".join(key).encode()).hexdigest()[:12]


def _parts(
    own: Operation, others: Iterable[Operation], minima: MinimaRule
) -> tuple[tuple[tuple[int, Clip], ...], Minima | None]:
    out: list[tuple[int, Clip]] = []
    used: list[Minima] = []
    for other in others:
        for vo in other.volumes:
            for n, v in enumerate(own.volumes):
                m = minima if isinstance(minima, Minima) else minima(v, vo)
                c = clip(v, vo, m)
                if c is not None:
                    out.append((n, c))
                    used.append(m)
    # a stable order, independent of the order of the other party's operations and volumes
    out.sort(key=lambda nc: (nc[0], nc[1].start, nc[1].end, nc[1].alt_lower_ft, nc[1].alt_upper_ft,
                             nc[1].rings))  # fmt: skip
    largest = None
    if used:
        largest = Minima(max(m.horizontal_nm for m in used), max(m.vertical_ft for m in used),
                         max(m.buffer_s for m in used))  # fmt: skip
    return tuple(dict.fromkeys(out)), largest


def notices(
    operations: Iterable[Operation],
    minima: MinimaRule,
    *,
    involving: str | None = None,
    others_as: str | None = None,
) -> dict[NoticeKey, Notice]:
    """Every notice between the live *operations* of different parties (only those told to or
    about party *involving* when given), by key; *minima* is one value for every pair of
    volumes, or a function ``(own volume, other volume) -> Minima``.

    With *others_as* (a name no party has), the other parties are not told apart: each party's
    operation gets one notice against all of them as one plan, its ``other`` *others_as* — so
    neither its id, its parts nor how many notices there are say which party, or how many."""
    by_party: dict[str, list[Operation]] = {}
    for op in operations:
        if op.live:
            by_party.setdefault(op.party, []).append(op)
    out: dict[NoticeKey, Notice] = {}
    for party, mine in by_party.items():
        for other, theirs in _compared_with(by_party, party, involving, others_as):
            for own in mine:
                parts, used = _parts(own, theirs, minima)
                if parts:
                    n = Notice(party, own.id, own.version, other, parts, used)
                    out[n.key] = n
    return out


def conflicting(mine: Iterable[Operation], other: Operation, minima: MinimaRule) -> list[str]:
    """The ids of the operations of *mine* that come within the minima of operation *other*
    (each stops at its first conflicting pair of volumes): the notices a request about *other*'s
    notice is linked to, on the side of *mine*."""
    out = []
    for own in mine:
        for v in own.volumes:
            if any(clip(v, vo, minima if isinstance(minima, Minima) else minima(v, vo)) is not None
                   for vo in other.volumes):  # fmt: skip
                out.append(own.id)
                break
    return out


def _compared_with(
    by_party: Mapping[str, list[Operation]], party: str, involving: str | None, others_as: str | None
) -> list[tuple[str, list[Operation]]]:
    """Whom *party*'s operations are compared with, and under which name: each other party apart
    (those told to or about *involving* when given), or, with *others_as*, every other party as one
    plan of that name (a notice to anyone may then involve anyone)."""
    if others_as is not None:
        return [(others_as, [o for p, ops in sorted(by_party.items()) if p != party for o in ops])]
    return [
        (other, theirs)
        for other, theirs in by_party.items()
        if other != party and (involving is None or involving in (party, other))
    ]


def changed(
    before: Mapping[NoticeKey, Notice], after: Mapping[NoticeKey, Notice]
) -> tuple[list[Notice], list[NoticeKey]]:
    """The notices of *after* that are new or differ from *before*, and the keys of *before* gone."""
    opened = [n for k, n in after.items() if before.get(k) != n]
    cleared = [k for k in before if k not in after]
    return opened, cleared
