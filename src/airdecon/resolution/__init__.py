"""Resolution: Annex 2 and TCAS-style advisories for every conflict, verified by re-prediction."""

from airdecon.resolution._advisory import RULES, Advisory, ConflictResolution, Resolution, Rule
from airdecon.resolution._geometry import (
    Encounter,
    Kind,
    encounter_geometry,
    relative_bearing_deg,
    right_of_way,
)
from airdecon.resolution._resolve import (
    MAX_COMBINATIONS,
    RATES_FPM,
    REFERENCE_PAIRS_PER_S,
    TURN_STEP_DEG,
    TURNS_DEG,
    resolve,
)
from airdecon.resolution._tcas import RA_TABLE, RaRegion, ra_region, sensitivity_level

__all__ = [
    "MAX_COMBINATIONS",
    "RATES_FPM",
    "RA_TABLE",
    "REFERENCE_PAIRS_PER_S",
    "RULES",
    "TURNS_DEG",
    "TURN_STEP_DEG",
    "Advisory",
    "ConflictResolution",
    "Encounter",
    "Kind",
    "RaRegion",
    "Resolution",
    "Rule",
    "encounter_geometry",
    "ra_region",
    "relative_bearing_deg",
    "resolve",
    "right_of_way",
    "sensitivity_level",
]
