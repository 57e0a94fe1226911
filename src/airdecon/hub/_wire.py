"""Reading whole messages of reports: one msgspec pass when all are valid, else report by report.

:func:`decode_reports` reads a whole message's text (a stream message, a request body) with msgspec
in one C pass (types, ranges, patterns, unknown fields) when every report in it is valid, the
common case, and falls back to ``json`` and :func:`airdecon.hub._reports.parse_batch` otherwise,
which checks each report on its own so that a bad one is refused alone with its reason. Both
readers give the same result. The hub reads tens of thousands of reports a second: the fast reader
takes a quarter of the slow one's time, and that time holds the interpreter lock that detection
cycles wait for.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

import msgspec

from airdecon.errors import InputError, MalformedInput
from airdecon.hub._input import load_json
from airdecon.hub._reports import _ID_RE, _LIMITS, _NUMERIC, _SQUAWK_RE, Batch, Report, parse_batch
from airdecon.state import LIMITS
from airdecon.units import FPM, FT, KT

__all__ = ["decode_reports"]


def _real(name: str) -> Any:
    lo, hi = dict(_LIMITS)[name] if name in _NUMERIC else LIMITS[name]
    return Annotated[float, msgspec.Meta(ge=lo, le=hi)]


class _Wire(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """A report as :func:`_parse` accepts it, in the subset a typed decoder can check: what it
    refuses (``null`` for an optional number, a squawk given as a number, ...) goes to the slow
    reader, which accepts or refuses it with its reason. Never accepts what the slow one refuses."""

    id: Annotated[str, msgspec.Meta(pattern=_ID_RE)]
    lat: _real("lat")  # type: ignore[valid-type]
    lon: _real("lon")  # type: ignore[valid-type]
    alt_ft: _real("alt_ft")  # type: ignore[valid-type]
    gs_kt: _real("gs_kt")  # type: ignore[valid-type]
    trk_deg: _real("trk_deg")  # type: ignore[valid-type]
    vs_fpm: _real("vs_fpm") = 0.0  # type: ignore[valid-type]
    t: float = math.nan  # JSON has no NaN: absent
    squawk: Annotated[str, msgspec.Meta(pattern=_SQUAWK_RE)] | None = None
    emergency: Annotated[int, msgspec.Meta(ge=0, le=7)] | None = None
    callsign: Annotated[str, msgspec.Meta(max_length=16)] | None = None
    on_ground: bool = False
    selected_alt_ft: _real("selected_alt_ft") | None = None  # type: ignore[valid-type]
    party: str | msgspec.UnsetType = msgspec.UNSET


class _Message(msgspec.Struct, gc=False):
    """A message or body carrying reports; its other members as plain JSON values."""

    reports: list[_Wire]
    type: Any = None
    ref: Any = None
    idempotency_key: Any = None


_DECODER = msgspec.json.Decoder(_Message)
_OTHERS = ("type", "ref", "idempotency_key")


def decode_reports(
    data: str | bytes, party: str, now: float, *, max_skew_s: float, max_reports: int
) -> tuple[dict[str, Any], Batch | None]:
    """Read a JSON object (a stream message, a request body) that may carry ``reports``.

    Returns its members ``type``, ``ref`` and ``idempotency_key`` (those present and not null),
    and the validated batch: ``None`` when the object has no ``reports`` member (a ``ping``, say).
    The batch is exactly what :func:`parse_batch` gives for the decoded reports, however they
    were read.

    Raises
    ------
    MalformedInput
        The text is not a JSON object (malformed, NaN, not an object).
    InputError
        ``reports`` is not a list, or holds more than *max_reports*.
    """
    fast = _read_fast(data, party, now, max_skew_s, max_reports)
    if fast is not None:
        return fast
    obj = load_json(data, int_digits=4300)  # each number is range-checked per report below
    if not isinstance(obj, dict):
        raise MalformedInput("messages and bodies must be JSON objects")
    others = {k: obj[k] for k in _OTHERS if obj.get(k) is not None}
    if "reports" not in obj:
        return others, None
    raw = obj["reports"]
    if not isinstance(raw, list):
        raise InputError("'reports' must be a list of aircraft states")
    if len(raw) > max_reports:
        raise InputError(f"too many reports in one batch: {len(raw)} > {max_reports}")
    return others, parse_batch(raw, party, now, max_skew_s=max_skew_s)


def _read_fast(
    data: str | bytes, party: str, now: float, max_skew_s: float, max_reports: int
) -> tuple[dict[str, Any], Batch] | None:
    """The batch when every report in *data* is valid, else ``None`` (the slow reader decides)."""
    try:
        msg = _DECODER.decode(data)
    except (msgspec.DecodeError, UnicodeError):  # ValidationError is a DecodeError
        return None
    wires = msg.reports
    if not wires or len(wires) > max_reports:
        return None
    reports: list[Report] = []
    rows: list[list[Any]] = []
    seen: set[str] = set()
    unset = msgspec.UNSET
    make = tuple.__new__
    for w in wires:
        rid = w.id
        if rid in seen or (w.party is not unset and w.party != party):
            return None
        seen.add(rid)
        t = w.t
        if t != t:
            t = now
        elif not abs(t - now) <= max_skew_s:  # the slow reader's test, to the last bit
            return None
        lon, trk = w.lon, w.trk_deg
        if not -180.0 <= lon < 180.0:
            lon = (lon + 180.0) % 360.0 - 180.0
        if not 0.0 <= trk < 360.0:
            trk %= 360.0
        lat, alt_ft, gs_kt, vs_fpm = w.lat, w.alt_ft, w.gs_kt, w.vs_fpm
        rest = (w.squawk, w.emergency, w.callsign, w.on_ground)
        sel = w.selected_alt_ft
        # tuple.__new__: a NamedTuple's own constructor is a Python call, a third of this loop
        reports.append(make(Report, (rid, party, t, lat, lon, alt_ft * FT, gs_kt * KT, trk, vs_fpm * FPM,
                                     *rest, None if sel is None else sel * FT)))
        rows.append([rid, t, lat, lon, alt_ft, gs_kt, trk, vs_fpm, *rest] if sel is None
                    else [rid, t, lat, lon, alt_ft, gs_kt, trk, vs_fpm, *rest, sel])
    values = (msg.type, msg.ref, msg.idempotency_key)
    others = {k: v for k, v in zip(_OTHERS, values, strict=True) if v is not None}
    return others, Batch(reports, rows, [], None)
