"""Geometry on the WGS84 ellipsoid: ECEF positions and the local frames the engine measures in."""

from airdecon.geometry._frames import (
    WGS84_A,
    WGS84_E2,
    WGS84_F,
    east_north_up,
    geodetic_to_ecef,
    velocity_ecef,
)
from airdecon.geometry._sphere import EARTH_RADIUS_M, bearing_range_nm, destination, distance_m

__all__ = [
    "EARTH_RADIUS_M",
    "WGS84_A",
    "WGS84_E2",
    "WGS84_F",
    "bearing_range_nm",
    "destination",
    "distance_m",
    "east_north_up",
    "geodetic_to_ecef",
    "velocity_ecef",
]
