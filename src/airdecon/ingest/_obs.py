"""Observations: what every reader produces, as a structure of arrays in SI units, and reject reports.

An observation is one report about one aircraft at one time. Surveillance formats carry partial
reports (a Mode S position frame has no velocity; an SBS ``MSG,4`` line has no position), so every
field but ``t_s`` and ``icao24`` may be missing: NaN for numbers, ``""`` for text, ``-1`` for
``onground``. Tracking merges them per aircraft.

Columns (all of shape (n,)):

============  ========  ===============================================================
column        unit      meaning
============  ========  ===============================================================
t_s           s         receive or report time, Unix epoch seconds (UTC)
icao24        str       ICAO 24-bit address, 6 lower-case hex digits (the track key)
lat_deg       deg       WGS84 latitude
lon_deg       deg       WGS84 longitude
alt_m         m         barometric (pressure) altitude
gs_mps        m/s       ground speed
trk_deg       deg       true track
vs_mps        m/s       vertical rate, positive up
onground      -1/0/1    unknown / airborne / on the ground
squawk        str       Mode A code, 4 octal digits
callsign      str       flight identity, stripped
emergency     int       ADS-B emergency state (0 none, 1..6 as in DO-260B TC28 subtype 1; -1 unknown)
sel_alt_m     m         selected altitude (MCP/FCU or FMS; ADS-B TC 29, Comm-B BDS 4,0)
============  ========  ===============================================================
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import numpy.typing as npt

from airdecon.units import FloatArray

__all__ = ["Observation", "Observations", "Rejects"]

ObjArray = npt.NDArray[np.object_]
NAN = float("nan")


@dataclass(frozen=True, slots=True)
class Observation:
    """One report about one aircraft (SI units; NaN, ``""`` or -1 where the report says nothing)."""

    t_s: float
    icao24: str
    lat_deg: float = NAN
    lon_deg: float = NAN
    alt_m: float = NAN
    gs_mps: float = NAN
    trk_deg: float = NAN
    vs_mps: float = NAN
    onground: int = -1
    squawk: str = ""
    callsign: str = ""
    emergency: int = -1
    sel_alt_m: float = NAN


@dataclass(frozen=True, eq=False)
class Observations:
    """A batch of observations as a structure of arrays, sorted or not (see :meth:`sorted`)."""

    t_s: FloatArray
    icao24: ObjArray
    lat_deg: FloatArray
    lon_deg: FloatArray
    alt_m: FloatArray
    gs_mps: FloatArray
    trk_deg: FloatArray
    vs_mps: FloatArray
    onground: npt.NDArray[np.int8]
    squawk: ObjArray
    callsign: ObjArray
    emergency: npt.NDArray[np.int8]
    sel_alt_m: FloatArray = None  # type: ignore[assignment]  # optional: all NaN when not given

    FLOATS: ClassVar[tuple[str, ...]] = ("lat_deg", "lon_deg", "alt_m", "gs_mps", "trk_deg", "vs_mps")
    COLUMNS: ClassVar[tuple[str, ...]] = (
        "t_s", "icao24", *FLOATS, "onground", "squawk", "callsign", "emergency", "sel_alt_m"
    )

    def __post_init__(self) -> None:
        if self.sel_alt_m is None:  # readers of formats without a selected altitude
            object.__setattr__(self, "sel_alt_m", np.full(self.t_s.shape[0], np.nan))

    def __len__(self) -> int:
        return int(self.t_s.shape[0])

    def __repr__(self) -> str:
        n = len(self)
        span = f", t {self.t_s.min():.0f}..{self.t_s.max():.0f}" if n else ""
        return f"Observations(n={n}, aircraft={len(set(self.icao24.tolist()))}{span})"

    @classmethod
    def empty(cls) -> Observations:
        """No observations."""
        return cls.from_rows([])

    @classmethod
    def from_rows(cls, rows: Iterable[Observation]) -> Observations:
        """Columns from :class:`Observation` rows (order kept)."""
        rows = list(rows)

        def obj(values: Sequence[str]) -> ObjArray:
            out = np.empty(len(values), dtype=object)
            out[:] = values
            return out

        return cls(
            t_s=np.array([r.t_s for r in rows], dtype=np.float64),
            icao24=obj([r.icao24 for r in rows]),
            **{c: np.array([getattr(r, c) for r in rows], dtype=np.float64) for c in cls.FLOATS},
            onground=np.array([r.onground for r in rows], dtype=np.int8),
            squawk=obj([r.squawk for r in rows]),
            callsign=obj([r.callsign for r in rows]),
            emergency=np.array([r.emergency for r in rows], dtype=np.int8),
            sel_alt_m=np.array([r.sel_alt_m for r in rows], dtype=np.float64),
        )

    def take(self, rows: npt.ArrayLike | slice) -> Observations:
        """The given rows (indices, a slice or a boolean mask)."""
        r = rows if isinstance(rows, slice) else np.asarray(rows)
        return Observations(**{c: getattr(self, c)[r] for c in self.COLUMNS})

    def sorted(self) -> Observations:
        """The same observations in time order (stable: equal times keep their order)."""
        return self.take(np.argsort(self.t_s, kind="stable"))

    @classmethod
    def concat(cls, parts: Sequence[Observations]) -> Observations:
        """All rows of *parts*, in order."""
        if not parts:
            return cls.empty()
        return cls(**{c: np.concatenate([getattr(p, c) for p in parts]) for c in cls.COLUMNS})

    def rows(self) -> Iterable[Observation]:
        """The observations one by one (slow; for tests and small batches)."""
        cols = [getattr(self, c).tolist() for c in self.COLUMNS]
        for values in zip(*cols, strict=True):
            yield Observation(*values)


@dataclass
class Rejects:
    """What a reader could not use: counts by kind, and the first few examples of each.

    Readers never raise on a bad frame or line and never drop one silently: they record it here.
    ``str(rejects)`` is a one-line human report.

    Attributes
    ----------
    counts : Counter
        Number of rejected items per kind (``"bad-hex"``, ``"bad-crc"``, ``"bad-field"`` ...).
    examples : dict
        Up to ``keep`` examples per kind, each ``(raw text, reason)``.
    total : int
        Items seen (accepted or not), so that a rate can be given.
    """

    keep: int = 3
    counts: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    total: int = 0

    def add(self, kind: str, raw: str, reason: str) -> None:
        """Record one rejected item."""
        self.counts[kind] += 1
        ex = self.examples.setdefault(kind, [])
        if len(ex) < self.keep:
            ex.append((raw[:200], reason))

    def merge(self, other: Rejects) -> None:
        """Add another report's counts and examples into this one."""
        self.total += other.total
        for kind, n in other.counts.items():
            self.counts[kind] += n
            ex = self.examples.setdefault(kind, [])
            ex.extend(other.examples.get(kind, [])[: max(0, self.keep - len(ex))])

    @property
    def n(self) -> int:
        """Number of rejected items, all kinds."""
        return sum(self.counts.values())

    def to_dict(self) -> dict[str, object]:
        """JSON-ready report."""
        return {
            "total": self.total,
            "rejected": self.n,
            "by_kind": {
                k: {"count": c, "examples": [{"raw": r, "reason": why} for r, why in self.examples[k]]}
                for k, c in sorted(self.counts.items())
            },
        }

    def __str__(self) -> str:
        if not self.counts:
            return f"{self.total} read, none rejected"
        kinds = ", ".join(f"{k}: {c}" for k, c in sorted(self.counts.items()))
        return f"{self.total} read, {self.n} rejected ({kinds})"
