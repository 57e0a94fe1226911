"""Aircraft state: the validated fleet snapshot the engine consumes, and the one model that
predicts it at a common time from each aircraft's latest report (hub and replay alike)."""

from airdecon.state._fleet import LIMITS, Fleet
from airdecon.state._predict import (
    COAST_ERROR_FRACTION,
    COAST_MIN_SPEED_MPS,
    coast_error_m,
    is_lost,
    predict_fleet,
)

__all__ = [
    "COAST_ERROR_FRACTION",
    "COAST_MIN_SPEED_MPS",
    "LIMITS",
    "Fleet",
    "coast_error_m",
    "is_lost",
    "predict_fleet",
]
