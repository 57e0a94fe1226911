"""Closed-loop fast-time simulation: aircraft fly the line's advisories with a pilot response model,
and the runs with and without resolution are compared (losses of separation, IPR, extra distance)."""

from airdecon.simulation._kinematics import Flight, G, step
from airdecon.simulation._pilot import PilotModel
from airdecon.simulation._run import PairRecord, Run, fly
from airdecon.simulation._summary import MAX_DURATION_S, Simulation, simulate

__all__ = [
    "MAX_DURATION_S",
    "Flight",
    "G",
    "PairRecord",
    "PilotModel",
    "Run",
    "Simulation",
    "fly",
    "simulate",
    "step",
]
