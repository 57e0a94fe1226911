"""Aircraft state reports as the hub takes them: validation, and their compact form in the record.

A party sends JSON objects in aviation units (``lat``, ``lon``, ``alt_ft``, ``gs_kt``, ``trk_deg``,
``vs_fpm``, optional ``t``, ``squawk``, ``emergency``, ``callsign``, ``on_ground``,
``selected_alt_ft``). Each is checked
on its own, so a bad report is refused alone and names its field, with the limits of
:data:`airdecon.state.LIMITS`. A valid report becomes a :class:`Report` (SI units, for the picture)
and a *row*: the values as received, normalised (longitude to [-180, 180), track to [0, 360)),
in the order of :data:`RECORD_FIELDS` (the last, ``selected_alt_ft``, only when reported).

The record stores a batch as ``{"fields": RECORD_FIELDS, "rows": [...]}``: the field names once
instead of once a report, which halves the bytes the audit chain hashes and stores and the time to
encode them canonically. :func:`expand` turns it back into ``{"reports": [{...}, ...]}`` wherever an
event leaves the hub, so clients only ever see report objects.

Whole messages of reports are read by :func:`airdecon.hub._wire.decode_reports`, which falls back
to :func:`parse_batch` here whenever a report is not plainly valid.
"""

from __future__ import annotations

import math
import numbers
import re
import sys
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from airdecon.errors import RecordError
from airdecon.state import LIMITS
from airdecon.units import FPM, FT, KT

__all__ = [
    "RECORD_FIELDS",
    "Batch",
    "Report",
    "expand",
    "fleet_key",
    "from_record",
    "parse_batch",
    "parse_report",
    "record",
]

_SQUAWK_RE = r"^[0-7]{4}\Z"
_ID_RE = r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,39}\Z"
_SQUAWK = re.compile(_SQUAWK_RE)
_ID = re.compile(_ID_RE)

#: The columns of a report row in the record, in order.
RECORD_FIELDS = (
    "id",
    "t",
    "lat",
    "lon",
    "alt_ft",
    "gs_kt",
    "trk_deg",
    "vs_fpm",
    "squawk",
    "emergency",
    "callsign",
    "on_ground",
    "selected_alt_ft",
)
_KNOWN = frozenset(RECORD_FIELDS) | {"party"}
_NUMERIC = ("lat", "lon", "alt_ft", "gs_kt", "trk_deg", "vs_fpm")
_REQUIRED = frozenset(("lat", "lon", "alt_ft", "gs_kt", "trk_deg"))
_ANY = (-sys.float_info.max, sys.float_info.max)  # finite, nothing more (track: any angle)
_LIMITS = tuple((name, LIMITS.get(name, _ANY)) for name in _NUMERIC)
_SEL_LIMITS = LIMITS["selected_alt_ft"]


def fleet_key(party: str, aircraft_id: str) -> str:
    """The internal, party-qualified id of an aircraft (never shown to other parties)."""
    return f"{party}/{aircraft_id}"


class Report(NamedTuple):
    """One validated state report of one aircraft, SI units, POSIX time ``t``."""

    aircraft_id: str
    party: str
    t: float
    lat_deg: float
    lon_deg: float
    alt_m: float
    gs_mps: float
    trk_deg: float
    vs_mps: float = 0.0
    squawk: str | None = None
    emergency: int | None = None
    callsign: str | None = None
    on_ground: bool = False
    sel_alt_m: float | None = None  # the selected altitude (MCP/FCU or FMS), if reported

    @property
    def key(self) -> str:
        """The party-qualified id (see :func:`fleet_key`)."""
        return f"{self.party}/{self.aircraft_id}"

    def to_json(self) -> dict[str, Any]:
        """The report in the wire's aviation units (for the owner's view)."""
        out = {
            "id": self.aircraft_id,
            "t": self.t,
            "lat": self.lat_deg,
            "lon": self.lon_deg,
            "alt_ft": self.alt_m / FT,
            "gs_kt": self.gs_mps / KT,
            "trk_deg": self.trk_deg,
            "vs_fpm": self.vs_mps / FPM,
            "squawk": self.squawk,
            "emergency": self.emergency,
            "callsign": self.callsign,
            "on_ground": self.on_ground,
        }
        if self.sel_alt_m is not None:
            out["selected_alt_ft"] = self.sel_alt_m / FT
        return out


