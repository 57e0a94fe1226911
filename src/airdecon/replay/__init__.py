"""Replay: recorded surveillance through tracking, detection and alerting, with pluggable sinks."""

from airdecon.replay._engine import ReplayResult, Sink, Step, replay
from airdecon.replay._report import ReplayReport, replay_recording
from airdecon.replay._sinks import AlertLog, EventLog, PairRecord, PairStats, TrackRecorder

__all__ = [
    "AlertLog",
    "EventLog",
    "PairRecord",
    "PairStats",
    "ReplayReport",
    "ReplayResult",
    "Sink",
    "Step",
    "TrackRecorder",
    "replay",
    "replay_recording",
]
