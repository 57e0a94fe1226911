"""Every Annex 2 case and every vertical case, end to end on the globe: detect -> resolve -> re-predict.

Each scenario asserts who does what (rule, direction, sense) and that flying the advisories, checked
by an independent call of the real engine, leaves no loss of separation within the look-ahead.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from resolution_scenes import ANTIMERIDIAN, ORIGIN, ac, apply, place

import airdecon
from airdecon import Fleet, SafetyProtocol
from airdecon.alerting import Level
from airdecon.errors import InputError
from airdecon.protocol import RulesOfTheAir
from airdecon.resolution import Resolution, resolve

ORIGINS = pytest.mark.parametrize("origin", [ORIGIN, ANTIMERIDIAN], ids=["35N38E", "antimeridian"])


def _run(
    records: list[dict[str, object]],
    origin: tuple[float, float] = ORIGIN,
    protocol: SafetyProtocol | None = None,
    **kw: object,
) -> tuple[Fleet, Resolution]:
    fleet = place(records, origin)
    proto = protocol or SafetyProtocol()
    conflicts = airdecon.detect(fleet, proto)
    assert len(conflicts) >= 1, "the scenario must start in conflict"
    return fleet, resolve(fleet, conflicts, proto, **kw)  # type: ignore[arg-type]


def _turn(fleet: Fleet, res: Resolution, aid: str) -> float:
    """Signed heading change of an advisory (positive = right), degrees."""
    adv = res.advisory(aid)
    assert adv.trk_deg is not None
    return float((adv.trk_deg - fleet.trk_deg[fleet.index(aid)] + 180.0) % 360.0 - 180.0)


def _assert_clear(fleet: Fleet, res: Resolution, protocol: SafetyProtocol | None = None) -> None:
    assert res.resolved.all()
    after = airdecon.detect(apply(fleet, res), protocol or SafetyProtocol())
    assert len(after) == 0, after.to_dicts()


# --------------------------------------------------------------------------------------- Annex 2
@ORIGINS
def test_head_on_both_turn_right(origin: tuple[float, float]) -> None:
    fleet, res = _run(
        [ac("BLUE-1", 0, 0, 450, 0, 30000, party="BLUE"), ac("RED-1", 40, 0, -450, 0, 30000, party="RED")],
        origin,
    )
    for aid in ("BLUE-1", "RED-1"):
        assert res.advisory(aid).rule == "head-on"
        assert 0 < _turn(fleet, res, aid) <= 90
        assert res.advisory(aid).vs_fpm is None
        assert "turn right" in res.advisory(aid).reason
    # each party gets only its own aircraft's advisory
    assert set(res.for_party("BLUE")) == {"BLUE-1"}
    assert res.for_party("RED")["RED-1"].party == "RED"
    _assert_clear(fleet, res)


@ORIGINS
def test_converging_from_the_right_give_way_turns_right_other_maintains(origin: tuple[float, float]) -> None:
    # E02: B converges from A's right; A gives way
    fleet, res = _run([ac("A", 0, 0, 0, 480, 35000), ac("B", 20, 16, -480, 0, 35000)], origin)
    a, b = res.advisory("A"), res.advisory("B")
    assert a.rule == "converging" and _turn(fleet, res, "A") > 0
    assert b.rule == "maintain" and _turn(fleet, res, "B") == pytest.approx(0.0, abs=1e-6)
    assert "right of way" in b.reason
    _assert_clear(fleet, res)


def test_converging_from_the_left_the_other_aircraft_gives_way() -> None:
    fleet, res = _run([ac("A", 0, 0, 0, 480, 35000), ac("B", -20, 16, 480, 0, 35000)])
    assert res.advisory("A").rule == "maintain"
    assert res.advisory("B").rule == "converging" and _turn(fleet, res, "B") > 0
    _assert_clear(fleet, res)


@ORIGINS
def test_overtaking_from_astern(origin: tuple[float, float]) -> None:
    # E16: B overtakes A from dead astern
    fleet, res = _run([ac("A", 0, 0, 0, 250, 12000), ac("B", 0, -10, 0, 400, 12000)], origin)
    assert res.advisory("A").rule == "maintain"
    assert res.advisory("B").rule == "overtaking" and _turn(fleet, res, "B") > 0
    _assert_clear(fleet, res)


def test_overtaking_from_a_rear_quarter_is_not_converging() -> None:
    # E17: B on A's right rear quarter; the converging rule would make A give way, overtaking does not
    fleet, res = _run([ac("A", 0, 0, 0, 120, 8000), ac("B", 6, -8, -90, 240, 8000)])
    assert res.advisory("A").rule == "maintain"
    assert res.advisory("B").rule == "overtaking" and _turn(fleet, res, "B") > 0
    _assert_clear(fleet, res)


def test_distress_has_right_of_way_over_all() -> None:
    # E02 again, but A (normally the give-way aircraft) is in distress: B keeps clear, A maintains
    records = [ac("A", 0, 0, 0, 480, 35000), ac("B", 20, 16, -480, 0, 35000)]
    fleet, res = _run(records, distress=frozenset({"A"}))
    assert res.advisory("A").rule == "maintain"
    assert res.advisory("A").vs_fpm is None
    assert "distress" in res.advisory("A").reason
    assert res.advisory("B").rule == "distress-priority"
    _assert_clear(fleet, res)
    with pytest.raises(InputError, match="unknown"):
        _run(records, distress=frozenset({"NOPE"}))


# --------------------------------------------------------------------------------------- vertical
def test_one_above_the_other_upper_climbs_lower_descends() -> None:
    # level crossing 800 ft apart (not "the same level"): vertical first, non-crossing senses
    fleet, res = _run([ac("LOW", 0, 0, 0, 450, 30000), ac("HIGH", 20, 20, -450, 0, 30800)])
    low, high = res.advisory("LOW"), res.advisory("HIGH")
    assert low.vs_fpm is not None and high.vs_fpm is not None
    assert high.vs_fpm >= 0 >= low.vs_fpm
    assert high.vs_fpm != 0 or low.vs_fpm != 0
    assert {low.rule, high.rule} <= {"vertical", "maintain"}
    _assert_clear(fleet, res)


@pytest.mark.parametrize(("first", "second"), [("ALPHA", "ZULU"), ("ZULU", "ALPHA")])
def test_co_altitude_tie_break_the_id_that_sorts_first_climbs(first: str, second: str) -> None:
    # co-altitude, same climb rate: nothing tells the senses apart but the ids, whatever the row order
    fleet, res = _run(
        [ac(first, 0, 0, 450, 0, 20000, vs_fpm=1000), ac(second, 36, 0, -450, 0, 20000, vs_fpm=1000)]
    )
    alpha, zulu = res.advisory("ALPHA"), res.advisory("ZULU")
    assert alpha.vs_fpm is not None and zulu.vs_fpm is not None
    assert alpha.vs_fpm > zulu.vs_fpm and alpha.vs_fpm > 0 and zulu.vs_fpm <= 0
    assert "tie-break" in alpha.reason
    _assert_clear(fleet, res)


def test_co_altitude_level_tie_break_when_vertical_is_preferred() -> None:
    fleet, res = _run([ac("B-2", 0, 0, 450, 0, 25000), ac("A-1", 36, 0, -450, 0, 25000)], prefer="vertical")
    a1, b2 = res.advisory("A-1"), res.advisory("B-2")
    assert a1.vs_fpm is not None and b2.vs_fpm is not None
    assert a1.vs_fpm >= 0 >= b2.vs_fpm and a1.vs_fpm > b2.vs_fpm
    assert "tie-break" in a1.reason and "tie-break" in b2.reason
    _assert_clear(fleet, res)


def test_one_climbing_through_the_other_level() -> None:
    # CLIMBER starts 5300 ft below LEVEL and climbs 2000 fpm through its level right at the crossing
    # point (160 s): the non-crossing senses (LEVEL up or level, CLIMBER level off or down) win
    fleet, res = _run([ac("LEVEL", 0, 0, 0, 450, 30000), ac("CLIMBER", 20, 20, -450, 0, 24700, vs_fpm=2000)])
    lvl, clb = res.advisory("LEVEL"), res.advisory("CLIMBER")
    assert lvl.vs_fpm is not None and clb.vs_fpm is not None
    assert lvl.vs_fpm >= 0 and clb.vs_fpm <= 0
    assert clb.rule == "vertical"
    _assert_clear(fleet, res)


def test_tcas_region_hands_over_with_no_vertical_instruction() -> None:
    # head-on at 8 NM, FL300: modified tau ~31.5 s <= 35 s (SL7)
    records = [ac("A", 0, 0, 450, 0, 30000), ac("B", 8, 0, -450, 0, 30000)]
    _fleet, res = _run(records)
    for aid in ("A", "B"):
        adv = res.advisory(aid)
        assert adv.rule == "follow-tcas"
        assert adv.vs_fpm is None and adv.trk_deg is None
        assert "SL7" in adv.reason
    assert res.follow_tcas.all()
    assert Level(int(res.levels[0])) >= Level.WARNING
    # with follow_tcas off, the ground advises as usual
    proto = SafetyProtocol(rules=RulesOfTheAir(follow_tcas=False))
    _fleet, res2 = _run(records, protocol=proto)
    assert not res2.follow_tcas.any()
    assert {res2.advisory(a).rule for a in ("A", "B")} != {"follow-tcas"}


# ---------------------------------------------------------------------------------- escalation
def test_no_safe_manoeuvre_says_so_and_escalates_to_warning() -> None:
    # A hovers (0 kt) with B approaching on its right: A must give way but no turn moves it, and
    # vertical advisories are off in this protocol. The conflict is 180 s away: level "advisory".
    proto = SafetyProtocol(rules=RulesOfTheAir(vertical_advisories=False))
    records = [ac("A", 0, 0, 0, 0, 3000), ac("B", 10, 0, -100, 0, 3000)]
    fleet = place(records)
    conflicts = airdecon.detect(fleet, proto)
    assert Level(int(airdecon.alerting.classify(conflicts.t_in_s, 120.0, 60.0)[0])) is Level.ADVISORY
    res = resolve(fleet, conflicts, proto)
    assert not res.resolved[0]
    assert Level(int(res.levels[0])) is Level.WARNING
    assert "NO SAFE MANOEUVRE" in res.advisory("A").reason
    # the same encounter with vertical advisories allowed is resolved, and stays "advisory"
    res2 = resolve(fleet, conflicts, SafetyProtocol())
    assert res2.resolved[0] and Level(int(res2.levels[0])) is Level.ADVISORY
    _assert_clear(fleet, res2)


def test_advisory_never_creates_a_new_conflict_with_a_bystander() -> None:
    # Alone with B (E02), A would give way by turning right to 040. C is placed where A on 040 would
    # meet it 100 s from now, while A's present path passes C 8 NM away: no conflict with C now.
    pair = [ac("A", 0, 0, 0, 480, 35000), ac("B", 20, 16, -480, 0, 35000)]
    _fleet, alone = _run(pair)
    assert alone.advisory("A").trk_deg == 40.0
    c = ac("C", 8.57 + 13.33, 10.21, -480, 0, 35000)
    fleet3, res = _run([*pair, c])
    assert airdecon.detect(fleet3).pairs() == {("A", "B")}
    flown_alone = airdecon.detect(apply(fleet3, alone)).pairs()
    assert flown_alone == {("A", "C")}, "the pair-only answer must really run into C"
    assert res.advisory("A").trk_deg != 40.0
    assert res.resolved.all()
    assert len(airdecon.detect(apply(fleet3, res))) == 0


def test_aircraft_on_a_tcas_ra_cannot_give_way_so_the_other_does() -> None:
    # A/B are inside the RA region. C converges on A from A's right-hand side ahead: by Annex 2 A
    # would give way, but A is flying its RA, so C keeps clear instead.
    records = [
        ac("A", 0, 0, 450, 0, 30000),
        ac("B", 8, 0, -450, 0, 30000),
        ac("C", 20, -20, 0, 450, 30000),
    ]
    fleet, res = _run(records)
    assert res.advisory("A").rule == "follow-tcas" and res.advisory("B").rule == "follow-tcas"
    adv_c = res.advisory("C")
    assert adv_c.rule not in ("follow-tcas", "maintain")
    k = next(n for n, cr in enumerate(res) if {cr.conflict.a, cr.conflict.b} == {"A", "C"})
    assert res.resolved[k] and not res.follow_tcas[k]
    after = airdecon.detect(apply(fleet, res))
    assert after.pairs() == {("A", "B")}  # only the TCAS pair, which is not the ground's to solve


def test_inputs_are_checked() -> None:
    fleet = place([ac("A", 0, 0, 450, 0, 30000), ac("B", 40, 0, -450, 0, 30000)])
    other = place([ac("X", 0, 0, 450, 0, 30000), ac("Y", 40, 0, -450, 0, 30000)])
    conflicts = airdecon.detect(fleet)
    with pytest.raises(InputError, match="not detected in this fleet"):
        resolve(other, conflicts)
    with pytest.raises(InputError, match="prefer"):
        resolve(fleet, conflicts, prefer="sideways")  # type: ignore[arg-type]


def test_no_conflicts_no_advisories() -> None:
    fleet = place([ac("A", 0, 0, 450, 0, 30000), ac("B", 40, 30, -450, 0, 30000)])
    res = resolve(fleet, airdecon.detect(fleet))
    assert len(res) == 0 and dict(res.by_aircraft) == {}


# ---------------------------------------------------------------------------------- the demo
def test_demo_fleet_resolves_fast_and_clean() -> None:
    scenario = airdecon.load_scenario(airdecon.demo_scenario_path())
    conflicts = airdecon.detect(scenario.fleet, scenario.protocol)
    resolve(scenario.fleet, conflicts, scenario.protocol)  # warm up
    t0 = time.perf_counter()
    res = resolve(scenario.fleet, conflicts, scenario.protocol)
    elapsed = time.perf_counter() - t0
    assert elapsed < 0.5, f"resolve took {elapsed:.3f} s on the demo fleet"
    # one advisory per aircraft in conflict, each addressed to its own party
    involved = {str(x) for x in scenario.fleet.ids[np.concatenate([conflicts.i, conflicts.j])]}
    assert set(res.by_aircraft) == involved
    for aid, adv in res.by_aircraft.items():
        assert adv.party == scenario.fleet.party[scenario.fleet.index(aid)]
    # every resolved conflict is really gone once all advisories are flown
    after = airdecon.detect(apply(scenario.fleet, res), scenario.protocol)
    resolved_pairs = {(c.a, c.b) for c, ok in zip(conflicts, res.resolved, strict=True) if ok}
    assert not (after.pairs() & resolved_pairs)
    # and no new conflict appeared anywhere
    assert after.pairs() <= conflicts.pairs()


def test_advisory_is_frozen_and_serialises_without_empty_fields() -> None:
    _fleet, res = _run([ac("A", 0, 0, 0, 480, 35000), ac("B", 20, 16, -480, 0, 35000)])
    adv = res.advisory("A")
    with pytest.raises(dataclasses.FrozenInstanceError):
        adv.rule = "maintain"  # type: ignore[misc]
    d = adv.to_dict()
    assert list(d) == ["aircraft", "trk_deg", "rule", "reason"]


def test_a_loss_in_progress_does_not_block_the_rest_of_its_cluster() -> None:
    # drones A and B hover 2 NM apart at one height (in loss, never regained as they are); C flies
    # towards them. C's conflicts are resolved; A/B get the advice that regains separation soonest.
    records = [
        ac("A", 0, 0, 0, 0, 3000),
        ac("B", 2, 0, 0, 0, 3000),
        ac("C", 0, -20, 0, 300, 3000),
    ]
    fleet, res = _run(records)
    by_pair = {(cr.conflict.a, cr.conflict.b): cr for cr in res}
    assert set(by_pair) == {("A", "B"), ("A", "C"), ("B", "C")}
    assert len(set(res.cluster.tolist())) == 1
    assert not by_pair["A", "B"].resolved and by_pair["A", "B"].level is Level.LOSS
    assert by_pair["A", "C"].resolved and by_pair["B", "C"].resolved
    assert "already lost" in res.advisory("A").reason
    before = airdecon.detect(fleet)
    after = airdecon.detect(apply(fleet, res))
    assert after.pairs() <= {("A", "B")}
    t_out_before = before.t_out_s[[c.a == "A" and c.b == "B" for c in before]][0]
    t_out_after = after.t_out_s[0] if len(after) else 0.0
    assert t_out_before == np.inf and t_out_after < 120.0


def test_nobody_climbs_into_an_aircraft_in_distress_above() -> None:
    # A (in distress) is 700 ft above B on a crossing course: not the same level, so vertical first;
    # A keeps its right of way and gets no vertical instruction, B (below) must descend clear of it
    fleet, res = _run(
        [ac("A", 0, 0, 0, 450, 30700), ac("B", 20, 20, -450, 0, 30000)], distress=frozenset({"A"})
    )
    a, b = res.advisory("A"), res.advisory("B")
    assert a.rule == "maintain" and a.vs_fpm is None
    assert b.rule == "distress-priority"
    assert b.vs_fpm is not None and b.vs_fpm < 0
    _assert_clear(fleet, res)


class _OwnPartyUnwatched(SafetyProtocol):
    """A protocol under which a party's own aircraft are its own business (issue 3, section 1)."""

    def watched(self, fleet: Any, i: npt.NDArray[np.intp], j: npt.NDArray[np.intp]) -> npt.NDArray[np.bool_]:
        return np.asarray(fleet.party[i] != fleet.party[j], dtype=bool)


