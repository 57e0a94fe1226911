"""The aircraft records of a scenario file, checked as written, every problem at once.

:meth:`airdecon.state.Fleet.from_records` stops at the first bad value and ignores keys it does not
know (library callers pass records with extra columns). A scenario file is typed by a person: a
misspelt key (``"vs_fmp": -1000``) silently left the aircraft level and made a real conflict
disappear. So the scenario reader checks every record first, with the same rules as the hub's
report parser (:mod:`airdecon.hub._reports`):

* unknown fields are refused, with the nearest known name (``did you mean 'vs_fpm'?``);
* ``id`` and ``party`` are non-empty strings, ids unique; the numbers are numbers (not booleans or
  strings), finite, within :data:`airdecon.state.LIMITS` in the units written;
* normalised, not refused: ``lon`` in (180, 360] or [-360, -180) wraps into [-180, 180), and
  ``trk_deg`` is any finite angle, taken modulo 360 (``400`` is ``40``).

Messages quote the values as written in the file (``-450``, ``"RED"``), never after a unit round
trip, and list up to :data:`MAX_PROBLEMS` problems, so a file is fixed in one pass.
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Sequence
from typing import Any

from airdecon.state import LIMITS

__all__ = ["KNOWN_FIELDS", "MAX_PROBLEMS", "record_problems"]

#: The fields of an aircraft record in a scenario file.
KNOWN_FIELDS = (
    "id", "party", "lat", "lon", "alt_ft", "gs_kt", "trk_deg", "vs_fpm", "selected_alt_ft", "turn_dps",
)  # fmt: skip
_REQUIRED = ("id", "party", "lat", "lon", "alt_ft", "gs_kt", "trk_deg")
_NUMERIC = ("lat", "lon", "alt_ft", "gs_kt", "trk_deg", "vs_fpm", "selected_alt_ft", "turn_dps")

#: Most problems listed in one error; the count of the rest is given.
MAX_PROBLEMS = 20


def _shown(value: object) -> str:
    """*value* as written in a JSON scenario file (``"RED"``, ``-450``, ``true``, ``null``)."""
    try:
        return json.dumps(value, allow_nan=True, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def _problem(where: str, name: str, value: object, reason: str) -> str:
    return f"aircraft {where}: field {name!r} = {_shown(value)}: {reason}"


def _numeric_problem(name: str, value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "must be a number"
    try:
        f = float(value)
    except OverflowError:
        f = math.inf if value > 0 else -math.inf
    if not math.isfinite(f):
        return "must be a finite number"
    lo, hi = LIMITS.get(name, (-math.inf, math.inf))  # trk_deg: any finite angle, mod 360
    if not lo <= f <= hi:
        return f"out of range [{lo:g}, {hi:g}]"
    return None


def record_problems(records: Sequence[Any], *, default_party: str | None = None) -> tuple[list[str], int]:
    """Every problem of the aircraft *records* of a scenario: (up to :data:`MAX_PROBLEMS` messages,
    the total count). No problem: ``([], 0)``."""
    problems: list[str] = []
    total = 0

    def add(message: str) -> None:
        nonlocal total
        total += 1
        if len(problems) < MAX_PROBLEMS:
            problems.append(message)

    seen: dict[str, int] = {}
    for k, rec in enumerate(records):
        if not isinstance(rec, dict):
            add(f"aircraft #{k}: each aircraft must be an object, not {_shown(rec)}")
            continue
        rid = rec.get("id")
        good_id = rid if isinstance(rid, str) and rid.strip() else None  # the id, when it is one
        where = good_id if good_id is not None else f"#{k}"
        for key in rec:
            if key not in KNOWN_FIELDS:
                near = difflib.get_close_matches(str(key), KNOWN_FIELDS, n=1, cutoff=0.5)
                hint = f"did you mean {near[0]!r}? " if near else ""
                add(f"aircraft {where}: unknown field {key!r} ({hint}known: {', '.join(KNOWN_FIELDS)})")
        for name in _REQUIRED:
            if rec.get(name) is None and not (name == "party" and default_party is not None):
                add(f"aircraft {where}: field {name!r}: missing")
        if "id" in rec and rid is not None and good_id is None:
            add(_problem(where, "id", rid, "must be a non-empty string"))
        party = rec.get("party")
        if party is not None and (not isinstance(party, str) or not party.strip()):
            add(_problem(where, "party", party, "must be a non-empty string"))
        for name in _NUMERIC:
            value = rec.get(name)
            if value is None:
                continue
            reason = _numeric_problem(name, value)
            if reason is not None:
                add(_problem(where, name, value, reason))
        if good_id is not None:
            if good_id in seen:
                add(_problem(where, "id", good_id, f"duplicate id (records #{seen[good_id]} and #{k})"))
            else:
                seen[good_id] = k
    return problems, total
