"""The protocol's separation minima: a default, and overrides by altitude band and airspace volume."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from airdecon.errors import ProtocolError
from airdecon.protocol._pairs import AirspaceVolume, AltitudeBand, unwrap_lons
from airdecon.protocol._reader import _drop_none, _list, _number, _Obj, _text, _unique
from airdecon.units import FT, NM

__all__ = ["PLAN_BUFFER_S", "AltitudeBandMinima", "Minima", "VolumeMinima"]

PLAN_BUFFER_S = 300.0  # the default time buffer between planned operations' windows (s)


def _band_limits(o: _Obj) -> tuple[float | None, float | None]:
    floor = o.get("floor_ft")
    ceiling = o.get("ceiling_ft")
    f = None if floor is None else _number(floor, o.at("floor_ft"), ge=-2000.0, le=200_000.0)
    c = None if ceiling is None else _number(ceiling, o.at("ceiling_ft"), ge=-2000.0, le=200_000.0)
    if f is not None and c is not None and not f < c:
        raise ProtocolError(f"{o.at('ceiling_ft')}: must be above floor_ft ({f:g}), got {c:g}")
    return f, c


def _override_minima(o: _Obj) -> tuple[float | None, float | None]:
    h = o.get("horizontal_nm")
    v = o.get("vertical_ft")
    hn = None if h is None else _number(h, o.at("horizontal_nm"), gt=0.0)
    vf = None if v is None else _number(v, o.at("vertical_ft"), gt=0.0)
    if hn is None and vf is None:
        raise ProtocolError(f"{o.path}: sets neither horizontal_nm nor vertical_ft")
    return hn, vf


@dataclass(frozen=True)
class AltitudeBandMinima:
    """Minima over an altitude band ``floor_ft < altitude <= ceiling_ft`` (either side may be open)."""

    name: str
    floor_ft: float | None
    ceiling_ft: float | None
    horizontal_nm: float | None
    vertical_ft: float | None

    @classmethod
    def parse(cls, value: object, path: str) -> AltitudeBandMinima:
        """Read one altitude-band override."""
        o = _Obj(value, path)
        name = _text(o.get("name", required=True), o.at("name"))
        floor, ceiling = _band_limits(o)
        if floor is None and ceiling is None:
            raise ProtocolError(f"{path}: an altitude band needs floor_ft or ceiling_ft")
        h, v = _override_minima(o)
        o.done()
        return cls(name, floor, ceiling, h, v)

    def to_mapping(self) -> dict[str, Any]:
        """Normalised mapping."""
        return _drop_none(
            {
                "name": self.name,
                "floor_ft": self.floor_ft,
                "ceiling_ft": self.ceiling_ft,
                "horizontal_nm": self.horizontal_nm,
                "vertical_ft": self.vertical_ft,
            }
        )

    def to_si(self) -> AltitudeBand:
        """The engine's view, in metres."""
        return AltitudeBand(
            floor_m=None if self.floor_ft is None else self.floor_ft * FT,
            ceiling_m=None if self.ceiling_ft is None else self.ceiling_ft * FT,
            horizontal_m=None if self.horizontal_nm is None else self.horizontal_nm * NM,
            vertical_m=None if self.vertical_ft is None else self.vertical_ft * FT,
        )


def _polygon(o: _Obj) -> tuple[tuple[float, float], ...]:
    """The ``polygon_deg`` of a volume: ``[lat, lon]`` points in degrees, at least 3 distinct,
    spanning less than 180 degrees of longitude."""
    where = o.at("polygon_deg")
    raw = _list(o.get("polygon_deg", required=True), where)
    points: list[tuple[float, float]] = []
    for n, pt in enumerate(raw):
        if not isinstance(pt, list) or len(pt) != 2:
            raise ProtocolError(f"{where}[{n}]: must be a [lat, lon] pair, got {pt!r}")
        lat = _number(pt[0], f"{where}[{n}][0] (latitude)", ge=-90.0, le=90.0)
        lon = _number(pt[1], f"{where}[{n}][1] (longitude)", ge=-180.0, le=180.0)
        points.append((lat, lon))
    if len(set(points)) < 3:
        raise ProtocolError(f"{where}: needs at least 3 distinct points, got {len(set(points))}")
    lons = unwrap_lons(np.array([p[1] for p in points]))
    if float(lons.max() - lons.min()) >= 180.0:
        raise ProtocolError(f"{where}: must span less than 180 degrees of longitude")
    return tuple(points)