def test_verification_follows_the_protocol_pair_eligibility() -> None:
    # the bystander scene again, but C belongs to A's party: under a protocol that does not watch a
    # party's own pairs, running into C is not the line's business and A gets the pair-only answer
    pair = [ac("A", 0, 0, 0, 480, 35000, party="BLUE"), ac("B", 20, 16, -480, 0, 35000, party="RED")]
    c = ac("C", 8.57 + 13.33, 10.21, -480, 0, 35000, party="BLUE")
    _fleet, watched_all = _run([*pair, c])
    _fleet, own_unwatched = _run([*pair, c], protocol=_OwnPartyUnwatched())
    assert watched_all.advisory("A").trk_deg != 40.0
    assert own_unwatched.advisory("A").trk_deg == 40.0


def test_chunked_verification_gives_the_same_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    records = [
        ac("A", 0, 0, 0, 480, 35000),
        ac("B", 20, 16, -480, 0, 35000),
        ac("C", 8.57 + 13.33, 10.21, -480, 0, 35000),
        ac("D", -20, 16, 480, 0, 35000),
    ]
    _fleet, whole = _run(records)
    monkeypatch.setattr("airdecon.resolution._search.PAIRS_PER_CHUNK", 7)
    _fleet, chunked = _run(records)
    assert dict(chunked.by_aircraft) == dict(whole.by_aircraft)
    assert np.array_equal(chunked.resolved, whole.resolved)