def _number(raw: Mapping[str, Any], name: str, lim: tuple[float, float], where: str) -> float:
    v = raw.get(name)
    tv = type(v)
    if tv is float:
        f: float = v  # type: ignore[assignment]
    elif tv is int:
        try:
            f = float(v)  # type: ignore[arg-type]
        except OverflowError:  # a 400-digit integer is valid JSON
            raise RecordError(where, name, None, f"out of range [{lim[0]:g}, {lim[1]:g}]") from None
    elif v is None:
        if name in _REQUIRED:
            raise RecordError(where, name, None, "missing")
        return 0.0
    elif isinstance(v, numbers.Real) and not isinstance(v, bool):  # numpy scalars from library callers
        f = float(v)
    else:
        raise RecordError(where, name, v, "must be a number")
    if not lim[0] <= f <= lim[1]:  # NaN fails every comparison
        if not math.isfinite(f):
            raise RecordError(where, name, v, "must be a finite number")
        raise RecordError(where, name, f, f"out of range [{lim[0]:g}, {lim[1]:g}]")
    return f


def _parse(raw: object, party: str, now: float, max_skew_s: float, index: int) -> tuple[Report, list[Any]]:
    if not isinstance(raw, dict):
        if not isinstance(raw, Mapping):
            raise RecordError(f"#{index}", "<report>", type(raw).__name__, "each report must be an object")
        raw = dict(raw)
    rid = raw.get("id")
    good_id = type(rid) is str and _ID.match(rid) is not None
    where: str = rid if good_id else f"#{index}"  # type: ignore[assignment]
    if not _KNOWN.issuperset(raw):
        key = min(str(k) for k in raw if k not in _KNOWN)
        raise RecordError(where, key, None, f"unknown field (known: {sorted(_KNOWN)})")
    if "party" in raw and raw["party"] != party:
        raise RecordError(where, "party", None, "a party may only report its own aircraft")
    if not good_id:
        raise RecordError(where, "id", rid, "must be 1-40 characters of A-Z a-z 0-9 _ . : / - ")
    lat, lon, alt_ft, gs_kt, trk, vs_fpm = (_number(raw, name, lim, where) for name, lim in _LIMITS)
    t = raw.get("t", now)
    if type(t) is not float:
        if isinstance(t, bool) or not isinstance(t, int | float):
            raise RecordError(where, "t", t, "must be a finite number of POSIX seconds")
        try:
            t = float(t)
        except OverflowError:  # a 4,000-digit integer is valid JSON
            raise RecordError(where, "t", None, "must be a finite number of POSIX seconds") from None
    if not abs(t - now) <= max_skew_s:
        if not math.isfinite(t):
            raise RecordError(where, "t", t, "must be a finite number of POSIX seconds")
        raise RecordError(where, "t", t, f"more than {max_skew_s:g} s from the hub's clock")
    squawk = raw.get("squawk")
    if squawk is not None:
        if isinstance(squawk, int) and not isinstance(squawk, bool):
            squawk = f"{squawk:04d}"
        if not isinstance(squawk, str) or not _SQUAWK.match(squawk):
            raise RecordError(where, "squawk", squawk, "must be a 4-digit octal code")
    emergency = raw.get("emergency")
    if emergency is not None and (type(emergency) is not int or not 0 <= emergency <= 7):
        raise RecordError(where, "emergency", emergency, "must be an ADS-B emergency status 0-7")
    callsign = raw.get("callsign")
    if callsign is not None and (type(callsign) is not str or len(callsign) > 16):
        raise RecordError(where, "callsign", callsign, "must be a string of at most 16 characters")
    on_ground = raw.get("on_ground", False)
    if type(on_ground) is not bool:
        raise RecordError(where, "on_ground", on_ground, "must be true or false")
    sel_ft = raw.get("selected_alt_ft")
    if sel_ft is not None:
        sel_ft = _number(raw, "selected_alt_ft", _SEL_LIMITS, where)
    if not -180.0 <= lon < 180.0:
        lon = (lon + 180.0) % 360.0 - 180.0
    if not 0.0 <= trk < 360.0:
        trk %= 360.0
    rep = Report(
        rid,  # type: ignore[arg-type]
        party,
        t,
        lat,
        lon,
        alt_ft * FT,
        gs_kt * KT,
        trk,
        vs_fpm * FPM,
        squawk,
        emergency,
        callsign,
        on_ground,
        None if sel_ft is None else sel_ft * FT,
    )
    row = [rid, t, lat, lon, alt_ft, gs_kt, trk, vs_fpm, squawk, emergency, callsign, on_ground]
    if sel_ft is not None:  # the last column is optional: rows without it expand without it
        row.append(sel_ft)
    return rep, row


