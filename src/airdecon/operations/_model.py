"""Planned operations as data: 4D volumes, states, and the strict reading of what a party files.

A party files an *operation*: one or more 4D volumes (a polygon or a circle, an altitude band, a
time window; also as a GeoJSON Feature or an ASTM F3548 ``Volume4D``, see
:mod:`airdecon.operations._formats`), optionally its own aircraft ids, a state, and ``public``
for a hazard area. Every field is checked here, before anything is recorded; an error names the
field as written (``volumes[1].polygon[3]: latitude must be within [-85, 85], got 91``) in
:class:`OperationError`.
Nothing here reads a clock or knows HTTP.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from airdecon.errors import InputError

__all__ = [
    "CIRCLE_SEGMENTS",
    "FINAL_STATES",
    "LIVE_STATES",
    "MAX_AIRCRAFT",
    "MAX_SPAN_DEG",
    "MAX_VERTICES",
    "MAX_VOLUMES",
    "MAX_WINDOW_S",
    "STATES",
    "Circle",
    "Operation",
    "OperationError",
    "Volume",
    "amend_operation",
    "live_count",
    "parse_operation",
]

State = Literal["planned", "active", "ended", "withdrawn"]
STATES: tuple[str, ...] = ("planned", "active", "ended", "withdrawn")
LIVE_STATES = frozenset({"planned", "active"})  # what counts against the quota and is deconflicted
FINAL_STATES = frozenset({"ended", "withdrawn"})
_NEXT: dict[str, frozenset[str]] = {
    "planned": frozenset({"planned", "active", "ended", "withdrawn"}),
    "active": frozenset({"active", "ended", "withdrawn"}),
    "ended": frozenset(),
    "withdrawn": frozenset(),
}

MAX_VERTICES = 199  # fewer than 200 distinct vertices per polygon
MAX_VOLUMES = 20
MAX_AIRCRAFT = 50
MAX_SPAN_DEG = 5.0  # a volume spans at most this much latitude and longitude (local projection stays exact)
MAX_WINDOW_S = 31 * 86400.0
MAX_PURPOSE = 500
CIRCLE_SEGMENTS = 64  # a circle is the regular 64-gon inscribed in it (<= 0.12 % of the radius inside)
ALT_MIN_FT, ALT_MAX_FT = -2000.0, 100_000.0
IDENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

_FIELDS = frozenset({"id", "volumes", "aircraft", "state", "public", "purpose"})
_AMEND_FIELDS = frozenset({"volumes", "aircraft", "state", "purpose"})
_VOLUME_FIELDS = frozenset({"polygon", "circle", "alt_lower_ft", "alt_upper_ft", "start", "end"})
_CIRCLE_FIELDS = frozenset({"lat", "lon", "radius_nm"})


class OperationError(InputError):
    """A filed operation is invalid; ``field`` is the offending field's path as written."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True)
class Circle:
    """A circle: centre (degrees) and radius (NM)."""

    lat: float
    lon: float
    radius_nm: float


@dataclass(frozen=True)
class Volume:
    """One 4D volume: a polygon ring (``[(lat, lon), …]``, open) or a circle, a band, a window."""

    polygon: tuple[tuple[float, float], ...] | None
    circle: Circle | None
    alt_lower_ft: float
    alt_upper_ft: float
    start: float
    end: float

    def to_mapping(self) -> dict[str, Any]:
        """The volume as filed (normalised: times in POSIX seconds)."""
        shape: dict[str, Any] = {}
        if self.polygon is not None:
            shape["polygon"] = [[lat, lon] for lat, lon in self.polygon]
        elif self.circle is not None:
            c = self.circle
            shape["circle"] = {"lat": c.lat, "lon": c.lon, "radius_nm": c.radius_nm}
        return {**shape, "alt_lower_ft": self.alt_lower_ft, "alt_upper_ft": self.alt_upper_ft,
                "start": self.start, "end": self.end}  # fmt: skip


