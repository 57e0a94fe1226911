"""Raw Mode S / ADS-B frames (hex) -> :class:`Observation`, through the pyModeS 3.x streaming decoder.

Frames are 56-bit (14 hex digits) or 112-bit (28 hex digits)::

    DF(5) | CA/FS/VS(3) | ...                                    first 5 bits: downlink format
    DF17/18 (112 bits): DF(5) CA(3) AA(24, ICAO address) ME(56) PI(24, CRC parity)
    DF4/20  : DF(5) FS(3) DR(5) UM(6) AC(13, altitude code) [MB(56), Comm-B] AP(24)
    DF5/21  : DF(5) FS(3) DR(5) UM(6) ID(13, squawk code)   [MB(56), Comm-B] AP(24)
              AP = parity XOR address: the address is recovered from the CRC, not verified.

The ME field of DF17/18 starts with a 5-bit type code (TC). What airdecon takes from each:

=========  =====================================  ============================================
TC         message                                observation fields
=========  =====================================  ============================================
1-4        identification (BDS 0,8)               callsign
5-8        surface position (BDS 0,6)             onground=1, lat/lon (with ``surface_ref``),
                                                  ground speed, track
9-18       airborne position, baro alt (BDS 0,5)  lat/lon (CPR), altitude, onground=0
19         airborne velocity (BDS 0,9)            ground speed, track, vertical rate (subtypes
                                                  1-2; 3-4 are air speed/heading: not used)
20-22      airborne position, GNSS height         lat/lon, onground=0 (the height is not a
                                                  pressure altitude: not used)
28         aircraft status (BDS 6,1) subtype 1    emergency state (3 bits), squawk
29         target state and status (BDS 6,2)      selected altitude (MCP/FCU or FMS): ME bit 9
                                                  source, bits 10-20 value (bits numbered from
                                                  1, as in DO-260B), 0 = none, else
                                                  (value - 1) x 32 ft
=========  =====================================  ============================================

DF4/20 give the altitude, DF5/21 the squawk, and FS (flight status) 1 or 3 means on the ground.
Their Comm-B reply (DF20/21, MB field) is used when pyModeS infers it to be BDS 4,0 (selected
vertical intention): MB bit 1 is the MCP/FCU selected altitude's status, bits 2-13 its value in
16 ft steps (the FMS altitude, bits 15-26, is not used: it may be a constraint, not a clearance).

Selected altitudes are set in 100 ft steps on the MCP/FCU; the 32 ft (TC 29) and 16 ft (BDS 4,0)
encodings carry them with up to 16 ft of error (29,000 ft is sent as 29,024), so they are rounded
to the nearest 100 ft (29,024 -> 29,000), as jet1090 and traffic do: unrounded, an aircraft
cleared exactly 1,000 ft under another would be predicted 992 ft under it, in conflict.

Positions are CPR-encoded. The pyModeS ``PipeDecoder`` pairs even/odd frames of one aircraft
within 10 s for a global decode, then decodes later frames locally against the last accepted
position, and holds positions back until three agree (so a phantom first fix is never emitted).

Bad frames (not hex, wrong length, DF17/18 failing the CRC, unknown DF) are counted in
:class:`Rejects` by kind, never raised, never dropped silently. Frames that decode but carry
nothing a tracker uses (DF11 all-call replies, ACAS DF0/16 without altitude) are counted in
:attr:`ModeSDecoder.unused`.

pyModeS is GPL-3.0; it is an optional dependency (extra ``modes``) so that the core of airdecon
stays MIT. Import this module only where raw frames are decoded.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from typing import Any

from airdecon.errors import IngestError
from airdecon.ingest._obs import Observation, Observations, Rejects
from airdecon.units import FPM, FT, KT

__all__ = ["ModeSDecoder", "decode_frames"]

_GROUND_FS = {1, 3}
_AIR_FS = {0, 2}


_SEL_STEP_FT = 100.0  # selected altitudes are rounded to this (module docstring)
_SURFACE_REF_S = 600.0  # an aircraft's own last position serves as its surface reference this long


def _pymodes() -> Any:
    try:
        import pyModeS
    except ImportError:  # pragma: no cover - depends on the environment
        raise IngestError("decoding raw Mode S frames needs pyModeS 3.x: install 'airdecon[modes]'") from None
    return pyModeS


class ModeSDecoder:
    """Stateful decoder of a stream of hex frames from one receiver (or one merged feed).

    Parameters
    ----------
    surface_ref : str or (lat, lon), optional
        Airport code or receiver position, needed to decode surface positions (within 45 NM).
    rejects : Rejects, optional
        Where bad frames are counted (a new report by default).

    Not thread-safe: feed it from one thread (it keeps per-aircraft CPR state).
    """

    def __init__(self, *, surface_ref: str | tuple[float, float] | None = None,
                 rejects: Rejects | None = None) -> None:
        self._pms = _pymodes()
        self._pipe = self._pms.PipeDecoder()
        self.surface_ref = surface_ref
        self._last_pos: dict[str, tuple[float, float, float]] = {}
        self.rejects = rejects if rejects is not None else Rejects()
        self.unused: Counter[str] = Counter()

    def decode(self, frame: str, t_s: float) -> Observation | None:
        """Decode one frame received at *t_s* (Unix seconds).

        Returns
        -------
        Observation or None
            None when the frame is bad (counted in :attr:`rejects`) or carries nothing for
            tracking (counted in :attr:`unused`).
        """
        self.rejects.total += 1
        msg = frame.strip().lstrip("*@").rstrip(";")
        try:
            d = self._pipe.decode(msg, timestamp=t_s)
        except Exception as exc:  # pyModeS raises its own errors and ValueError on bad input
            self.rejects.add("bad-frame", frame, str(exc))
            return None
        err = d.get("error")
        if err is not None:
            kind = "bad-length" if "chars" in err else "bad-hex" if "hex" in err else "bad-frame"
            self.rejects.add(kind, frame, err)
            return None
        df = d.get("df")
        if d.get("crc_valid") is False:
            self.rejects.add("bad-crc", frame, f"DF{df} parity check failed")
            return None
        icao = d.get("icao")
        if not icao:
            self.rejects.add("no-address", frame, f"DF{df}: no ICAO address")
            return None
        icao = icao.lower()
        tc = d.get("typecode")
        if df in (17, 18) and isinstance(tc, int) and 5 <= tc <= 8:
            d = self._surface(msg, d, icao, t_s)
        obs = self._observation(d, df, icao, t_s, frame)
        if obs is not None and obs.lat_deg == obs.lat_deg:
            self._last_pos[icao] = (t_s, obs.lat_deg, obs.lon_deg)
        return obs

    def _surface(self, msg: str, d: dict[str, Any], icao: str, t_s: float) -> dict[str, Any]:
        """Resolve a surface position against the aircraft's own last position (any airport), else
        against the configured ``surface_ref``: one receiver reference is wrong for an aircraft
        that has flown to another airport."""
        last = self._last_pos.get(icao)
        ref: str | tuple[float, float] | None = self.surface_ref
        if last is not None and t_s - last[0] <= _SURFACE_REF_S:
            ref = (last[1], last[2])
        if ref is None:
            return d
        try:
            single = self._pms.decode(msg, surface_ref=ref)
        except Exception:  # an unknown airport code was configured: keep the unresolved frame
            return d
        if isinstance(single.get("latitude"), float):
            d = dict(d)
            d["latitude"], d["longitude"] = single["latitude"], single["longitude"]
        return d

    def _observation(self, d: dict[str, Any], df: object, icao: str, t_s: float,
                     frame: str) -> Observation | None:
        nan = math.nan
        lat = lon = alt = gs = trk = vs = nan
        onground = -1
        squawk = callsign = ""
        emergency = -1
        sel = nan
        tc = d.get("typecode")
        if df in (17, 18) and isinstance(tc, int):
            if 5 <= tc <= 8:
                onground = 1
            elif 9 <= tc <= 22:
                onground = 0
            if 9 <= tc <= 18 and isinstance(d.get("altitude"), int | float):
                alt = float(d["altitude"]) * FT
            if tc == 28 and d.get("subtype") == 1:
                emergency = int(d.get("emergency_state", -1))
            if tc == 29 and isinstance(d.get("selected_altitude"), int | float):
                sel = round(float(d["selected_altitude"]) / _SEL_STEP_FT) * _SEL_STEP_FT * FT
        elif df in (0, 4, 16, 20) and isinstance(d.get("altitude"), int | float):
            alt = float(d["altitude"]) * FT
        mcp = d.get("selected_altitude_mcp")
        if df in (20, 21) and d.get("bds") == "4,0" and isinstance(mcp, int | float):
            sel = round(float(mcp) / _SEL_STEP_FT) * _SEL_STEP_FT * FT
        fs = d.get("flight_status")
        if fs in _GROUND_FS:
            onground = 1
        elif fs in _AIR_FS:
            onground = 0
        if isinstance(d.get("latitude"), float) and isinstance(d.get("longitude"), float):
            lat, lon = float(d["latitude"]), float(d["longitude"])
        if isinstance(d.get("groundspeed"), int | float) and isinstance(d.get("track"), int | float):
            gs = float(d["groundspeed"]) * KT
            trk = float(d["track"])
        if df in (17, 18) and isinstance(d.get("vertical_rate"), int | float):
            vs = float(d["vertical_rate"]) * FPM
        if isinstance(d.get("squawk"), str):
            squawk = str(d["squawk"])
        if isinstance(d.get("callsign"), str):
            callsign = str(d["callsign"]).strip("_# ")
            if "#" in callsign or "_" in callsign:
                self.rejects.add("bad-callsign", frame, f"callsign {d['callsign']!r} has invalid characters")
                callsign = ""
        obs = Observation(t_s, icao, lat, lon, alt, gs, trk, vs, onground, squawk, callsign, emergency, sel)
        if (math.isnan(lat) and math.isnan(alt) and math.isnan(gs) and math.isnan(vs) and onground < 0
                and not squawk and not callsign and emergency < 0 and math.isnan(sel)):
            self.unused[f"DF{df}" + (f" TC{tc}" if isinstance(tc, int) else "")] += 1
            return None
        return obs


def decode_frames(
    frames: Iterable[str],
    timestamps: Iterable[float],
    *,
    surface_ref: str | tuple[float, float] | None = None,
) -> tuple[list[Observation | None], Rejects]:
    """Decode a recording of hex frames in receive order; output aligned with the input.

    Parameters
    ----------
    frames : iterable of str
        Hex frames (``*...;`` AVR framing accepted).
    timestamps : iterable of float
        Receive times, Unix seconds, one per frame.
    surface_ref : str or (lat, lon), optional
        See :class:`ModeSDecoder`.

    Returns
    -------
    (list, Rejects)
        One entry per frame: an :class:`Observation`, or None where the frame was bad (see the
        report) or carried nothing for tracking.
    """
    dec = ModeSDecoder(surface_ref=surface_ref)
    out = [dec.decode(f, float(t)) for f, t in zip(frames, timestamps, strict=True)]
    return out, dec.rejects


def observations(decoded: Iterable[Observation | None]) -> Observations:
    """The non-empty entries of :func:`decode_frames`' output, as columns."""
    return Observations.from_rows(o for o in decoded if o is not None)
