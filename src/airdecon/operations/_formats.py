"""The volume shapes planning tools already emit, read as airdecon's own (issue 15).

A volume of a filed operation may be written in one of three shapes; the two foreign ones are
turned into the native one here, field by field, and then checked like any native volume (so an
error names the field as the native reading sees it, prefixed by where it came from):

* **native**: ``{"polygon": [[lat, lon], …] | "circle": {"lat", "lon", "radius_nm"},
  "alt_lower_ft", "alt_upper_ft", "start", "end"}``;
* **GeoJSON** (RFC 7946): a ``Feature`` whose ``geometry`` is a ``Polygon`` (``[lon, lat]``
  positions, the outer ring only: holes are refused) and whose ``properties`` give
  ``alt_lower_ft``, ``alt_upper_ft``, ``start`` and ``end``;
* **ASTM F3548-21 ``Volume4D``**: ``{"volume": {"outline_polygon": {"vertices": [{"lat", "lng"}, …]}
  | "outline_circle": {"center": {"lat", "lng"}, "radius": {"value", "units": "M"}},
  "altitude_lower": {"value", "reference": "W84", "units": "M"}, "altitude_upper": {…}},
  "time_start": {"value": RFC 3339, "format": "RFC3339"}, "time_end": {…}}``. Its altitudes are
  heights above the WGS 84 ellipsoid in metres; they are taken as the band's altitudes in feet
  as they are (no geoid or pressure correction: what a party files is its own declaration).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airdecon.units import FT, NM

__all__ = ["native_volume"]


class _Bad(Exception):
    def __init__(self, where: str, message: str) -> None:
        super().__init__(message)
        self.where = where


def _obj(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise _Bad(where, "must be an object")
    return value


def _only(obj: Mapping[str, Any], allowed: set[str], where: str) -> None:
    for key in obj:
        if key not in allowed:
            raise _Bad(
                f"{where}.{key}" if where else str(key),
                f"unknown field (allowed: {', '.join(sorted(allowed))})",
            )


def _geojson(v: Mapping[str, Any]) -> dict[str, Any]:
    _only(v, {"type", "geometry", "properties", "id", "bbox"}, "")
    geom = _obj(v.get("geometry"), "geometry")
    if geom.get("type") != "Polygon":
        raise _Bad("geometry.type", f"must be Polygon, got {geom.get('type')!r}")
    _only(geom, {"type", "coordinates", "bbox"}, "geometry")
    rings = geom.get("coordinates")
    if not isinstance(rings, list) or len(rings) != 1:
        raise _Bad("geometry.coordinates", "must be one outer ring (holes are not accepted)")
    ring = rings[0]
    if not isinstance(ring, list):
        raise _Bad("geometry.coordinates[0]", "must be a list of [lon, lat] positions")
    polygon = []
    for n, pos in enumerate(ring):
        if not isinstance(pos, list) or len(pos) not in (2, 3):
            raise _Bad(f"geometry.coordinates[0][{n}]", f"must be a [lon, lat] position, got {pos!r}")
        polygon.append([pos[1], pos[0]])
    props = _obj(v.get("properties"), "properties")
    _only(props, {"alt_lower_ft", "alt_upper_ft", "start", "end"}, "properties")
    return {"polygon": polygon, **props}


def _metres(value: object, where: str) -> float:
    q = _obj(value, where)
    _only(q, {"value", "units", "reference"}, where)
    if q.get("units", "M") != "M":
        raise _Bad(f"{where}.units", f"must be M, got {q.get('units')!r}")
    if "reference" in q and q["reference"] != "W84":
        raise _Bad(f"{where}.reference", f"must be W84, got {q.get('reference')!r}")
    x = q.get("value")
    if isinstance(x, bool) or not isinstance(x, int | float):
        raise _Bad(f"{where}.value", f"must be a number, got {x!r}")
    return float(x)


def _time(value: object, where: str) -> object:
    t = _obj(value, where)
    _only(t, {"value", "format"}, where)
    if t.get("format", "RFC3339") != "RFC3339":
        raise _Bad(f"{where}.format", f"must be RFC3339, got {t.get('format')!r}")
    return t.get("value")


def _point(value: object, where: str) -> tuple[object, object]:
    p = _obj(value, where)
    _only(p, {"lat", "lng"}, where)
    return p.get("lat"), p.get("lng")


def _volume4d(v: Mapping[str, Any]) -> dict[str, Any]:
    _only(v, {"volume", "time_start", "time_end"}, "")
    vol = _obj(v.get("volume"), "volume")
    _only(vol, {"outline_polygon", "outline_circle", "altitude_lower", "altitude_upper"}, "volume")
    out: dict[str, Any] = {}
    if ("outline_polygon" in vol) == ("outline_circle" in vol):
        raise _Bad("volume", "needs exactly one of outline_polygon, outline_circle")
    if "outline_polygon" in vol:
        poly = _obj(vol["outline_polygon"], "volume.outline_polygon")
        _only(poly, {"vertices"}, "volume.outline_polygon")
        vertices = poly.get("vertices")
        if not isinstance(vertices, list):
            raise _Bad("volume.outline_polygon.vertices", "must be a list of {lat, lng}")
        out["polygon"] = [
            list(_point(p, f"volume.outline_polygon.vertices[{n}]")) for n, p in enumerate(vertices)
        ]
    else:
        circ = _obj(vol["outline_circle"], "volume.outline_circle")
        _only(circ, {"center", "radius"}, "volume.outline_circle")
        lat, lng = _point(circ.get("center"), "volume.outline_circle.center")
        radius = _metres(circ.get("radius"), "volume.outline_circle.radius")
        out["circle"] = {"lat": lat, "lon": lng, "radius_nm": radius / NM}
    for key, name in (("altitude_lower", "alt_lower_ft"), ("altitude_upper", "alt_upper_ft")):
        if key not in vol:
            raise _Bad(f"volume.{key}", "required")
        out[name] = round(_metres(vol[key], f"volume.{key}") / FT, 1)
    for key, name in (("time_start", "start"), ("time_end", "end")):
        if key not in v:
            raise _Bad(key, "required")
        out[name] = _time(v[key], key)
    return out


def native_volume(value: object, path: str) -> tuple[object, str]:
    """*value* in the native shape, and the path to name in errors (see the module).

    Raises
    ------
    OperationError
        A foreign shape that cannot be read, naming the field (``volumes[0](Volume4D).volume…``).
    """
    from airdecon.operations._model import OperationError

    if not isinstance(value, dict):
        return value, path
    if value.get("type") == "Feature":
        kind, read = "GeoJSON", _geojson
    elif "volume" in value or "time_start" in value:
        kind, read = "Volume4D", _volume4d
    else:
        return value, path
    where = f"{path}({kind})"
    try:
        return read(value), where
    except _Bad as exc:
        raise OperationError(f"{where}.{exc.where}" if exc.where else where, str(exc)) from None
