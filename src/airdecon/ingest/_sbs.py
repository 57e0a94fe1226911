"""SBS-1 / BaseStation text lines (dump1090 port 30003) -> :class:`Observation`.

One comma-separated line per message, 22 fields (index: meaning)::

     0 message type (MSG, SEL, ID, AIR, STA, CLK)   11 altitude (ft, barometric)
     1 transmission type 1..8 (MSG only)            12 ground speed (kt)
     2 session id                                   13 track (deg true)
     3 aircraft id                                  14 latitude (deg)
     4 hex ident (ICAO 24-bit address)              15 longitude (deg)
     5 flight id                                    16 vertical rate (ft/min)
     6 date generated (YYYY/MM/DD)                  17 squawk
     7 time generated (HH:MM:SS.sss)                18 alert flag (squawk changed)
     8 date logged                                  19 emergency flag
     9 time logged                                  20 SPI flag
    10 callsign                                     21 on-ground flag

Transmission types: 1 identification, 2 surface position, 3 airborne position, 4 airborne
velocity, 5 surveillance altitude, 6 surveillance id (squawk), 7 air-to-air, 8 all-call. Flags are
``-1`` (true) or ``0``; empty fields are common, and a position and a velocity arrive on
different lines (the tracker merges them per address). Non-``MSG`` lines carry no surveillance
and are counted as ``not-msg``.

The time is the *generated* date and time (fields 6-7). BaseStation writes receiver local time,
dump1090 writes UTC; pass ``utc_offset_s`` for a feed in local time.
"""

from __future__ import annotations

import calendar
import math
from pathlib import Path

from airdecon.errors import IngestError
from airdecon.ingest._obs import Observation, Observations, Rejects
from airdecon.units import FPM, FT, KT

__all__ = ["SbsParser", "read_sbs"]

_HEX = frozenset("0123456789abcdef")


def _float(s: str) -> float:
    return float(s) if s.strip() else math.nan


def _flag(s: str) -> int:
    s = s.strip()
    if not s:
        return -1
    return 1 if s in ("-1", "1") else 0


class SbsParser:
    """Parses SBS-1 lines one at a time; bad lines are counted, never raised.

    Parameters
    ----------
    utc_offset_s : float
        Offset of the feed's clock from UTC, seconds (0 for dump1090/readsb).
    rejects : Rejects, optional
        Where bad lines are counted (kinds ``not-msg``, ``short-line``, ``bad-icao24``,
        ``bad-time``, ``bad-field``).
    """

    def __init__(self, *, utc_offset_s: float = 0.0, rejects: Rejects | None = None) -> None:
        self.utc_offset_s = utc_offset_s
        self.rejects = rejects if rejects is not None else Rejects()
        self._day_cache: tuple[str, float] = ("", 0.0)

    def _time(self, date: str, clock: str) -> float:
        if date != self._day_cache[0]:
            y, m, d = (int(x) for x in date.split("/"))
            self._day_cache = (date, float(calendar.timegm((y, m, d, 0, 0, 0))))
        hh, mm, ss = clock.split(":")
        return self._day_cache[1] + int(hh) * 3600 + int(mm) * 60 + float(ss) - self.utc_offset_s

    def parse(self, line: str) -> Observation | None:
        """One line -> an observation, or None (counted in :attr:`rejects`)."""
        self.rejects.total += 1
        text = line.strip()
        if not text:
            self.rejects.add("empty-line", line, "empty line")
            return None
        f = text.split(",")
        if f[0] != "MSG":
            self.rejects.add("not-msg", text, f"message type {f[0]!r} carries no surveillance")
            return None
        if len(f) < 22:
            self.rejects.add("short-line", text, f"{len(f)} fields, expected 22")
            return None
        icao = f[4].strip().lower()
        if len(icao) != 6 or not set(icao) <= _HEX:
            self.rejects.add("bad-icao24", text, f"hex ident {f[4]!r} is not 6 hex digits")
            return None
        try:
            t = self._time(f[6], f[7])
        except (ValueError, IndexError):
            self.rejects.add("bad-time", text, f"date/time {f[6]!r} {f[7]!r} not YYYY/MM/DD HH:MM:SS")
            return None
        try:
            lat, lon = _float(f[14]), _float(f[15])
            alt, gs, trk, vs = _float(f[11]), _float(f[12]), _float(f[13]), _float(f[16])
        except ValueError as exc:
            self.rejects.add("bad-field", text, str(exc))
            return None
        in_range = -90 <= lat <= 90 and -180 <= lon <= 360
        if (math.isnan(lat) != math.isnan(lon)) or (lat == lat and not in_range):
            self.rejects.add("bad-field", text, f"position {f[14]!r}, {f[15]!r} out of range")
            return None
        squawk = f[17].strip()
        if squawk and (len(squawk) != 4 or not set(squawk) <= set("01234567")):
            self.rejects.add("bad-field", text, f"squawk {squawk!r} is not 4 octal digits")
            return None
        emergency = {1: 1, 0: 0}.get(_flag(f[19]), -1)  # SBS says only "emergency", not which
        onground = 1 if f[1].strip() == "2" else _flag(f[21])
        return Observation(
            t, icao, lat, lon, alt * FT, gs * KT, trk, vs * FPM, onground, squawk, f[10].strip(), emergency
        )


def read_sbs(path: str | Path, *, utc_offset_s: float = 0.0) -> tuple[Observations, Rejects]:
    """Read an SBS-1 capture file (one line per message) into time-ordered observations.

    Raises
    ------
    IngestError
        If the file cannot be read.
    """
    parser = SbsParser(utc_offset_s=utc_offset_s)
    rows: list[Observation] = []
    try:
        with open(path, encoding="ascii", errors="replace") as fh:
            for line in fh:
                obs = parser.parse(line)
                if obs is not None:
                    rows.append(obs)
    except OSError as exc:
        raise IngestError(f"cannot read SBS file: {exc}", source=str(path)) from None
    return Observations.from_rows(rows).sorted(), parser.rejects
