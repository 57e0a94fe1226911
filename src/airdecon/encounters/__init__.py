"""Encounter models: sampling the MIT Lincoln Laboratory Bayesian-network encounter models.

::

    model = read_model("../shared/data/encounter-models/model/cor_v1.txt")
    enc = sample_correlated(model, 1000, np.random.default_rng(1))   # two aircraft each, SI units
    tr = enc.trajectories()                                           # flown open loop, 1 Hz
    tr, since = fly(enc, advise, pilot=Pilot(delay_s=5))              # closed loop: advise(t, Fleet)
"""

from airdecon.encounters._build import (
    COR_LAYERS_FT,
    EncounterSet,
    Trajectories,
    sample_correlated,
    sample_due_regard,
)
from airdecon.encounters._closedloop import Advise, Pilot, fly
from airdecon.encounters._kinematics import KinState, advance, to_geodetic
from airdecon.encounters._model import BayesNet, EncounterModel, parse_model, read_model
from airdecon.encounters._sample import sample_dynamic, sample_initial, to_values

__all__ = [
    "COR_LAYERS_FT",
    "Advise",
    "BayesNet",
    "EncounterModel",
    "EncounterSet",
    "KinState",
    "Pilot",
    "Trajectories",
    "advance",
    "fly",
    "parse_model",
    "read_model",
    "sample_correlated",
    "sample_due_regard",
    "sample_dynamic",
    "sample_initial",
    "to_geodetic",
    "to_values",
]
