"""simulate(): the closed-loop evaluation of one scenario, baseline and resolution, as one summary.

The baseline (nobody advised: every aircraft flies its intent) is always flown; with resolution on,
the same scenario is flown again with the line's advisories and the pilot model, and the two are
compared:

* ``losses_of_separation``: the pairs that lost separation, each with its time in loss and its
  closest moment; ``los_s``: the total time in loss over all pairs (pair-seconds);
* ``min_separation``: every tracked pair (any pair predicted in conflict in either run) at its
  closest moment: horizontal distance (NM), vertical distance (ft), time; a loss iff both are
  below the minima;
* ``extra_distance_nm``: summed over the aircraft, the horizontal distance flown plus the
  great-circle distance still to go to where the same aircraft was at the end of the baseline,
  minus the distance it flew in the baseline (what the manoeuvres cost in track miles; a slower
  or diverted aircraft pays for the way still to go);
* ``max_altitude_deviation_ft``: the largest distance of any aircraft from its intended vertical
  profile (vertical manoeuvres cost altitude, not track miles);
* ``instructions``: how many new or changed advisories the pilots were given (each one costs a
  pilot a response delay; an advisory given again unchanged is not one);
* ``ipr`` (intrusion prevention rate): (pairs in loss without resolution - pairs in loss with it)
  / pairs in loss without it; ``null`` when the baseline has no loss or resolution is off.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from airdecon.errors import InputError
from airdecon.protocol import SafetyProtocol
from airdecon.scenario import Scenario
from airdecon.simulation._pilot import PilotModel
from airdecon.simulation._run import PairRecord, Run, fly, straight_distance_m
from airdecon.units import FT, NM

__all__ = ["MAX_DURATION_S", "Simulation", "simulate"]

MAX_DURATION_S = 86_400.0
"""The longest run simulate() accepts (one day of fast time)."""


@dataclass(frozen=True)
class Simulation:
    """The result of :func:`simulate`: both runs and the settings; :meth:`summary` is the document."""

    scenario: Scenario
    duration_s: float
    step_s: float
    resolution: bool
    pilot: PilotModel
    seed: int
    baseline: Run
    resolved: Run | None

    @property
    def ipr(self) -> float | None:
        """Intrusion prevention rate, or None (resolution off, or no loss in the baseline)."""
        base = len(self.baseline.losses())
        if self.resolved is None or base == 0:
            return None
        return (base - len(self.resolved.losses())) / base

    @property
    def extra_distance_m(self) -> float:
        """Track miles the manoeuvres cost, summed over the aircraft (metres; 0 without resolution)."""
        if self.resolved is None or self.resolved.final is None or self.baseline.final is None:
            return 0.0
        to_go = straight_distance_m(self.resolved.final, self.baseline.final)
        return float(np.sum(self.resolved.path_m + to_go - self.baseline.path_m))

    def summary(self) -> dict[str, Any]:
        """The ``summary.json`` document (aviation units, named in the keys)."""
        run = self.resolved if self.resolved is not None else self.baseline
        proto = self.scenario.protocol
        doc: dict[str, Any] = {
            "scenario": self.scenario.source,
            "aircraft": len(self.scenario.fleet),
            "duration_s": self.duration_s,
            "step_s": self.step_s,
            "resolution": "on" if self.resolution else "off",
            "response_delay_s": self.pilot.response_delay_s,
            "compliance": self.pilot.compliance,
            "seed": self.seed,
            "protocol": proto.to_mapping(),
            "losses_of_separation": _losses(run),
            "los_s": _total_los(run),
            "min_separation": [_closest(p, r) for p, r in run.pairs.items()],
            "extra_distance_nm": round(self.extra_distance_m / NM, 3),
            "max_altitude_deviation_ft": round(float(np.max(run.max_alt_deviation_m, initial=0.0)) / FT, 1),
            "advised_aircraft": int(np.count_nonzero(run.advised)),
            "instructions": run.instructions,
            "ipr": None if self.ipr is None else round(self.ipr, 4),
        }
        if self.resolved is not None:
            doc["baseline"] = {
                "losses_of_separation": _losses(self.baseline),
                "los_s": _total_los(self.baseline),
            }
        return doc


def simulate(
    scenario: Scenario,
    *,
    duration_s: float = 600.0,
    step_s: float = 1.0,
    resolution: bool = True,
    pilot: PilotModel | None = None,
    seed: int = 0,
) -> Simulation:
    """Fly *scenario* closed-loop: the baseline, and with *resolution* the advised run too.

    Raises
    ------
    InputError
        When *duration_s* is not in (0, :data:`MAX_DURATION_S`], *step_s* not in (0, 10], or
        *seed* negative.
    """
    if not (
        isinstance(duration_s, int | float) and math.isfinite(duration_s) and 0 < duration_s <= MAX_DURATION_S
    ):
        raise InputError(f"duration must be in (0, {MAX_DURATION_S:g}] s, got {duration_s!r}")
    if not (isinstance(step_s, int | float) and math.isfinite(step_s) and 0 < step_s <= 10.0):
        raise InputError(f"step must be in (0, 10] s, got {step_s!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError(f"seed must be an integer >= 0, got {seed!r}")
    model = pilot if pilot is not None else PilotModel()
    scenario = replace(scenario, protocol=_told_how_pilots_fly(scenario.protocol, model))
    fleet, proto = scenario.fleet, scenario.protocol
    baseline = fly(
        fleet, proto, duration_s=duration_s, step_s=step_s, resolution=False, pilot=model, seed=seed
    )
    resolved = None
    if resolution:
        resolved = fly(
            fleet,
            proto,
            duration_s=duration_s,
            step_s=step_s,
            resolution=True,
            pilot=model,
            seed=seed,
            watch=frozenset(baseline.pairs),
        )
    return Simulation(scenario, float(duration_s), float(step_s), resolution, model, seed, baseline, resolved)


def _told_how_pilots_fly(proto: SafetyProtocol, model: PilotModel) -> SafetyProtocol:
    """*proto*, with the pilot model's rate of turn as the line's assumption of how a turn is
    flown where *proto* leaves it at 0 (at once): in a simulation the pilot model is what the
    parties would agree their pilots do."""
    if proto.turn_rate_dps:
        return proto
    return replace(proto, turn_rate_dps=min(max(model.turn_rate_dps, 0.5), 10.0))


def _closest(pair: tuple[str, str], rec: PairRecord) -> dict[str, Any]:
    return {
        "a": pair[0],
        "b": pair[1],
        "horizontal_nm": round(rec.horizontal_m / NM, 3),
        "vertical_ft": round(rec.vertical_m / FT, 1),
        "t_s": rec.t_s,
        "loss": rec.closeness < 1.0,
    }


def _losses(run: Run) -> list[dict[str, Any]]:
    return [{**_closest(p, r), "los_s": r.los_s} for p, r in run.losses().items()]


def _total_los(run: Run) -> float:
    return float(sum(r.los_s for r in run.pairs.values()))
