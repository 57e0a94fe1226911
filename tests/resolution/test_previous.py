"""Advisories that hold (issue 14, item 5): ``resolve(previous=...)`` keeps an aircraft's advisory
while it still works, instead of switching every second to a marginally cheaper one.

* a previous advisory that is part of a combination with no loss of separation is kept, even when
  a smaller manoeuvre would do;
* one that no longer works (every aircraft keeping its previous advisory loses separation) is
  replaced, and the pair is still resolved;
* previous advisories of aircraft not in the fleet are ignored, and ones that carry no instruction
  change nothing; a malformed one is an input error;
* the same inputs give the same advice (no clock, no state between calls).
"""

from __future__ import annotations

import dataclasses

import pytest
from resolution_scenes import ac, apply, place

import airdecon
from airdecon import SafetyProtocol
from airdecon.errors import InputError
from airdecon.resolution import Advisory, resolve


def head_on() -> airdecon.Fleet:
    return place([ac("A", -20, 0, 450, 0, 30000), ac("B", 20, 0, -450, 0, 30000)])


def _advice(res: airdecon.Resolution) -> dict[str, dict[str, object]]:
    return {k: v.to_dict() for k, v in res.by_aircraft.items()}


def test_a_previous_advisory_that_still_works_is_kept_over_a_smaller_one() -> None:
    fleet, proto = head_on(), SafetyProtocol()
    cs = airdecon.detect(fleet, proto)
    fresh = resolve(fleet, cs, proto)
    a = fresh.by_aircraft["A"]
    assert a.trk_deg is not None and fresh.resolved.all()
    wider = dataclasses.replace(a, trk_deg=(a.trk_deg + 20.0) % 360.0)  # 20 degrees more to the right
    held = resolve(fleet, cs, proto, previous={"A": wider})
    assert held.by_aircraft["A"].trk_deg == wider.trk_deg  # kept, though a smaller turn would do
    assert held.resolved.all()
    assert len(airdecon.detect(apply(fleet, held), proto)) == 0  # and it does keep them apart
    # the same inputs, the same advice
    assert _advice(resolve(fleet, cs, proto, previous={"A": wider})) == _advice(held)


def test_previous_advisories_that_no_longer_work_are_replaced() -> None:
    fleet, proto = head_on(), SafetyProtocol()
    cs = airdecon.detect(fleet, proto)
    # both told to hold their tracks, straight at each other: keeping both cannot work
    straight = {
        aid: Advisory(aid, "CIVIL", "maintain", "maintain", trk_deg=float(round(fleet.trk_deg[k])))
        for k, aid in enumerate(fleet.ids.tolist())
    }
    res = resolve(fleet, cs, proto, previous=straight)
    assert res.resolved.all()
    assert any(res.by_aircraft[a].trk_deg != straight[a].trk_deg for a in ("A", "B"))
    assert len(airdecon.detect(apply(fleet, res), proto)) == 0


def test_unknown_aircraft_and_empty_advisories_change_nothing() -> None:
    fleet, proto = head_on(), SafetyProtocol()
    cs = airdecon.detect(fleet, proto)
    fresh = _advice(resolve(fleet, cs, proto))
    gone = Advisory("GONE", "CIVIL", "converging", "turn", trk_deg=10.0)
    tcas = Advisory("A", "CIVIL", "follow-tcas", "follow TCAS")
    assert _advice(resolve(fleet, cs, proto, previous={"GONE": gone, "A": tcas})) == fresh
    assert _advice(resolve(fleet, cs, proto, previous={})) == fresh


@pytest.mark.parametrize(
    "bad",
    [
        "turn right",
        Advisory("A", "CIVIL", "converging", "turn", trk_deg=360.0),
        Advisory("A", "CIVIL", "converging", "turn", trk_deg=float("nan")),
        Advisory("A", "CIVIL", "vertical", "climb", vs_fpm=float("inf")),
    ],
)
def test_a_malformed_previous_advisory_is_an_input_error(bad: object) -> None:
    fleet, proto = head_on(), SafetyProtocol()
    cs = airdecon.detect(fleet, proto)
    with pytest.raises(InputError, match="previous"):
        resolve(fleet, cs, proto, previous={"A": bad})  # type: ignore[dict-item]
