"""Planned operations and hazard areas: 4D volumes, and strategic deconfliction between plans.

The engine side of issue 15 (no HTTP, no SQL, no clock): :func:`parse_operation` reads what a
party files, :func:`clip` computes the part of one's own volume within the minima of another's,
and :func:`notices` compares the live plans of every pair of parties; :func:`crossings` checks
live aircraft against active volumes and hazard areas, :func:`crossed_part` clips what an
aircraft's party is shown of a volume it will enter. The hub's service
(:mod:`airdecon.hub._operations`) records them and tells each party its notices.
"""

from airdecon.operations._conflicts import Notice, NoticeKey, changed, conflicting, notice_id, notices
from airdecon.operations._crossed import crossed_part, inside
from airdecon.operations._geometry import Clip, Minima, clip, grown_latlon, lonlat_polygon, volume_ring
from airdecon.operations._live import SAMPLES, AreaIndex, AreaVolume, Crossings, crossings
from airdecon.operations._minima import minima_for
from airdecon.operations._model import (
    CIRCLE_SEGMENTS,
    FINAL_STATES,
    LIVE_STATES,
    MAX_AIRCRAFT,
    MAX_VERTICES,
    MAX_VOLUMES,
    STATES,
    Circle,
    Operation,
    OperationError,
    Volume,
    amend_operation,
    live_count,
    parse_operation,
)

__all__ = [
    "CIRCLE_SEGMENTS",
    "FINAL_STATES",
    "LIVE_STATES",
    "MAX_AIRCRAFT",
    "MAX_VERTICES",
    "MAX_VOLUMES",
    "SAMPLES",
    "STATES",
    "AreaIndex",
    "AreaVolume",
    "Circle",
    "Clip",
    "Crossings",
    "Minima",
    "Notice",
    "NoticeKey",
    "Operation",
    "OperationError",
    "Volume",
    "amend_operation",
    "changed",
    "clip",
    "conflicting",
    "crossed_part",
    "crossings",
    "grown_latlon",
    "inside",
    "live_count",
    "lonlat_polygon",
    "minima_for",
    "notice_id",
    "notices",
    "parse_operation",
    "volume_ring",
]