@dataclass(frozen=True)
class VolumeMinima:
    """Minima inside an airspace volume: a lat/lon polygon and an optional altitude band."""

    name: str
    polygon_deg: tuple[tuple[float, float], ...]
    floor_ft: float | None
    ceiling_ft: float | None
    horizontal_nm: float | None
    vertical_ft: float | None

    @classmethod
    def parse(cls, value: object, path: str) -> VolumeMinima:
        """Read one volume override; ``polygon_deg`` is a list of ``[lat, lon]`` in degrees."""
        o = _Obj(value, path)
        name = _text(o.get("name", required=True), o.at("name"))
        points = _polygon(o)
        floor, ceiling = _band_limits(o)
        h, v = _override_minima(o)
        o.done()
        return cls(name, points, floor, ceiling, h, v)

    def to_mapping(self) -> dict[str, Any]:
        """Normalised mapping."""
        return _drop_none(
            {
                "name": self.name,
                "polygon_deg": [[lat, lon] for lat, lon in self.polygon_deg],
                "floor_ft": self.floor_ft,
                "ceiling_ft": self.ceiling_ft,
                "horizontal_nm": self.horizontal_nm,
                "vertical_ft": self.vertical_ft,
            }
        )

    def to_si(self) -> AirspaceVolume:
        """The engine's view, in metres."""
        return AirspaceVolume(
            polygon_deg=self.polygon_deg,
            floor_m=None if self.floor_ft is None else self.floor_ft * FT,
            ceiling_m=None if self.ceiling_ft is None else self.ceiling_ft * FT,
            horizontal_m=None if self.horizontal_nm is None else self.horizontal_nm * NM,
            vertical_m=None if self.vertical_ft is None else self.vertical_ft * FT,
        )


@dataclass(frozen=True)
class Minima:
    """Separation minima: a default and overrides by altitude band and by airspace volume."""

    horizontal_nm: float = 5.0
    vertical_ft: float = 1000.0
    altitude_bands: tuple[AltitudeBandMinima, ...] = ()
    volumes: tuple[VolumeMinima, ...] = ()
    #: the time buffer between planned operations' windows (s); written only when not 300, so
    #: that documents signed before it existed keep their canonical bytes
    plan_buffer_s: float = PLAN_BUFFER_S

    @classmethod
    def parse(cls, value: object, path: str) -> Minima:
        """Read the ``minima`` object (``default``, ``altitude_bands``, ``volumes``)."""
        o = _Obj(value, path)
        d = _Obj(o.get("default", {}), o.at("default"))
        h = _number(d.get("horizontal_nm", 5.0), d.at("horizontal_nm"), gt=0.0)
        v = _number(d.get("vertical_ft", 1000.0), d.at("vertical_ft"), gt=0.0)
        d.done()
        bands_raw = _list(o.get("altitude_bands", []), o.at("altitude_bands"))
        bands = [
            AltitudeBandMinima.parse(b, f"{o.at('altitude_bands')}[{n}]") for n, b in enumerate(bands_raw)
        ]
        _unique(bands, o.at("altitude_bands"), "name", lambda b: b.name)
        vols_raw = _list(o.get("volumes", []), o.at("volumes"))
        vols = [VolumeMinima.parse(b, f"{o.at('volumes')}[{n}]") for n, b in enumerate(vols_raw)]
        _unique(vols, o.at("volumes"), "name", lambda b: b.name)
        buffer = _number(o.get("plan_buffer_s", PLAN_BUFFER_S), o.at("plan_buffer_s"), ge=0.0, le=86400.0)
        o.done()
        return cls(h, v, tuple(bands), tuple(vols), buffer)

    def to_mapping(self) -> dict[str, Any]:
        """Normalised mapping."""
        return {
            "default": {"horizontal_nm": self.horizontal_nm, "vertical_ft": self.vertical_ft},
            "altitude_bands": [b.to_mapping() for b in self.altitude_bands],
            "volumes": [b.to_mapping() for b in self.volumes],
            **({"plan_buffer_s": self.plan_buffer_s} if self.plan_buffer_s != PLAN_BUFFER_S else {}),
        }
