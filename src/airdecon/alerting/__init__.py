"""Alerting: levels from time to loss of separation, and the alert lifecycle with hysteresis."""

from airdecon.alerting._levels import Level, classify
from airdecon.alerting._tracker import Alert, AlertEvent, AlertTracker

__all__ = ["Alert", "AlertEvent", "AlertTracker", "Level", "classify"]
