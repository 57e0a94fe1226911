"""The rules the engine enforces: separation minima and look-ahead, as one frozen value.

``SafetyProtocol`` is what detection reads. The simple ``protocol`` block of a scenario file
(``horizontal_nm``, ``vertical_ft``, ``lookahead_s``) maps onto it directly; the negotiated,
signed protocol document produces one too. Units are SI inside (metres, seconds); the aviation
units appear only in :meth:`SafetyProtocol.from_mapping` / :meth:`SafetyProtocol.to_mapping`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict

import numpy as np
import numpy.typing as npt

from airdecon.errors import ProtocolError
from airdecon.protocol._pairs import PairPolicy
from airdecon.units import FT, NM, FloatArray

__all__ = ["RulesOfTheAir", "SafetyProtocol"]


@dataclass(frozen=True)
class RulesOfTheAir:
    """The rules of the air in force, modelled on ICAO Annex 2 section 3.2.2, as numbers.

    Annex 2 gives no number for "approximately head-on"; these are the product's choices, which
    every party signs as part of the protocol.

    Attributes
    ----------
    head_on_deg : float
        Two aircraft approach "approximately head-on" when their tracks are within this many
        degrees of reciprocal (default 20).
    overtaking_deg : float
        An aircraft approaching another from the rear within this angle of the other's plane of
        symmetry is overtaking (Annex 2 3.2.2.4: 70 degrees).
    vertical_advisories : bool
        Whether the line may give vertical (TCAS-style complementary) advisories at all.
    follow_tcas : bool
        Inside the airborne TCAS resolution region, advise "follow TCAS" and give no vertical
        instruction from the ground (default True).
    """

    head_on_deg: float = 20.0
    overtaking_deg: float = 70.0
    vertical_advisories: bool = True
    follow_tcas: bool = True


_KEYS = {"horizontal_nm": NM, "vertical_ft": FT, "lookahead_s": 1.0}
# the field of SafetyProtocol each key sets
_FIELDS: dict[str, Literal["horizontal_m", "vertical_m", "lookahead_s"]] = {
    "horizontal_nm": "horizontal_m",
    "vertical_ft": "vertical_m",
    "lookahead_s": "lookahead_s",
}


class _Fields(TypedDict, total=False):
    """What a scenario's ``protocol`` block sets, in SI units."""

    horizontal_m: float
    vertical_m: float
    lookahead_s: float


