"""Tracking: noisy, partial surveillance observations -> per-aircraft tracks -> Fleet snapshots."""

from airdecon.tracking._tracker import Tracker
from airdecon.tracking._types import (
    DISTRESS_SQUAWKS,
    TrackerSettings,
    TrackerStats,
    TrackEvent,
)

__all__ = ["DISTRESS_SQUAWKS", "TrackEvent", "Tracker", "TrackerSettings", "TrackerStats"]
