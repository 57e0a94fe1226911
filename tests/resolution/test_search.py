"""The resolver's search never falls over and stays within its budget (issue 14, item 2).

* the cheapest-first search stops early but chooses, advisory for advisory, what an exhaustive
  search chooses;
* a cluster beyond ``joint_max_aircraft`` is coordinated pair by pair, each new manoeuvre verified
  against the advice given before;
* the search budget (a count of pair predictions, not a clock) gives the most urgent encounters
  their advice and the rest a per-pair "not searched" error, the same on every run;
* the protocol document carries both settings, and documents without them keep their bytes.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from resolution_scenes import ac, apply, place
from tests.protocol.conftest import document

import airdecon
from airdecon import Fleet, SafetyProtocol
from airdecon.alerting import Level
from airdecon.errors import ProtocolError
from airdecon.protocol import ProtocolDocument, generate_private_key
from airdecon.resolution import REFERENCE_PAIRS_PER_S, Resolution, _search, resolve
from airdecon.resolution._resolve import _Resolver


def ring(n: int, radius_nm: float = 12.0, alt_ft: float = 30000, prefix: str = "R") -> list[dict[str, Any]]:
    """*n* aircraft on a circle, all flying to its centre at 400 kt (a "super conflict")."""
    out = []
    for k in range(n):
        a = 2 * math.pi * k / n
        x, y = radius_nm * math.sin(a), radius_nm * math.cos(a)
        vx, vy = -400 * math.sin(a), -400 * math.cos(a)
        out.append(ac(f"{prefix}{k:02d}", x, y, vx, vy, alt_ft + 100 * (k % 3)))
    return out


def _advice(res: Resolution) -> dict[str, dict[str, object]]:
    return {k: v.to_dict() for k, v in res.by_aircraft.items()}


def _resolve(fleet: Fleet, proto: SafetyProtocol) -> Resolution:
    return resolve(fleet, airdecon.detect(fleet, proto), proto)


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(2, 7),
    seed=st.integers(0, 2**32 - 1),
    spread=st.sampled_from([6.0, 15.0, 30.0]),
)
def test_the_cheapest_first_search_chooses_what_the_exhaustive_search_chooses(
    n: int, seed: int, spread: float
) -> None:
    rng = np.random.default_rng(seed)
    records = [
        ac(f"A{k}", *rng.uniform(-spread, spread, 2), *rng.uniform(-450, 450, 2),
           float(rng.choice([29000, 29500, 30000, 31000])), float(rng.choice([0, 0, 1500, -1500])))
        for k in range(n)
    ]
    fleet = place(records)
    proto = SafetyProtocol()
    conflicts = airdecon.detect(fleet, proto)
    if len(conflicts) == 0:
        return
    fast = resolve(fleet, conflicts, proto)
    first, _search.FIRST_CHUNK = _search.FIRST_CHUNK, 10**9
    try:
        full = resolve(fleet, conflicts, proto)
    finally:
        _search.FIRST_CHUNK = first
    assert _advice(fast) == _advice(full)
    assert fast.resolved.tolist() == full.resolved.tolist()


def test_a_cluster_beyond_the_joint_limit_is_coordinated_pair_by_pair() -> None:
    fleet = place(ring(6))
    # a budget below the joint search's worst case (3 stages x 4157 combinations x 15 pairs)
    proto = SafetyProtocol(max_joint_aircraft=4, search_budget_s=150_000 / REFERENCE_PAIRS_PER_S)
    res = _resolve(fleet, proto)
    assert len(set(res.cluster.tolist())) == 1 and res.failed is not None and not res.failed.any()
    assert len(res.by_aircraft) == 6
    assert all("pairwise coordination: a cluster of 6 aircraft" in a.reason for a in res.by_aircraft.values())
    # every pair got its two advisories, and flying them all makes no loss that was not predicted
    assert all(len(cr.advisories) == 2 for cr in res)
    after = airdecon.detect(apply(fleet, res), proto)
    assert after.pairs() <= {(cr.conflict.a, cr.conflict.b) for cr in res if not cr.resolved}
    # the same ring within the joint limit is searched jointly, and says nothing of pairs
    joint = _resolve(fleet, SafetyProtocol(max_joint_aircraft=6))
    assert not any("pairwise" in a.reason for a in joint.by_aircraft.values())


def test_a_large_cluster_is_searched_jointly_when_its_worst_case_fits_its_share() -> None:
    # 14 aircraft, beyond joint_max_aircraft (12): the joint search's worst case (3 stages x
    # (4096 + 61) combinations x 91 pairs, about 1.1 million pair predictions) fits the default
    # budget (30 million), so it is searched jointly (issue 14, item 5) ...
    fleet = place(ring(14))
    res = _resolve(fleet, SafetyProtocol())
    assert len(set(res.cluster.tolist())) == 1 and res.failed is not None and not res.failed.any()
    assert len(res.by_aircraft) == 14
    assert all("joint resolution of 14 aircraft" in a.reason for a in res.by_aircraft.values())
    assert not any("pairwise" in a.reason for a in res.by_aircraft.values())
    assert res.resolved.all()
    assert len(airdecon.detect(apply(fleet, res), SafetyProtocol())) == 0  # flying it all: no conflict
    # ... and pair by pair when the budget could not pay for that worst case
    tight = SafetyProtocol(search_budget_s=1_000_000 / REFERENCE_PAIRS_PER_S)
    res = _resolve(fleet, tight)
    assert res.failed is not None and not res.failed.any()
    assert all("pairwise coordination: a cluster of 14 aircraft, beyond the joint search's 12, whose worst "
               "case exceeds the cluster's share of the search budget" in a.reason
               for a in res.by_aircraft.values())


def test_the_joint_search_of_a_large_cluster_gets_only_its_share_of_the_budget() -> None:
    # a 14-aircraft ring first, then 30 independent head-on pairs far away: the ring's share is
    # 91 of 121 conflicts of the budget, which a budget of 1.2 million (>= the worst case) no longer
    # covers, so it is coordinated pair by pair and every later pair is still searched
    records = ring(14, 8.0)
    for k in range(30):
        x = 300.0 + 40.0 * k
        records += [ac(f"P{k:02d}A", x - 15, 0, 400, 0, 30000), ac(f"P{k:02d}B", x + 15, 0, -400, 0, 30000)]
    fleet = place(records)
    proto = SafetyProtocol(search_budget_s=1_200_000 / REFERENCE_PAIRS_PER_S)
    res = _resolve(fleet, proto)
    ring_advice = [a for k, a in res.by_aircraft.items() if k.startswith("R")]
    assert len(ring_advice) == 14 and all("pairwise coordination" in a.reason for a in ring_advice)
    assert res.failed is not None and not res.failed.any()
    alone = _resolve(place(ring(14, 8.0)), proto)  # alone, its share is the whole budget
    assert all("joint resolution of 14" in a.reason for a in alone.by_aircraft.values())


@settings(max_examples=15, deadline=None)
@given(n=st.integers(3, 8), seed=st.integers(0, 2**32 - 1))
def test_the_joint_search_never_makes_more_than_its_worst_case(n: int, seed: int) -> None:
    # the affordability rule is only as safe as its bound: every combination of every stage,
    # verified exhaustively, with turns both ways (distress) and an advisory in force
    rng = np.random.default_rng(seed)
    records = [
        ac(f"A{k}", *rng.uniform(-12, 12, 2), *rng.uniform(-450, 450, 2),
           float(rng.choice([29000, 29500, 30000])), float(rng.choice([0, 1500, -1500])))
        for k in range(n)
    ]
    fleet = place(records)
    proto = SafetyProtocol(rules=dataclasses.replace(SafetyProtocol().rules, follow_tcas=False))
    conflicts = airdecon.detect(fleet, proto)
    if len(conflicts) == 0:
        return
    first, _search.FIRST_CHUNK = _search.FIRST_CHUNK, 10**9
    try:
        rs = _Resolver(fleet, conflicts, proto, {"A0"}, "auto")
        rs.previous = {1: (123.0, 0.0)}
        res = rs.run()
    finally:
        _search.FIRST_CHUNK = first
    bound = sum(rs.joint_worst_case(np.flatnonzero(res.cluster == c)) for c in set(res.cluster.tolist()))
    assert 0 < rs.work <= bound


def test_the_budget_goes_to_the_most_urgent_encounters_and_says_what_it_left() -> None:
    # three independent super conflicts, one more urgent than the next (closer to their centres)
    records = ring(5, 8.0, prefix="A") + [
        dict(r, x_nm=r["x_nm"] + 200) for r in ring(5, 14.0, prefix="B")
    ] + [dict(r, x_nm=r["x_nm"] + 400) for r in ring(5, 20.0, prefix="C")]
    fleet = place(records)
    unbounded = _resolve(fleet, SafetyProtocol())
    assert unbounded.failed is not None and not unbounded.failed.any()
    tight = SafetyProtocol(search_budget_s=500 / REFERENCE_PAIRS_PER_S)  # 500 pair predictions
    res = _resolve(fleet, tight)
    assert res.failed is not None
    by_cluster: dict[str, set[bool]] = {}
    for k, cr in enumerate(res):
        by_cluster.setdefault(cr.conflict.a[0], set()).add(bool(res.failed[k]))
    assert by_cluster["A"] == {False}  # the most urgent encounter is advised ...
    assert by_cluster["C"] == {True}  # ... the last one is left, per pair, and says why
    left = [cr for k, cr in enumerate(res) if res.failed[k]]
    assert all(cr.advisories == () for cr in left)
    assert all("not searched: the resolver's budget" in (cr.error or "") for cr in left)
    assert all(cr.level >= Level.WARNING for cr in left)  # escalated
    # a count, not a clock: the same picture gets the same answer
    again = _resolve(fleet, tight)
    assert _advice(again) == _advice(res) and again.failed.tolist() == res.failed.tolist()  # type: ignore[union-attr]


def test_the_budget_stops_a_pairwise_cluster_between_pairs() -> None:
    fleet = place(ring(8))
    proto = SafetyProtocol(max_joint_aircraft=2, search_budget_s=1_000 / REFERENCE_PAIRS_PER_S)
    res = _resolve(fleet, proto)
    assert res.failed is not None and 0 < int(res.failed.sum()) < len(res)
    assert not res.failed[0]  # the most urgent pair was searched


@pytest.fixture(scope="module")
def keys() -> dict[str, Any]:
    return {p: generate_private_key() for p in ("BLUE", "RED", "CIVIL")}


def test_the_protocol_document_carries_the_search_settings(keys: dict[str, Any]) -> None:
    plain = ProtocolDocument.from_mapping(document(keys))
    assert plain.rules.max_joint_aircraft == 12 and plain.rules.search_budget_s == 10.0
    same = ProtocolDocument.from_mapping(document(keys, advisories={"joint_max_aircraft": 12,
                                                                     "search_budget_s": 10}))
    assert same.digest == plain.digest  # the defaults are not written: old documents keep their bytes
    doc = ProtocolDocument.from_mapping(document(keys, advisories={"joint_max_aircraft": 6,
                                                                    "search_budget_s": 2.5}))
    assert doc.rules.max_joint_aircraft == 6 and doc.rules.search_budget_s == 2.5
    assert doc.to_mapping()["advisories"]["joint_max_aircraft"] == 6
    assert ProtocolDocument.from_mapping(doc.to_mapping()).digest == doc.digest


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("joint_max_aircraft", 1, "advisories.joint_max_aircraft: must be a whole number from 2 to 64"),
        ("joint_max_aircraft", 65, "advisories.joint_max_aircraft: must be a whole number from 2 to 64"),
        ("joint_max_aircraft", 4.5, "advisories.joint_max_aircraft: must be a whole number from 2 to 64"),
        ("joint_max_aircraft", True, "advisories.joint_max_aircraft: must be a whole number from 2 to 64"),
        ("search_budget_s", 0, "advisories.search_budget_s"),
        ("search_budget_s", 601, "advisories.search_budget_s"),
        ("search_budget_s", "10", "advisories.search_budget_s: must be a number"),
    ],
)
def test_bad_search_settings_are_refused_naming_the_field(
    keys: dict[str, Any], field: str, value: object, message: str
) -> None:
    with pytest.raises(ProtocolError, match=message.replace(".", r"\.")):
        ProtocolDocument.from_mapping(document(keys, advisories={field: value}))


@pytest.mark.parametrize("bad", [{"max_joint_aircraft": 1}, {"max_joint_aircraft": 3.0},
                                 {"search_budget_s": 0.0}, {"search_budget_s": math.nan}])
def test_the_engine_protocol_refuses_bad_search_settings(bad: dict[str, Any]) -> None:
    with pytest.raises(ProtocolError):
        dataclasses.replace(SafetyProtocol(), **bad)


def _advanced(records: list[dict[str, Any]], t_s: float) -> list[dict[str, Any]]:
    """The flat-plane records *t_s* seconds later, every aircraft on its current velocity."""
    return [dict(r, x_nm=r["x_nm"] + r["vx_kt"] * t_s / 3600.0, y_nm=r["y_nm"] + r["vy_kt"] * t_s / 3600.0,
                 alt_ft=r["alt_ft"] + r["vs_fpm"] * t_s / 60.0) for r in records]


def test_advice_verified_from_the_response_delay_holds_when_flown_that_late() -> None:
    # head-on at 20 NM: an immediate small turn suffices; flown 40 s late, it does not
    records = [ac("A", 0, 0, 450, 0, 30000), ac("B", 20, 0.3, -450, 0, 30000)]
    fleet = place(records)
    late = place(_advanced(records, 40.0))

    def flown_late(res: Resolution) -> set[tuple[str, str]]:
        return airdecon.detect(apply(late, res), SafetyProtocol()).pairs()

    now = _resolve(fleet, SafetyProtocol())
    assert now.resolved.all()
    assert flown_late(now) == {("A", "B")}  # the advice of an instant response is too small 40 s late
    delayed = _resolve(fleet, SafetyProtocol(response_delay_s=40.0))
    assert delayed.resolved.all()
    assert flown_late(delayed) == set()
    assert abs(_turn_deg(fleet, delayed, "A")) > abs(_turn_deg(fleet, now, "A"))


def _turn_deg(fleet: Fleet, res: Resolution, aid: str) -> float:
    adv = res.advisory(aid)
    assert adv.trk_deg is not None
    return float((adv.trk_deg - fleet.trk_deg[fleet.index(aid)] + 180.0) % 360.0 - 180.0)


def test_a_zero_delay_is_the_instant_model_and_the_document_carries_the_delay(keys: dict[str, Any]) -> None:
    fleet = place(ring(5))
    instant = _resolve(fleet, SafetyProtocol(response_delay_s=0))
    assert _advice(_resolve(fleet, SafetyProtocol())) == _advice(instant)
    doc = ProtocolDocument.from_mapping(document(keys, advisories={"response_delay_s": 5}))
    assert doc.rules.response_delay_s == 5.0 and doc.to_mapping()["advisories"]["response_delay_s"] == 5.0
    plain = ProtocolDocument.from_mapping(document(keys, advisories={"response_delay_s": 0}))
    assert plain.digest == ProtocolDocument.from_mapping(document(keys)).digest
    with pytest.raises(ProtocolError, match=r"advisories\.response_delay_s"):
        ProtocolDocument.from_mapping(document(keys, advisories={"response_delay_s": 61}))
    with pytest.raises(ProtocolError, match="response_delay_s"):
        SafetyProtocol(response_delay_s=-1.0)
