"""Geometry: the WGS84 frames the engine measures in, and spherical geodesy for everything else."""

from airdecon.geometry._frames import (
    WGS84_A,
    WGS84_E2,
    WGS84_F,
    east_north_up,
    ecef_states,
    geodetic_to_ecef,
    velocity_ecef,
)
from airdecon.geometry._sphere import (
    EARTH_RADIUS_M,
    bearing_range_nm,
    destination,
    distance_m,
    distances_m,
    initial_bearing_deg,
    local_offset_m,
)

__all__ = [
    "EARTH_RADIUS_M",
    "WGS84_A",
    "WGS84_E2",
    "WGS84_F",
    "bearing_range_nm",
    "destination",
    "distance_m",
    "distances_m",
    "east_north_up",
    "ecef_states",
    "geodetic_to_ecef",
    "initial_bearing_deg",
    "local_offset_m",
    "velocity_ecef",
]
