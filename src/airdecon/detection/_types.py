"""ConflictSet: the engine's answer, as per-pair arrays, with records for people and the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from airdecon.units import FT, NM, FloatArray

__all__ = ["Conflict", "ConflictSet"]


@dataclass(frozen=True)
class Conflict:
    """One predicted loss of separation, in aviation units at the edge.

    ``a`` < ``b`` (aircraft ids, string order). ``t_in_s`` is 0 when separation is already lost;
    ``t_out_s`` may lie beyond the look-ahead and is ``inf`` when separation is never regained.
    ``tcpa_s``/``dcpa_nm`` describe the horizontal closest approach from now on, and
    ``dalt_cpa_ft`` the vertical distance at that time. ``hypothesis`` names the prediction that
    conflicts: ``"straight"`` (straight and constant-rate, the linear model), ``"level-off"`` (a
    climb or descent levelling off at its selected altitude shapes it) or ``"turn"`` (only along an
    aircraft's turn); see ``docs/engine.md``.
    """

    a: str
    b: str
    t_in_s: float
    t_out_s: float
    tcpa_s: float
    dcpa_nm: float
    dalt_cpa_ft: float
    hypothesis: str = "straight"

    def to_dict(self) -> dict[str, object]:
        """JSON-ready mapping (``inf`` stays a float; the CLI writes it as ``null``)."""
        return {
            "a": self.a,
            "b": self.b,
            "t_in_s": self.t_in_s,
            "t_out_s": self.t_out_s,
            "tcpa_s": self.tcpa_s,
            "dcpa_nm": self.dcpa_nm,
            "dalt_cpa_ft": self.dalt_cpa_ft,
            "hypothesis": self.hypothesis,
        }


@dataclass(frozen=True, eq=False)
class ConflictSet:
    """Conflicts of one detection run, sorted by ``t_in_s`` then by ids.

    Attributes
    ----------
    i, j : int arrays of shape (m,)
        Fleet rows of aircraft ``a`` and ``b`` (``ids[i] < ids[j]``).
    t_in_s, t_out_s, tcpa_s, dcpa_m, dalt_cpa_m : float arrays of shape (m,)
        See :class:`Conflict`; distances in metres.
    ids : object array of shape (n,)
        The fleet's ids, to name the rows.
    n_candidates : int
        How many pairs the broad phase passed to the narrow phase (a measure of pruning).
    capped : tuple of str
        Parties whose own pairs were cut to their budget (``detect(own_budget=…)``): of their own
        pairs, only some were evaluated this run.
    hypothesis : object array of shape (m,), or None
        The hypothesis under which each pair conflicts (:class:`Conflict`); None: all ``"straight"``.
    """

    i: npt.NDArray[np.intp]
    j: npt.NDArray[np.intp]
    t_in_s: FloatArray
    t_out_s: FloatArray
    tcpa_s: FloatArray
    dcpa_m: FloatArray
    dalt_cpa_m: FloatArray
    ids: npt.NDArray[np.object_]
    n_candidates: int = 0
    capped: tuple[str, ...] = ()
    hypothesis: npt.NDArray[np.object_] | None = None

    def __len__(self) -> int:
        return int(self.i.shape[0])

    def __iter__(self) -> Iterator[Conflict]:
        for k in range(len(self)):
            yield self.record(k)

    def __getitem__(self, k: int) -> Conflict:
        if not -len(self) <= k < len(self):
            raise IndexError(k)
        return self.record(k % len(self))

    def __repr__(self) -> str:
        return f"ConflictSet({len(self)} conflicts, {self.n_candidates} candidate pairs)"

    def record(self, k: int) -> Conflict:
        """The k-th conflict as a :class:`Conflict` record."""
        return Conflict(
            a=str(self.ids[self.i[k]]),
            b=str(self.ids[self.j[k]]),
            t_in_s=float(self.t_in_s[k]),
            t_out_s=float(self.t_out_s[k]),
            tcpa_s=float(self.tcpa_s[k]),
            dcpa_nm=float(self.dcpa_m[k] / NM),
            dalt_cpa_ft=float(self.dalt_cpa_m[k] / FT),
            hypothesis="straight" if self.hypothesis is None else str(self.hypothesis[k]),
        )

    def subset(self, keep: npt.NDArray[np.bool_]) -> ConflictSet:
        """The conflicts where *keep* is true, in the same order."""
        return ConflictSet(
            self.i[keep], self.j[keep], self.t_in_s[keep], self.t_out_s[keep], self.tcpa_s[keep],
            self.dcpa_m[keep], self.dalt_cpa_m[keep], self.ids, self.n_candidates, self.capped,
            None if self.hypothesis is None else self.hypothesis[keep],
        )  # fmt: skip

    def pairs(self) -> set[tuple[str, str]]:
        """The conflicting pairs as a set of (a, b) ids."""
        return {(str(self.ids[a]), str(self.ids[b])) for a, b in zip(self.i, self.j, strict=True)}

    def to_dicts(self) -> list[dict[str, object]]:
        """All conflicts as JSON-ready mappings, in order."""
        return [c.to_dict() for c in self]
