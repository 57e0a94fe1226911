"""One cluster that cannot be resolved never stops the advisories of the others (issue 12 §1).

A bug met on one encounter's data is simulated by making the resolution of the cluster that holds
one aircraft raise: the other encounter still gets its verified advisories, and the failed one is
reported per conflict (``failed``, an error, no advisories) instead of the whole call failing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from resolution_scenes import ac, place

import airdecon
from airdecon import SafetyProtocol
from airdecon.alerting import Level
from airdecon.resolution import _resolve, resolve


def _two_encounters() -> Any:
    """Two head-on pairs 200 NM apart: two clusters."""
    return place(
        [
            ac("BLUE-1", 0, 0, 450, 0, 30000, party="BLUE"),
            ac("RED-1", 40, 0, -450, 0, 30000, party="RED"),
            ac("BLUE-2", 0, 200, 450, 0, 30000, party="BLUE"),
            ac("RED-2", 40, 200, -450, 0, 30000, party="RED"),
        ]
    )


def test_a_cluster_that_raises_is_reported_failed_and_the_others_are_resolved(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fleet = _two_encounters()
    proto = SafetyProtocol()
    conflicts = airdecon.detect(fleet, proto)
    assert len(conflicts) == 2
    real = _resolve._Resolver._cluster

    def poisoned(self: Any, ks: Any) -> None:
        ids = {str(self.fleet.ids[r]) for k in ks for r in (self.cs.i[k], self.cs.j[k])}
        if "BLUE-2" in ids:
            raise ZeroDivisionError("poisoned cluster")
        real(self, ks)

    monkeypatch.setattr(_resolve._Resolver, "_cluster", poisoned)
    res = resolve(fleet, conflicts, proto)
    by_pair = {frozenset((cr.conflict.a, cr.conflict.b)): cr for cr in res}
    good, bad = by_pair[frozenset(("BLUE-1", "RED-1"))], by_pair[frozenset(("BLUE-2", "RED-2"))]
    assert good.error is None and good.resolved and [a.rule for a in good.advisories] == ["head-on"] * 2
    assert bad.advisories == () and not bad.resolved
    assert bad.error == "ZeroDivisionError: poisoned cluster"
    assert bad.level >= Level.WARNING  # no safe manoeuvre is known: escalated, as when none exists
    assert set(res.by_aircraft) == {"BLUE-1", "RED-1"}
    assert res.failed is not None and int(np.sum(res.failed)) == 1
    assert "error" in res.to_dicts()[[cr.error is not None for cr in res].index(True)]


def test_a_failed_cluster_leaves_no_half_plan_for_the_next(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the failed cluster chose before it raised is undone: the next cluster is resolved as if
    the failed one had never been tried."""
    fleet = _two_encounters()
    proto = SafetyProtocol()
    conflicts = airdecon.detect(fleet, proto)
    clean = resolve(fleet, conflicts, proto)
    real = _resolve._Resolver._cluster

    def half_then_raise(self: Any, ks: Any) -> None:
        ids = {str(self.fleet.ids[r]) for k in ks for r in (self.cs.i[k], self.cs.j[k])}
        real(self, ks)
        if "BLUE-1" in ids:
            raise RuntimeError("after choosing")

    monkeypatch.setattr(_resolve._Resolver, "_cluster", half_then_raise)
    res = resolve(fleet, conflicts, proto)
    assert "BLUE-1" not in res.by_aircraft and "RED-1" not in res.by_aircraft
    assert res.by_aircraft["BLUE-2"] == clean.by_aircraft["BLUE-2"]
