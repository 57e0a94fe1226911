"""Unit constants and conversions: SI inside the engine, aviation units at the edges.

Every conversion between the outside world's units (NM, ft, kt, fpm) and the engine's SI units
(metres, seconds, m/s) goes through this module. The ``Annotated`` aliases name the unit of a
parameter in a signature, so that a reader of ``def f(h: Meters)`` knows what to pass.
"""

from __future__ import annotations

from typing import Annotated, TypeVar

import numpy as np
import numpy.typing as npt

__all__ = [
    "FPM",
    "FT",
    "KT",
    "NM",
    "FloatArray",
    "Meters",
    "MetersPerSecond",
    "Seconds",
    "fpm_to_mps",
    "ft_to_m",
    "kt_to_mps",
    "m_to_ft",
    "m_to_nm",
    "mps_to_fpm",
    "mps_to_kt",
    "nm_to_m",
]

NM: float = 1852.0
"""One international nautical mile, in metres (exact)."""
FT: float = 0.3048
"""One international foot, in metres (exact)."""
KT: float = NM / 3600.0
"""One knot, in metres per second."""
FPM: float = FT / 60.0
"""One foot per minute, in metres per second."""

FloatArray = npt.NDArray[np.float64]
_X = TypeVar("_X", float, npt.NDArray[np.float64])

Meters = Annotated[float, "m"]
Seconds = Annotated[float, "s"]
MetersPerSecond = Annotated[float, "m/s"]


def nm_to_m(x: _X) -> _X:
    """Nautical miles to metres (scalars or arrays)."""
    return x * NM


def m_to_nm(x: _X) -> _X:
    """Metres to nautical miles (scalars or arrays)."""
    return x / NM


def ft_to_m(x: _X) -> _X:
    """Feet to metres (scalars or arrays)."""
    return x * FT


def m_to_ft(x: _X) -> _X:
    """Metres to feet (scalars or arrays)."""
    return x / FT


def kt_to_mps(x: _X) -> _X:
    """Knots to metres per second (scalars or arrays)."""
    return x * KT


def mps_to_kt(x: _X) -> _X:
    """Metres per second to knots (scalars or arrays)."""
    return x / KT


def fpm_to_mps(x: _X) -> _X:
    """Feet per minute to metres per second (scalars or arrays)."""
    return x * FPM


def mps_to_fpm(x: _X) -> _X:
    """Metres per second to feet per minute (scalars or arrays)."""
    return x / FPM
