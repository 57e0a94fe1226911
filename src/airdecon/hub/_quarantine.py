"""Detection that survives one bad aircraft: when the engine raises on the picture, the aircraft
whose presence makes it raise are found by bisection and left out of that cycle, and everything
else is detected as usual.

Every value in the picture was validated when its report was parsed, so the engine raising is a bug
met on someone's data; without this, one party's aircraft that trips it would stop alerts for all.
The search costs a few detections on sub-fleets (about ``2·log2(n)`` per culprit), only in a cycle
where the engine raised; the culprits of the last such cycle are tried first, so a poison that
stays costs one more detection a cycle. It knows nothing of the hub: the cycle logs what it returns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from airdecon.detection import ConflictSet
from airdecon.state import Fleet

__all__ = ["MAX_CULPRITS", "Quarantine"]

#: Aircraft left out in one cycle at most; beyond that the engine's failure is not one item's and
#: the cycle fails as a whole (logged by the cycle).
MAX_CULPRITS = 16

Rows = npt.NDArray[np.intp]


@dataclass
class Quarantine:
    """Runs *detect* on the fleet, leaving out the fewest aircraft that make it raise.

    Attributes
    ----------
    left_out : tuple of str
        Ids of the aircraft the last cycle left out (empty when the engine did not raise).
    error : Exception or None
        What the engine raised on the whole fleet in the last cycle.
    """

    left_out: tuple[str, ...] = ()
    error: Exception | None = None
    _previous: frozenset[str] = field(default_factory=frozenset)

    def detect(self, fleet: Fleet, detect: Callable[[Fleet], ConflictSet]) -> tuple[Fleet, ConflictSet]:
        """``detect(fleet)``, or, when that raises, detection on *fleet* without its culprits;
        returns the fleet detected on and its conflicts. Raises the engine's error when more than
        :data:`MAX_CULPRITS` aircraft would have to be left out."""
        self.left_out, self.error = (), None
        try:
            return fleet, detect(fleet)
        except Exception as exc:
            self.error = error = exc
        ids = np.asarray(fleet.ids).astype(str)

        last: list[tuple[Fleet, ConflictSet]] = []  # the last sub-fleet detected without error

        def fails(rows: Rows) -> bool:
            sub = fleet.take(rows)
            try:
                last[:] = [(sub, detect(sub))]
            except Exception:
                return True
            return False

        everyone = np.arange(len(fleet), dtype=np.intp)
        known = np.flatnonzero(np.isin(ids, list(self._previous))).astype(np.intp)
        rest = np.setdiff1d(everyone, known)
        if len(known) and not fails(rest):
            culprits = known  # the same poison as last cycle
        else:
            culprits, rest = np.empty(0, np.intp), everyone
            while fails(rest):
                found = _minimal(np.empty(0, np.intp), rest, fails)
                culprits = np.concatenate([culprits, found])
                if len(found) == 0 or len(culprits) > MAX_CULPRITS:  # not an aircraft's fault
                    raise error
                rest = np.setdiff1d(rest, found)
        self.left_out = tuple(sorted(ids[culprits].tolist()))
        self._previous = frozenset(self.left_out)
        return last[0]  # the loops above end on detecting *rest* without error


def _minimal(base: Rows, cand: Rows, fails: Callable[[Rows], bool]) -> Rows:
    """A small part of *cand* that makes *fails* true together with *base* (given that
    ``fails(base ∪ cand)`` and not ``fails(base)``): one aircraft when one alone trips the engine,
    the few whose combination does otherwise."""
    while len(cand) > 1:
        half, rest = cand[: len(cand) // 2], cand[len(cand) // 2:]
        if fails(_union(base, half)):
            cand = half
        elif fails(_union(base, rest)):
            cand = rest
        else:  # it takes aircraft from both halves
            r = _minimal(_union(base, half), rest, fails)
            h = _minimal(_union(base, r), half, fails)
            return _union(h, r)
    return cand


def _union(*parts: Sequence[int] | Rows) -> Rows:
    return np.sort(np.concatenate([np.asarray(p, dtype=np.intp) for p in parts]))
