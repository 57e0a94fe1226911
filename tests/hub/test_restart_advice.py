"""A restarted hub goes on with the advisories its crews are flying (issue 14): the advisories in
force are saved with the latest states and told to the first resolver run after the restart.

Before, a restart forgot them: its first run resolved afresh, and an aircraft still turning onto
the track it was given was sent a different one."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from airdecon.audit import HubKey
from airdecon.hub._cache import _advice
from airdecon.resolution import Advisory
from tests.hub.harness import document, world
from tests.hub.test_advisories_hold import SCENES, _fly


@pytest.mark.parametrize("scene", sorted(SCENES))
def test_an_advisory_being_flown_survives_a_restart(tmp_path: Path, scene: str) -> None:
    fleet = SCENES[scene]()
    kw: dict[str, Any] = {"db": str(tmp_path / "hub.db"), "doc": document(), "key": HubKey.generate()}
    with world(**kw) as w:
        before, _ = _fly(w, fleet, 3)  # advised, and turning onto the advised tracks
        in_force = {k: replace(a, reason="") for k, a in w.hub.advisor.in_force.items()}  # no words kept
        w.hub.cache.save()  # what the save loop does every state_save_s
        stopped_at = w.clock()
    assert in_force and all(before.values()), before
    with world(t0=stopped_at + 1.0, **kw) as w:
        assert w.hub.advisor.in_force == in_force  # read back before the first run
        after, closest = _fly(w, fleet, 40)
    assert all(after.values()), after  # the restarted hub advised every aircraft again
    # and sent each the advisory it was flying (resolved afresh, several were sent another track)
    for ident, sent in before.items():
        assert set(sent) | set(after[ident]) == {sent[0]}, (ident, sent, after[ident])
    assert closest >= 5.0, closest


@pytest.mark.parametrize(
    "saved",
    [
        None,
        [],
        [90.0, None],
        [90.0, None, "invented-rule"],
        [float("nan"), None, "head-on"],
        [361.0, None, "head-on"],
        [90.0, 1e9, "head-on"],
        [True, None, "head-on"],
        ["90", None, "head-on"],
        [None, None, "head-on"],
        {"trk_deg": 90.0, "rule": "head-on"},
    ],
)
def test_a_damaged_saved_advisory_is_dropped(saved: object) -> None:
    assert _advice("BLUE/B-1", "BLUE", saved) is None


def test_a_saved_advisory_reads_back() -> None:
    def adv(key: str, rule: str, trk: float | None = None, vs: float | None = None) -> Advisory:
        return Advisory(key, key.split("/")[0], rule, "", trk, vs)  # type: ignore[arg-type]

    assert _advice("BLUE/B-1", "BLUE", [95.0, None, "head-on"]) == adv("BLUE/B-1", "head-on", 95.0)
    assert _advice("RED/R-1", "RED", [None, -1500, "converging"]) == adv("RED/R-1", "converging", vs=-1500.0)
    assert _advice("RED/R-1", "RED", [360.0, None, "head-on"]) == adv("RED/R-1", "head-on", 0.0)
    assert _advice("RED/R-1", "RED", [None, None, "follow-tcas"]) == adv("RED/R-1", "follow-tcas")
