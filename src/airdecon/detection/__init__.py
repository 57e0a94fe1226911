"""Conflict detection: which pairs lose separation within the look-ahead, exactly and fast."""

from airdecon.detection._broadphase import brute_pairs, grid_pairs, sweep_boxes
from airdecon.detection._engine import BACKENDS, PairRules, detect, evaluate_pairs
from airdecon.detection._kernel import MIN_OVERLAP_S, STILL_M, PairGeometry, los_intervals
from airdecon.detection._types import Conflict, ConflictSet

__all__ = [
    "BACKENDS",
    "MIN_OVERLAP_S",
    "STILL_M",
    "Conflict",
    "ConflictSet",
    "PairGeometry",
    "PairRules",
    "brute_pairs",
    "detect",
    "evaluate_pairs",
    "grid_pairs",
    "los_intervals",
    "sweep_boxes",
]
