"""Geometry on the WGS84 ellipsoid: ECEF positions and the local frames the engine measures in."""

from airdecon.geometry._frames import (
    WGS84_A,
    WGS84_E2,
    WGS84_F,
    east_north_up,
    geodetic_to_ecef,
    velocity_ecef,
)

__all__ = [
    "WGS84_A",
    "WGS84_E2",
    "WGS84_F",
    "east_north_up",
    "geodetic_to_ecef",
    "velocity_ecef",
]
