"""The detection cycle survives any one bad item (issue 12 §1): an alert or a distress case whose
processing raises (a bug met on one item's data, simulated by making it raise for that item only)
is left out, logged once, and every other event of the cycle is recorded."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from airdecon.hub import _alerts, _picture
from tests.hub.harness import World, aircraft, world


def _pair(w: World, n: int, lat: float) -> None:
    w.report("BLUE", aircraft(f"B-{n}", lat, 10.0, 90))
    w.report("RED", aircraft(f"R-{n}", lat, 10.435, 270))


def _events(w: World, party: str, kind: str) -> list[dict[str, Any]]:
    return [e for e in w.get(party, "/v1/events").json()["events"] if e["kind"] == kind]


def test_one_alert_that_raises_leaves_the_other_alerts_and_the_cycle_going(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real = _alerts.AlertDesk._event

    def poisoned(self: Any, ev: Any, *args: Any) -> Any:
        if "B-2" in ev.a or "B-2" in ev.b:
            raise ZeroDivisionError("poisoned alert")
        return real(self, ev, *args)

    monkeypatch.setattr(_alerts.AlertDesk, "_event", poisoned)
    with world() as w, caplog.at_level(logging.ERROR, "airdecon.hub"):
        _pair(w, 1, 40.0)
        _pair(w, 2, 42.0)
        w.hub.cycle.run()  # raised nothing
        for _ in range(3):
            w.step(1, advise=False)
        alerts = _events(w, "BLUE", "alert")
        assert alerts and all(e["data"]["own"][0]["id"] == "B-1" for e in alerts)
        said = [r.getMessage() for r in caplog.records]
        assert sum("alert" in m and "the cycle goes on" in m for m in said) == 1  # once, not at every cycle


def test_one_distress_case_that_raises_leaves_the_other_cases_resent(monkeypatch: pytest.MonkeyPatch) -> None:
    with world() as w:
        w.report("BLUE", aircraft("B-8", 30.0, 10.0, 90))
        w.report("RED", aircraft("R-8", 32.0, 10.0, 90))
        w.step(1, advise=False)
        assert w.post("BLUE", "/v1/distress", {"id": "B-8", "reason": "fire"}).status_code == 201
        assert w.post("RED", "/v1/distress", {"id": "R-8", "reason": "fire"}).status_code == 201
        real = w.hub.distress.event

        def poisoned(case: Any, stage: str, views: Any = None) -> Any:
            if case.aircraft_id == "B-8":
                raise KeyError("poisoned case")
            return real(case, stage, views)

        monkeypatch.setattr(w.hub.distress, "event", poisoned)
        _pair(w, 1, 40.0)
        w.report("BLUE", aircraft("B-8", 30.0, 10.05, 90))  # both cases still flying
        w.report("RED", aircraft("R-8", 32.0, 10.05, 90))
        w.step(31, advise=False)  # past acknowledge_within_s: both cases are resent, the pair alerts
        stages = [(e["data"]["id"], e["data"]["stage"]) for e in _events(w, "GREEN", "distress")]
        assert ("R-8", "resent") in stages and ("B-8", "resent") not in stages
        assert _events(w, "BLUE", "alert")  # the cycle's other events were recorded


def _poison_detect(monkeypatch: pytest.MonkeyPatch, *poison: str) -> list[int]:
    """The engine raises whenever every aircraft of *poison* is in the fleet (a bug met on their
    data); returns a list that counts its calls."""
    real = _picture.detect
    calls: list[int] = []

    def poisoned(fleet: Any, protocol: Any, **kw: Any) -> Any:
        calls.append(len(fleet))
        if all(k in set(fleet.ids.tolist()) for k in poison):
            raise FloatingPointError("poisoned engine")
        return real(fleet, protocol, **kw)

    monkeypatch.setattr(_picture, "detect", poisoned)
    return calls


@pytest.mark.parametrize("poison", [("RED/R-9",), ("CIVIL/C-1", "RED/R-9")])
def test_aircraft_the_engine_raises_on_are_left_out_and_every_other_alert_goes_on(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, poison: tuple[str, ...]
) -> None:
    with world() as w, caplog.at_level(logging.ERROR, "airdecon.hub"):
        _pair(w, 1, 40.0)  # an unrelated BLUE/RED conflict
        w.report("RED", aircraft("R-9", 20.0, 10.0, 90))
        w.report("CIVIL", aircraft("C-1", 25.0, 10.0, 90))
        for i in range(12):
            w.report("CIVIL", aircraft(f"C-{10 + i}", 10.0 + i, 20.0, 90))
        calls = _poison_detect(monkeypatch, *poison)
        for _ in range(3):
            w.step(1, advise=False)
        alerts = _events(w, "BLUE", "alert")
        assert alerts and alerts[-1]["data"]["own"][0]["id"] == "B-1"
        left = w.hub.context.picture.quarantine.left_out
        assert left and set(left) <= set(poison)
        said = [r.getMessage() for r in caplog.records if "detection" in r.getMessage()]
        assert len(said) == 1 and all(k in said[0] for k in left)  # logged once, naming the culprits
        n = len(calls)
        w.step(1, advise=False)
        assert len(calls) - n == 2  # a poison that stays: the whole fleet, then the fleet without it