def parse_report(raw: object, party: str, now: float, *, max_skew_s: float, index: int = 0) -> Report:
    """Validate one report of *party*'s (scenario fields plus optional ``t``, ``squawk``,
    ``emergency``, ``callsign``, ``on_ground``, ``selected_alt_ft``).

    Raises
    ------
    RecordError
        Naming the report (its id, or ``#index``) and the field.
    """
    return _parse(raw, party, now, max_skew_s, index)[0]


class Batch(NamedTuple):
    """A validated batch: the good reports, their record rows, and one refusal per bad report."""

    reports: list[Report]
    rows: list[list[Any]]
    rejected: list[dict[str, Any]]
    first_error: RecordError | None


def parse_batch(raw: Sequence[object], party: str, now: float, *, max_skew_s: float) -> Batch:
    """Validate every report of a batch on its own; an aircraft reported twice is refused the
    second time."""
    reports: list[Report] = []
    rows: list[list[Any]] = []
    rejected: list[dict[str, Any]] = []
    first: RecordError | None = None
    seen: set[str] = set()
    for k, item in enumerate(raw):
        try:
            rep, row = _parse(item, party, now, max_skew_s, k)
            if rep.aircraft_id in seen:
                raise RecordError(rep.aircraft_id, "id", rep.aircraft_id, "reported twice in one batch")
            seen.add(rep.aircraft_id)
        except RecordError as exc:
            first = first or exc
            rejected.append({"index": k, "record": exc.record, "field": exc.field, "message": str(exc)})
            continue
        reports.append(rep)
        rows.append(row)
    return Batch(reports, rows, rejected, first)


def record(rows: list[list[Any]]) -> dict[str, Any]:
    """The record payload of a batch of report rows."""
    return {"fields": list(RECORD_FIELDS), "rows": rows}


def from_record(party: str, item: Mapping[str, Any]) -> Report:
    """A report back from the record (an item of :func:`expand`): already validated when it was
    recorded, so only converted to SI units."""
    return Report(
        str(item["id"]),
        party,
        float(item["t"]),
        float(item["lat"]),
        float(item["lon"]),
        float(item["alt_ft"]) * FT,
        float(item["gs_kt"]) * KT,
        float(item["trk_deg"]),
        float(item.get("vs_fpm") or 0.0) * FPM,
        item.get("squawk"),
        item.get("emergency"),
        item.get("callsign"),
        bool(item.get("on_ground", False)),
        None if item.get("selected_alt_ft") is None else float(item["selected_alt_ft"]) * FT,
    )


def expand(payload: Any) -> Any:
    """A ``report`` event's payload as clients see it: ``{"reports": [{field: value}, ...]}``.

    Accepts the compact record form and the older list-of-objects form (returned as is).
    """
    if isinstance(payload, dict) and "rows" in payload and isinstance(payload.get("fields"), list):
        names = payload["fields"]
        return {"reports": [dict(zip(names, row, strict=False)) for row in payload["rows"]]}
    return payload