@dataclass(frozen=True)
class Operation:
    """One version of a party's planned operation (``public``: a hazard area)."""

    party: str
    id: str
    version: int
    state: str
    public: bool
    volumes: tuple[Volume, ...]
    aircraft: tuple[str, ...] = ()
    purpose: str | None = None

    @property
    def live(self) -> bool:
        """Planned or active: deconflicted, and counted against the party's quota."""
        return self.state in LIVE_STATES

    def to_mapping(self) -> dict[str, Any]:
        """Everything about this version (for its filer; others see :mod:`airdecon.needtoknow`'s view)."""
        out: dict[str, Any] = {
            "operation": self.id,
            "party": self.party,
            "version": self.version,
            "state": self.state,
            "public": self.public,
            "volumes": [v.to_mapping() for v in self.volumes],
            "aircraft": list(self.aircraft),
        }
        if self.purpose is not None:
            out["purpose"] = self.purpose
        return out

    @classmethod
    def from_mapping(cls, party: str, data: Mapping[str, Any]) -> Operation:
        """Read back :meth:`to_mapping` (as recorded)."""
        body = {k: data[k] for k in ("volumes", "aircraft", "state", "public", "purpose") if k in data}
        op = parse_operation({"id": data["operation"], **body}, party)
        return replace(op, version=int(data["version"]))


# ------------------------------------------------------------------ reading
def _unknown(obj: Mapping[str, Any], allowed: frozenset[str], path: str) -> None:
    for key in obj:
        if key not in allowed:
            where = f"{path}.{key}" if path else str(key)
            raise OperationError(where, f"unknown field (allowed: {', '.join(sorted(allowed))})")


