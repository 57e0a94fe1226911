"""Tracking: noisy, partial surveillance observations -> per-aircraft tracks -> Fleet snapshots."""

from airdecon.tracking._tracker import (
    DISTRESS_SQUAWKS,
    Tracker,
    TrackerSettings,
    TrackerStats,
    TrackEvent,
)

__all__ = ["DISTRESS_SQUAWKS", "TrackEvent", "Tracker", "TrackerSettings", "TrackerStats"]
