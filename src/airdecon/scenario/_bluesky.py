"""BlueSky ``.scn`` scenario files: the community's standard conflict scenarios, read as a Scenario.

Only what defines the traffic is read: ``CRE id,type,lat,lon,hdg,alt,spd`` (commas or spaces;
``alt`` in feet or as ``FL300``; ``spd`` as calibrated airspeed in knots, or a Mach number when
below 1) and ``DTLOOK seconds`` (the look-ahead). Lines look like ``00:00:00.00>CRE ...``. Speeds
are converted to true airspeed in the ISA atmosphere (no wind: ground speed = TAS, track =
heading); other commands (ASAS, RESO, PAN ...) only configure BlueSky's display and resolver and
are ignored. Every aircraft is civil (its own operator).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from airdecon.errors import ScenarioError
from airdecon.protocol import SafetyProtocol
from airdecon.state import Fleet
from airdecon.units import FT, KT

__all__ = ["cas_to_tas_mps", "load_bluesky_scn", "mach_to_tas_mps"]

_G0, _R, _GAMMA = 9.80665, 287.05287, 1.4
_P0, _T0, _RHO0 = 101325.0, 288.15, 1.225
_A0 = math.sqrt(_GAMMA * _R * _T0)


def _isa(h_m: float) -> tuple[float, float]:
    """ISA temperature (K) and pressure (Pa) at geopotential altitude h (m), up to 32 km."""
    if h_m <= 11000.0:
        t = _T0 - 0.0065 * h_m
        return t, _P0 * (t / _T0) ** (_G0 / (0.0065 * _R))
    p11 = _P0 * (216.65 / _T0) ** (_G0 / (0.0065 * _R))
    if h_m <= 20000.0:
        return 216.65, p11 * math.exp(-_G0 / (_R * 216.65) * (h_m - 11000.0))
    p20 = p11 * math.exp(-_G0 / (_R * 216.65) * 9000.0)
    t = 216.65 + 0.001 * (h_m - 20000.0)
    return t, p20 * (t / 216.65) ** (-_G0 / (0.001 * _R))


def cas_to_tas_mps(cas_mps: float, alt_m: float) -> float:
    """True airspeed from calibrated airspeed in the ISA atmosphere (compressible flow)."""
    t, p = _isa(alt_m)
    k = (_GAMMA - 1.0) / _GAMMA
    qc = _P0 * ((1.0 + (_GAMMA - 1.0) / 2.0 * (cas_mps / _A0) ** 2) ** (1.0 / k) - 1.0)
    mach = math.sqrt(2.0 / (_GAMMA - 1.0) * ((qc / p + 1.0) ** k - 1.0))
    return mach * math.sqrt(_GAMMA * _R * t)


def mach_to_tas_mps(mach: float, alt_m: float) -> float:
    """True airspeed from a Mach number in the ISA atmosphere."""
    t, _ = _isa(alt_m)
    return mach * math.sqrt(_GAMMA * _R * t)


# the ISA model above holds to 32 km; a CAS beyond 2,000 kt is no aircraft (and overflows the model)
_MIN_ALT_M, _MAX_ALT_M, _MAX_SPD = -1_000.0, 32_000.0, 2_000.0


def _finite(text: str) -> float:
    """A number of a scenario line; NaN and infinities (``nan``, ``inf``, ``1e999``) refused."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:40]!r} is not a finite number")
    return value


_LINE = re.compile(r"^\s*(?:\d+:\d+:\d+(?:\.\d+)?\s*>)?\s*(?P<cmd>[A-Za-z]+)\s*[, ]?\s*(?P<args>.*)$")


def load_bluesky_scn(path: str | Path) -> tuple[Fleet, SafetyProtocol]:
    """Read the traffic of a BlueSky scenario file.

    Raises
    ------
    ScenarioError
        Naming the line number when a ``CRE`` line cannot be parsed.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"cannot read: {exc.strerror or exc}", path=str(p)) from None
    records = []
    lookahead = SafetyProtocol().lookahead_s
    for lineno, raw in enumerate(text.splitlines(), start=1):
        m = _LINE.match(raw)
        if not m or raw.lstrip().startswith("#"):
            continue
        cmd = m["cmd"].upper()
        args = [a for a in re.split(r"[,\s]+", m["args"].strip()) if a]
        try:
            if cmd == "DTLOOK" and args:
                lookahead = _finite(args[0])
            elif cmd == "CRE":
                ident, _type, lat, lon, hdg, alt, spd = args[:7]
                alt_ft = _finite(alt[2:]) * 100.0 if alt.upper().startswith("FL") else _finite(alt)
                alt_m = alt_ft * FT
                v = _finite(spd)
                if not (_MIN_ALT_M <= alt_m <= _MAX_ALT_M and 0.0 <= v <= _MAX_SPD):
                    raise ValueError("altitude or speed out of range")
                tas = mach_to_tas_mps(v, alt_m) if v < 1.0 else cas_to_tas_mps(v * KT, alt_m)
                records.append(
                    {
                        "id": ident,
                        "party": "CIVIL",
                        "lat": _finite(lat),
                        "lon": _finite(lon),
                        "alt_ft": alt_ft,
                        "gs_kt": tas / KT,
                        "trk_deg": _finite(hdg),
                        "vs_fpm": 0.0,
                    }
                )
        except (ValueError, IndexError, ArithmeticError) as exc:
            shown = raw.strip()[:80]
            raise ScenarioError(f"line {lineno}: cannot parse {shown!r} ({exc})", path=str(p)) from None
    return Fleet.from_records(records), SafetyProtocol(lookahead_s=lookahead)
