"""Live advisories hold (issue 14): the hub tells the resolver the advisories in force
(``resolve(previous=...)``), so an officer's advisory does not flip from one run to the next while
the one given still keeps separation.

A real in-process hub (real store, real resolver) on a scene the officers' aircraft fly: each
second every aircraft turns toward its advised track at 3 deg/s and takes its advised vertical
rate, reports, and the hub runs a detection cycle and an advisory run. A turn still under way is
seen by the resolver as a new straight track; resolved afresh each run, it sent a marginally
different manoeuvre run after run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from airdecon.errors import InputError
from airdecon.geometry import destination, distance_m
from airdecon.hub import _advice
from airdecon.resolution import Advisory
from airdecon.units import KT, NM
from tests.hub.harness import World, world

RUNS = 90


@dataclass
class Flying:
    """One aircraft as it flies: wire units, its party, the advisory it was last given."""

    party: str
    ident: str
    lat: float
    lon: float
    trk: float
    alt_ft: float = 25000.0
    vs_fpm: float = 0.0
    gs_kt: float = 450.0
    told_trk: float | None = None
    told_vs: float | None = None

    def report(self) -> dict[str, Any]:
        return {"id": self.ident, "lat": self.lat, "lon": self.lon, "alt_ft": self.alt_ft,
                "gs_kt": self.gs_kt, "trk_deg": self.trk, "vs_fpm": self.vs_fpm}  # fmt: skip

    def fly(self, dt: float) -> None:
        """*dt* seconds: toward the advised track at 3 deg/s (the shorter way), the advised rate."""
        if self.told_trk is not None:
            d = (self.told_trk - self.trk + 180.0) % 360.0 - 180.0
            self.trk = (self.trk + float(np.clip(d, -3.0 * dt, 3.0 * dt))) % 360.0
        if self.told_vs is not None:
            self.vs_fpm = self.told_vs
        lat, lon = destination(self.lat, self.lon, self.trk, self.gs_kt * KT * dt)
        self.lat, self.lon = float(lat), float(lon)
        self.alt_ft += self.vs_fpm * dt / 60.0


def _converging(n: int, r_nm: float, offset_deg: float) -> list[Flying]:
    """*n* aircraft of the four parties converging on one point from *r_nm*, level at FL250."""
    parties = ("BLUE", "RED", "GREEN", "CIVIL")
    out = []
    for k in range(n):
        party, bearing = parties[k % 4], offset_deg + 360.0 * k / n  # where it starts, from the centre
        lat, lon = destination(35.0, 20.0, bearing, r_nm * NM)
        out.append(Flying(party, f"{party[0]}-{k}", float(lat), float(lon), (bearing + 180.0) % 360.0))
    return out


def _head_on_offset() -> list[Flying]:
    """BLUE east and RED west, 15 NM apart, RED 0.6 NM north of BLUE's line."""
    lat, lon = destination(35.0, 20.0, 90.0, 15.0 * NM)
    blue = Flying("BLUE", "B-1", 35.0, 20.0, 90.0)
    return [blue, Flying("RED", "R-1", float(lat) + 0.01, float(lon), 270.0)]


SCENES = {"head-on-offset": _head_on_offset, "four-converging": lambda: _converging(4, 20.0, 45.0)}


