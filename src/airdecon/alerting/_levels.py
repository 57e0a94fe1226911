"""Alert levels: how urgent a predicted loss of separation is, from its time to loss of separation.

``advisory`` (loss predicted within the look-ahead) < ``caution`` (within ``caution_s``) <
``warning`` (within ``warning_s``) < ``loss`` (separation already lost). Thresholds come from the
protocol in force (:class:`~airdecon.protocol.SafetyProtocol`).
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np
import numpy.typing as npt

from airdecon.units import FloatArray

__all__ = ["Level", "classify"]


class Level(IntEnum):
    """Alert levels, ordered by urgency (compare them with < and >)."""

    ADVISORY = 1
    CAUTION = 2
    WARNING = 3
    LOSS = 4

    @property
    def label(self) -> str:
        """The level's name on the wire and on screen (``"advisory"`` ...)."""
        return self.name.lower()

    @classmethod
    def parse(cls, label: str) -> Level:
        """The level named *label* (case-insensitive)."""
        try:
            return cls[label.upper()]
        except KeyError:
            raise ValueError(f"unknown alert level {label!r}") from None


def classify(
    t_in_s: FloatArray, caution_s: float, warning_s: float, *, margin_s: float = 0.0
) -> npt.NDArray[np.int8]:
    """Level codes (``Level`` values) for conflicts with the given times to loss of separation.

    Parameters
    ----------
    t_in_s : array of shape (m,)
        Time to loss of separation, seconds (0 = already lost).
    caution_s, warning_s : float
        Thresholds, seconds.
    margin_s : float
        Shift the thresholds outward by this much (used for hysteresis when de-escalating:
        a conflict must be this far beyond a threshold before it counts as below it).
    """
    t = np.asarray(t_in_s, dtype=np.float64)
    out = np.full(t.shape, Level.ADVISORY, dtype=np.int8)
    out[t <= caution_s + margin_s] = Level.CAUTION
    out[t <= warning_s + margin_s] = Level.WARNING
    out[t <= 0.0] = Level.LOSS
    return out
