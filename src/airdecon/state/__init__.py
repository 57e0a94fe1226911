"""Aircraft state: the validated fleet snapshot the engine consumes, and the one model that
predicts it at a common time from each aircraft's latest report (hub and replay alike)."""

from airdecon.state._fleet import LIMITS, Fleet
from airdecon.state._intent import (
    LEVEL_OFF_MIN_VS_MPS,
    TURN_BASELINE_S,
    TURN_LIMIT_DPS,
    TURN_MAX_DEG,
    TURN_MAX_GAP_S,
    TURN_MIN_DPS,
    level_off,
    level_off_s,
    turn_update,
    turn_updates,
)
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
    "LEVEL_OFF_MIN_VS_MPS",
    "LIMITS",
    "TURN_BASELINE_S",
    "TURN_LIMIT_DPS",
    "TURN_MAX_DEG",
    "TURN_MAX_GAP_S",
    "TURN_MIN_DPS",
    "Fleet",
    "coast_error_m",
    "is_lost",
    "level_off",
    "level_off_s",
    "predict_fleet",
    "turn_update",
    "turn_updates",
]
