"""What a sampled aircraft tells a hub of its intent: its measured turn rate and its selected altitude.

Detection's hypotheses (:mod:`airdecon.detection._hypotheses`) need two optional columns of a
:class:`~airdecon.state.Fleet`; in the closed loop (:func:`airdecon.encounters.fly` with
``intent=True``) each aircraft of an encounter carries them as a hub would have them:

* ``turn_dps``: the track rate of a steady turn, **measured** from the 1 Hz true tracks exactly as
  the hub's picture measures it from reports (:func:`airdecon.state.turn_updates`: 4 s baseline,
  steady after two consistent rates). The hub is taken to have tracked each aircraft before the
  encounter began at its sampled initial turn rate (:func:`turn_state0`): the model's initial
  network gives that rate, and without it every encounter would start with 8 s of no turn.
* ``sel_alt_m``: the **selected altitude** of a climb or descent, taken from the aircraft's own
  sampled trajectory (:func:`level_off_altitudes`): while it climbs or descends (``|vs| >=``
  :data:`airdecon.state.LEVEL_OFF_MIN_VS_MPS`), the altitude at which its sampled vertical rate
  next drops below that rate (it levels off there); NaN while level, when it does not level off
  before the encounter ends, and once it flies an advisory (the pilot left the clearance). The
  encounter models have no selected altitude: this is *perfect intent*, as the bench's
  surveillance is perfect, an upper bound on what a broadcast selected altitude can give. Its
  levels are where the model's Markov chain happened to stop a climb, not cleared flight levels.
"""

from __future__ import annotations

import numpy as np

from airdecon.encounters._build import EncounterSet
from airdecon.state import LEVEL_OFF_MIN_VS_MPS, TURN_MIN_DPS
from airdecon.units import FloatArray

__all__ = ["level_off_altitudes", "turn_state0"]


def turn_state0(turn_dps: FloatArray, trk_deg: FloatArray) -> FloatArray:
    """The hub's track-rate state (:func:`airdecon.state.turn_update`) of each aircraft at t = 0,
    as if tracked before at its initial turn rate *turn_dps*: array of shape (m, 4)."""
    steady = np.where(np.abs(turn_dps) >= TURN_MIN_DPS, turn_dps, 0.0)
    return np.column_stack([np.zeros_like(trk_deg), trk_deg, turn_dps, steady])


def level_off_altitudes(enc: EncounterSet) -> FloatArray:
    """The selected altitude of every aircraft at each whole second flown open loop (module
    docstring): array of shape (2n, duration_s + 1), metres, NaN where none."""
    h = enc.trajectories().h_m
    m, steps = enc.vs_mps.shape
    moving = np.abs(enc.vs_mps) >= LEVEL_OFF_MIN_VS_MPS  # flown over [t, t + 1]
    # the first second u >= t at which the aircraft is level (steps: never, within the encounter)
    idx = np.where(moving, steps, np.arange(steps)[None, :])
    nxt = np.minimum.accumulate(idx[:, ::-1], axis=1)[:, ::-1]
    out = np.full((m, steps + 1), np.nan)
    rows = np.arange(m)[:, None]
    ok = moving & (nxt < steps)
    alt = h[rows, np.minimum(nxt, steps)]
    out[:, :steps] = np.where(ok, alt, np.nan)
    return out