def _number(value: object, path: str, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise OperationError(path, f"must be a finite number, got {value!r}")
    if not lo <= float(value) <= hi:
        raise OperationError(path, f"must be within [{lo:g}, {hi:g}], got {value!r}")
    return float(value)


def _time(value: object, path: str) -> float:
    """POSIX seconds, or an RFC 3339 time with its offset (``2027-01-15T09:00:00Z``)."""
    if isinstance(value, str):
        try:
            t = datetime.fromisoformat(value)
        except ValueError:
            raise OperationError(path, f"must be POSIX seconds or an RFC 3339 time, got {value!r}") from None
        if t.tzinfo is None:
            raise OperationError(path, f"an RFC 3339 time needs its offset (Z or ±hh:mm), got {value!r}")
        return t.timestamp()
    return _number(value, path, 0.0, 32_503_680_000.0)  # up to year 3000


def _ring(value: object, path: str) -> tuple[tuple[float, float], ...]:
    if not isinstance(value, list):
        raise OperationError(path, "must be a list of [lat, lon] points")
    points: list[tuple[float, float]] = []
    for n, pt in enumerate(value):
        at = f"{path}[{n}]"
        if not isinstance(pt, list) or len(pt) != 2:
            raise OperationError(at, f"must be a [lat, lon] pair, got {pt!r}")
        points.append((_number(pt[0], at, -85.0, 85.0), _number(pt[1], at, -180.0, 180.0)))
    if len(points) > 1 and points[0] == points[-1]:
        points.pop()  # a closed ring is accepted: the closing point is the first one again
    if len(set(points)) < 3:
        raise OperationError(path, f"needs at least 3 distinct points, got {len(set(points))}")
    if len(points) > MAX_VERTICES:
        raise OperationError(path, f"at most {MAX_VERTICES} vertices, got {len(points)}")
    from airdecon.operations._geometry import ring_problem  # shapely is loaded with the geometry only

    problem = ring_problem(points)
    if problem:
        raise OperationError(path, problem)
    return tuple(points)


def _volume(value: object, path: str) -> Volume:
    from airdecon.operations._formats import native_volume  # GeoJSON and ASTM F3548 Volume4D

    value, path = native_volume(value, path)
    if not isinstance(value, dict):
        raise OperationError(path, "must be an object")
    _unknown(value, _VOLUME_FIELDS, path)
    polygon = circle = None
    if ("polygon" in value) == ("circle" in value):
        raise OperationError(path, "needs exactly one of polygon, circle")
    if "polygon" in value:
        polygon = _ring(value["polygon"], f"{path}.polygon")
        lats, lons = [p[0] for p in polygon], [p[1] for p in polygon]
        if max(lats) - min(lats) > MAX_SPAN_DEG or max(lons) - min(lons) > MAX_SPAN_DEG:
            raise OperationError(
                f"{path}.polygon", f"spans more than {MAX_SPAN_DEG:g}° of latitude or longitude"
            )
    else:
        c = value["circle"]
        cp = f"{path}.circle"
        if not isinstance(c, dict):
            raise OperationError(cp, "must be an object {lat, lon, radius_nm}")
        _unknown(c, _CIRCLE_FIELDS, cp)
        for key in sorted(_CIRCLE_FIELDS):
            if key not in c:
                raise OperationError(f"{cp}.{key}", "required")
        circle = Circle(
            _number(c["lat"], f"{cp}.lat", -80.0, 80.0),
            _number(c["lon"], f"{cp}.lon", -180.0, 180.0),
            _number(c["radius_nm"], f"{cp}.radius_nm", 0.01, 150.0),
        )
    for key in ("alt_lower_ft", "alt_upper_ft", "start", "end"):
        if key not in value:
            raise OperationError(f"{path}.{key}", "required")
    lower = _number(value["alt_lower_ft"], f"{path}.alt_lower_ft", ALT_MIN_FT, ALT_MAX_FT)
    upper = _number(value["alt_upper_ft"], f"{path}.alt_upper_ft", ALT_MIN_FT, ALT_MAX_FT)
    if not lower < upper:
        raise OperationError(f"{path}.alt_upper_ft", f"must be above alt_lower_ft ({lower:g}), got {upper:g}")
    start, end = _time(value["start"], f"{path}.start"), _time(value["end"], f"{path}.end")
    if not start < end:
        raise OperationError(f"{path}.end", "must be after start")
    if end - start > MAX_WINDOW_S:
        raise OperationError(f"{path}.end", f"a window spans at most {MAX_WINDOW_S / 86400:g} days")
    return Volume(polygon, circle, lower, upper, start, end)


def _volumes(value: object) -> tuple[Volume, ...]:
    if not isinstance(value, list) or not value:
        raise OperationError("volumes", "must be a non-empty list of volumes")
    if len(value) > MAX_VOLUMES:
        raise OperationError("volumes", f"at most {MAX_VOLUMES} volumes, got {len(value)}")
    return tuple(_volume(v, f"volumes[{n}]") for n, v in enumerate(value))


def _aircraft(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or len(value) > MAX_AIRCRAFT:
        raise OperationError("aircraft", f"must be a list of at most {MAX_AIRCRAFT} of your aircraft ids")
    for n, a in enumerate(value):
        if not isinstance(a, str) or not IDENT.match(a):
            raise OperationError(f"aircraft[{n}]", f"must be an aircraft id, got {a!r}")
    return tuple(dict.fromkeys(value))


def _purpose(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_PURPOSE:
        raise OperationError("purpose", f"must be a string of at most {MAX_PURPOSE} characters")
    return value


def _check(op: Operation) -> Operation:
    if op.public and op.aircraft:
        raise OperationError(
            "aircraft", "a hazard area (public) names no aircraft: it is broadcast to every party"
        )
    return op


def parse_operation(body: Mapping[str, Any], party: str) -> Operation:
    """A newly filed operation of *party* (version 1), every field checked (:class:`OperationError`)."""
    _unknown(body, _FIELDS, "")
    ident = body.get("id")
    if not isinstance(ident, str) or not IDENT.match(ident):
        raise OperationError(
            "id", "must be 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit"
        )
    state = body.get("state", "planned")
    if state not in ("planned", "active"):
        raise OperationError("state", f"a new operation is planned or active, got {state!r}")
    public = body.get("public", False)
    if not isinstance(public, bool):
        raise OperationError("public", f"must be true or false, got {public!r}")
    if "volumes" not in body:
        raise OperationError("volumes", "required")
    return _check(
        Operation(
            party=party,
            id=ident,
            version=1,
            state=state,
            public=public,
            volumes=_volumes(body["volumes"]),
            aircraft=_aircraft(body.get("aircraft", [])),
            purpose=_purpose(body.get("purpose")),
        )
    )


def amend_operation(previous: Operation, body: Mapping[str, Any]) -> Operation:
    """The next version of *previous* with the fields of *body* changed (``public`` and ``id``
    stand as filed: withdraw and file anew to change them)."""
    for key in ("id", "public"):
        if key in body:
            raise OperationError(key, "cannot be amended: withdraw the operation and file a new one")
    _unknown(body, _AMEND_FIELDS, "")
    if not body:
        raise OperationError("body", f"names nothing to amend (any of {', '.join(sorted(_AMEND_FIELDS))})")
    state = body.get("state", previous.state)
    if state not in STATES:
        raise OperationError("state", f"must be one of {', '.join(STATES)}, got {state!r}")
    if state not in _NEXT[previous.state]:
        raise OperationError("state", f"an operation {previous.state} cannot become {state}")
    return _check(
        replace(
            previous,
            version=previous.version + 1,
            state=state,
            volumes=_volumes(body["volumes"]) if "volumes" in body else previous.volumes,
            aircraft=_aircraft(body["aircraft"]) if "aircraft" in body else previous.aircraft,
            purpose=_purpose(body["purpose"]) if "purpose" in body else previous.purpose,
        )
    )


def live_count(operations: Sequence[Operation]) -> int:
    """How many of *operations* are planned or active."""
    return sum(1 for op in operations if op.live)
