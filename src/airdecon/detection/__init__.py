"""Conflict detection: which pairs lose separation within the look-ahead, exactly and fast.

:func:`detect` is the linear engine (:mod:`._engine`) plus the intent and turn hypotheses
(:mod:`._hypotheses`), which it applies only to aircraft that level off or turn.
"""

from airdecon.detection._broadphase import brute_pairs, grid_pairs, sweep_boxes
from airdecon.detection._budget import TURNS_PER_BUDGET, turns_judged
from airdecon.detection._engine import BACKENDS, PairRules, evaluate_pairs
from airdecon.detection._hypotheses import HYPOTHESES, detect, hypothesis_rows
from airdecon.detection._kernel import MIN_OVERLAP_S, STILL_M, PairGeometry, los_intervals
from airdecon.detection._paths import ARC_TOLERANCE_M
from airdecon.detection._types import Conflict, ConflictSet

__all__ = [
    "ARC_TOLERANCE_M",
    "BACKENDS",
    "HYPOTHESES",
    "MIN_OVERLAP_S",
    "STILL_M",
    "TURNS_PER_BUDGET",
    "Conflict",
    "ConflictSet",
    "PairGeometry",
    "PairRules",
    "brute_pairs",
    "detect",
    "evaluate_pairs",
    "grid_pairs",
    "hypothesis_rows",
    "los_intervals",
    "sweep_boxes",
    "turns_judged",
]
