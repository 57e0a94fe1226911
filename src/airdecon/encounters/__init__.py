"""Encounter models: sampling the MIT Lincoln Laboratory Bayesian-network encounter models."""

from airdecon.encounters._build import (
    COR_LAYERS_FT,
    EncounterSet,
    Trajectories,
    sample_correlated,
    sample_due_regard,
)
from airdecon.encounters._kinematics import KinState, advance, to_geodetic
from airdecon.encounters._model import BayesNet, EncounterModel, parse_model, read_model
from airdecon.encounters._sample import sample_dynamic, sample_initial, to_values

__all__ = [
    "COR_LAYERS_FT",
    "BayesNet",
    "EncounterModel",
    "EncounterSet",
    "KinState",
    "Trajectories",
    "advance",
    "parse_model",
    "read_model",
    "sample_correlated",
    "sample_due_regard",
    "sample_dynamic",
    "sample_initial",
    "to_geodetic",
    "to_values",
]