@dataclass(frozen=True)
class SafetyProtocol:
    """Separation minima and look-ahead.

    Attributes
    ----------
    horizontal_m : float
        Horizontal separation minimum, metres (default 5 NM).
    vertical_m : float
        Vertical separation minimum, metres (default 1000 ft).
    lookahead_s : float
        How far ahead losses of separation are predicted, seconds (default 300).
    caution_s, warning_s : float
        Alert thresholds on the time to loss of separation (defaults 120 s and 60 s): a conflict is
        an ``advisory`` beyond ``caution_s``, a ``caution`` within it, a ``warning`` within
        ``warning_s``, and a ``loss`` once separation is lost. 120 s is the classic STCA warning
        horizon; 60 s leaves a ground instruction time to be relayed and flown before the airborne
        TCAS takes over (its RA tau is at most 35 s, its TA tau at most 48 s).
    stale_s, drop_s : float
        A track not updated for ``stale_s`` is coasted with growing uncertainty; after ``drop_s``
        it is dropped with a ``track-lost`` event (defaults 15 s and 60 s).
    position_error_m, velocity_error_mps : float
        Position and velocity uncertainty: the effective horizontal minimum for a prediction ``t``
        seconds ahead grows by ``position_error_m + velocity_error_mps * t`` (defaults 0).

    rules : RulesOfTheAir
        The rules of the air in force.
    descent_floor_m : float
        No descent advisory for an aircraft below this altitude (default 1,500 ft; 0: none), as
        TCAS inhibits descend RAs near the ground; a protocol document may set higher floors by
        volume (``policy``).
    max_joint_aircraft : int
        The largest cluster of aircraft in conflict always resolved jointly (default 12); a
        larger one is resolved jointly when the worst case of that search fits within its fair
        share of the search budget, and otherwise pair by pair, most urgent first, each pair's
        manoeuvres verified against the advice given before (a joint search over 85 aircraft
        finds nothing in time).
    response_delay_s : float
        How long after an advisory the pilots are assumed to start flying it (default 0; at most
        60 s): the resolver verifies each manoeuvre from then on, every aircraft flying its
        current velocity until then. A ground instruction relayed by voice takes some seconds.
    turn_rate_dps : float
        The rate at which the pilots are assumed to turn onto an advised track (default 0: at
        once; 3 deg/s is the standard rate): the resolver then verifies the arc flown, not an
        instant change of track (:mod:`airdecon.resolution._turns`).
    search_budget_s : float
        The resolver's search budget per run (default 10 s): the work of re-predicting candidate
        manoeuvres, counted in pair predictions at the reference rate
        (:data:`airdecon.resolution.REFERENCE_PAIRS_PER_S`), so the same picture always gets
        the same advice, whatever the machine's load. Clusters are searched most urgent first;
        those left when it is spent get no advisory, and say so.
    policy : PairPolicy or None
        Per-pair rules from a protocol document: minima overrides by altitude band and airspace
        volume, formations, and which pairs are watched. ``None`` (the scenario block): every pair
        is watched with the same minima.

    A loss of separation is horizontal distance < ``horizontal_m`` **and** vertical distance
    < ``vertical_m`` at the same time (strict: exactly at the minimum is not a loss).
    """

    horizontal_m: float = 5.0 * NM
    vertical_m: float = 1000.0 * FT
    lookahead_s: float = 300.0
    caution_s: float = 120.0
    warning_s: float = 60.0
    stale_s: float = 15.0
    drop_s: float = 60.0
    position_error_m: float = 0.0
    velocity_error_mps: float = 0.0
    rules: RulesOfTheAir = field(default_factory=RulesOfTheAir)
    policy: PairPolicy | None = None
    descent_floor_m: float = 1500.0 * FT
    max_joint_aircraft: int = 12
    search_budget_s: float = 10.0
    response_delay_s: float = 0.0
    turn_rate_dps: float = 0.0

    def __post_init__(self) -> None:
        for name in (
            "horizontal_m",
            "vertical_m",
            "lookahead_s",
            "caution_s",
            "warning_s",
            "stale_s",
            "drop_s",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ProtocolError(f"protocol: {name} must be a number, got {value!r:.80}")
            if not math.isfinite(value) or value <= 0:
                raise ProtocolError(f"protocol: {name} must be finite and > 0, got {value!r:.80}")
        for name in ("position_error_m", "velocity_error_mps", "descent_floor_m"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ProtocolError(f"protocol: {name} must be a number, got {value!r:.80}")
            if not math.isfinite(value) or value < 0:
                raise ProtocolError(f"protocol: {name} must be finite and >= 0, got {value!r}")
        b = self.search_budget_s
        if isinstance(b, bool) or not isinstance(b, int | float) or not (math.isfinite(b) and 0 < b <= 600):
            raise ProtocolError(f"protocol: search_budget_s must be a number in (0, 600], got {b!r:.80}")
        r = self.response_delay_s
        if isinstance(r, bool) or not isinstance(r, int | float) or not (math.isfinite(r) and 0 <= r <= 60):
            raise ProtocolError(f"protocol: response_delay_s must be a number in [0, 60], got {r!r:.80}")
        if r >= self.lookahead_s:
            raise ProtocolError("protocol: response_delay_s must be shorter than lookahead_s")
        x = self.turn_rate_dps
        if isinstance(x, bool) or not isinstance(x, int | float) or not (x == 0.0 or 0.5 <= x <= 10.0):
            raise ProtocolError(f"protocol: turn_rate_dps must be 0 (at once) or a number in [0.5, 10], "
                                f"got {x!r:.80}")
        j = self.max_joint_aircraft
        if isinstance(j, bool) or not isinstance(j, int) or not 2 <= j <= 64:
            raise ProtocolError(f"protocol: max_joint_aircraft must be an integer in [2, 64], got {j!r:.80}")
        if self.warning_s > self.caution_s:
            raise ProtocolError("protocol: warning_s must not exceed caution_s")
        if self.stale_s > self.drop_s:
            raise ProtocolError("protocol: stale_s must not exceed drop_s")

    @property
    def horizontal_nm(self) -> float:
        """Horizontal minimum in nautical miles."""
        return self.horizontal_m / NM

    @property
    def vertical_ft(self) -> float:
        """Vertical minimum in feet."""
        return self.vertical_m / FT

    @classmethod
    def from_mapping(cls, block: Mapping[str, Any] | None) -> SafetyProtocol:
        """Read a scenario's ``protocol`` block (aviation units); missing keys take defaults.

        Raises
        ------
        ProtocolError
            On an unknown key, a non-number, or a value that is not finite and positive.
        """
        if block is None:
            return cls()
        if not isinstance(block, Mapping):
            raise ProtocolError(f"protocol: must be an object, got {type(block).__name__}")
        unknown = sorted(set(block) - set(_KEYS))
        if unknown:
            raise ProtocolError(f"protocol: unknown field(s) {unknown}; known fields are {sorted(_KEYS)}")
        kwargs: _Fields = {}
        for key, scale in _KEYS.items():
            if key not in block:
                continue
            value = block[key]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ProtocolError(f"protocol: {key} must be a number, got {value!r:.80}")
            if not math.isfinite(value) or value <= 0:
                raise ProtocolError(f"protocol: {key} must be finite and > 0, got {value!r:.80}")
            kwargs[_FIELDS[key]] = float(value) * scale
        return cls(**kwargs)

    def to_mapping(self) -> dict[str, float]:
        """The scenario ``protocol`` block for this protocol, in aviation units."""
        return {
            "horizontal_nm": self.horizontal_nm,
            "vertical_ft": self.vertical_ft,
            "lookahead_s": self.lookahead_s,
        }

    # ---- what the engine asks ----------------------------------------------------------------
    @property
    def max_horizontal_m(self) -> float:
        """The largest effective horizontal minimum any pair can get over the look-ahead, uncertainty
        included (bounds the broad phase)."""
        horizontal = self.horizontal_m
        if self.policy is not None:
            horizontal = self.policy.bounds(self.horizontal_m, self.vertical_m)[0]
        return horizontal + self.position_error_m + self.velocity_error_mps * self.lookahead_s

    @property
    def max_vertical_m(self) -> float:
        """The largest vertical minimum any pair can get (bounds the broad phase)."""
        if self.policy is not None:
            return self.policy.bounds(self.horizontal_m, self.vertical_m)[1]
        return self.vertical_m

    def pair_minima(
        self, fleet: Any, i: npt.NDArray[np.intp], j: npt.NDArray[np.intp]
    ) -> tuple[FloatArray, FloatArray]:
        """Horizontal and vertical minima (metres) for each candidate pair (i[k], j[k]), at t = 0.

        The horizontal value includes the position uncertainty; it then grows with prediction time
        by ``velocity_error_mps`` (the engine reads that attribute). With a ``policy``, each pair
        gets the largest minima applying to either aircraft (see :class:`PairPolicy`).
        """
        if self.policy is not None:
            h, v = self.policy.pair_minima(fleet, i, j, self.horizontal_m, self.vertical_m)
            return h + self.position_error_m, v
        n = i.shape[0]
        return np.full(n, self.horizontal_m + self.position_error_m), np.full(n, self.vertical_m)

    def descent_floors(self, fleet: Any, rows: npt.NDArray[np.intp]) -> FloatArray:
        """The descent floor (metres) of each aircraft at *rows*: no descent advisory below it."""
        if self.policy is not None:
            return self.policy.descent_floor(fleet, rows, self.descent_floor_m, self.horizontal_m,
                                             self.vertical_m)
        return np.full(rows.shape[0], self.descent_floor_m)

    def watched(self, fleet: Any, i: npt.NDArray[np.intp], j: npt.NDArray[np.intp]) -> npt.NDArray[np.bool_]:
        """Which candidate pairs (i[k], j[k]) are watched at all (without a ``policy``: every pair)."""
        if self.policy is not None:
            return self.policy.watched(fleet, i, j, self.horizontal_m, self.vertical_m)
        return np.ones(i.shape[0], dtype=bool)