def _fly(w: World, fleet: list[Flying], runs: int) -> tuple[dict[str, list[tuple[Any, Any]]], float]:
    """Fly *runs* seconds: the advisories each party was sent for its aircraft (track, vertical
    rate), in order, and the closest any two came horizontally, NM (all stay level)."""
    sent: dict[str, list[tuple[Any, Any]]] = {f.ident: [] for f in fleet}
    closest = float("inf")
    cursor: dict[str, str | None] = {p: None for p in {f.party for f in fleet}}
    for _ in range(runs):
        for f in fleet:
            assert w.report(f.party, f.report()).status_code == 202
        w.step(1.0)
        for party in cursor:
            after = {"after": cursor[party]} if cursor[party] else {}
            r = w.get(party, "/v1/alerts/history", **after)
            assert r.status_code == 200, r.text
            for ev in r.json()["events"]:
                cursor[party] = ev["cursor"]
                if ev["kind"] != "advisory":
                    continue
                adv = ev["data"]
                f = next(x for x in fleet if x.ident == adv["aircraft"] and x.party == party)
                f.told_trk, f.told_vs = adv.get("trk_deg"), adv.get("vs_fpm")
                sent[f.ident].append((adv.get("trk_deg"), adv.get("vs_fpm")))
        for f in fleet:
            f.fly(1.0)
        for k, f in enumerate(fleet):
            for g in fleet[k + 1 :]:
                closest = min(closest, distance_m(f.lat, f.lon, g.lat, g.lon) / NM)
    return sent, closest


@pytest.mark.parametrize("scene", sorted(SCENES))
def test_an_advisory_that_still_works_is_not_replaced_at_the_next_run(scene: str) -> None:
    fleet = SCENES[scene]()
    with world() as w:
        sent, closest = _fly(w, fleet, RUNS)
    assert all(sent.values()), sent  # every aircraft was advised
    # each aircraft kept the one advisory it was given (resolved afresh every run, one aircraft
    # was sent 3 to 5 different tracks, a few degrees apart, on these scenes)
    assert all(len(set(s)) == 1 for s in sent.values()), sent
    assert fleet[0].trk != SCENES[scene]()[0].trk  # it was flown
    assert closest >= 5.0, closest  # and it kept them apart (5 NM, all level at FL250)


def test_the_hub_passes_the_advisories_in_force_to_the_resolver() -> None:
    seen: list[dict[str, Advisory]] = []
    real = _advice._resolve_job

    def job(fleet: Any, conflicts: Any, protocol: Any, distress: Any, previous: Any) -> Any:
        seen.append(dict(previous))
        return real(fleet, conflicts, protocol, distress, previous)

    fleet = SCENES["four-converging"]()
    with world() as w:
        w.hub.advisor.job = job  # the real job, watched
        _fly(w, fleet, 3)
        in_force = dict(w.hub.advisor.in_force)
    assert seen[0] == {}  # nothing in force at the first run
    # the next runs are told what the one before issued, by fleet key, for each aircraft
    assert set(seen[1]) == set(seen[2]) == {f"{f.party}/{f.ident}" for f in fleet}
    assert all(isinstance(a, Advisory) and a.party == k.split("/")[0] for k, a in seen[1].items())
    assert set(in_force) == set(seen[1])


def test_the_resolver_process_is_told_them_too() -> None:
    """With the resolver in its own process (under ``resolver_budget_s``), advisories hold alike."""
    fleet = SCENES["head-on-offset"]()
    with world(resolver_process=True) as w:
        sent, closest = _fly(w, fleet, 40)
        assert w.hub.advisor.worker_pids()
    assert all(sent.values()) and all(len(set(s)) == 1 for s in sent.values()), sent
    assert closest >= 5.0, closest


def test_a_run_that_fails_leaves_nothing_in_force_for_the_next() -> None:
    """Whatever made a run fail, the next one resolves afresh and advises (an advisory in force
    never stops the advisories)."""
    fleet = SCENES["head-on-offset"]()
    with world() as w:
        _fly(w, fleet, 2)
        assert set(w.hub.advisor.in_force) == {"BLUE/B-1", "RED/R-1"}
        bad = Advisory("BLUE/B-1", "BLUE", "head-on", "", trk_deg=float("nan"))
        w.hub.advisor.in_force["BLUE/B-1"] = bad
        with pytest.raises(InputError, match="previous"):
            w.hub.advisor.advise()
        assert w.hub.advisor.in_force == {}
        w.hub.advisor.advise()
        assert set(w.hub.advisor.in_force) == {"BLUE/B-1", "RED/R-1"}
