"""The engine raising on some aircraft leaves out those aircraft, and only them (issue 12 §1: the
cycle survives one bad item, down to the detection itself)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airdecon.detection import ConflictSet, detect
from airdecon.hub._quarantine import MAX_CULPRITS, Quarantine
from airdecon.protocol import SafetyProtocol
from airdecon.state import Fleet

PROTOCOL = SafetyProtocol()


def _fleet(n: int) -> Fleet:
    rng = np.random.default_rng(n)
    return Fleet.from_arrays(
        ids=[f"P{i % 3}/A{i}" for i in range(n)], party=[f"P{i % 3}" for i in range(n)],
        lat_deg=rng.uniform(40, 40.5, n), lon_deg=rng.uniform(10, 10.5, n),
        alt_m=rng.uniform(9000, 9300, n), gs_mps=rng.uniform(100, 250, n),
        trk_deg=rng.uniform(0, 360, n), vs_mps=np.zeros(n))


def _engine(poisons: list[frozenset[str]]):  # type: ignore[no-untyped-def]
    """The real engine, raising when every aircraft of one of *poisons* is in the fleet."""
    def run(fleet: Fleet) -> ConflictSet:
        present = set(fleet.ids.tolist())
        if any(p <= present for p in poisons):
            raise FloatingPointError("poisoned")
        return detect(fleet, PROTOCOL)
    return run


def _pairs(fleet: Fleet, cs: ConflictSet) -> set[tuple[str, str]]:
    return {(str(fleet.ids[i]), str(fleet.ids[j])) for i, j in zip(cs.i, cs.j, strict=True)}


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 80), data=st.data())
def test_single_aircraft_poisons_are_found_exactly(n: int, data: st.DataObject) -> None:
    fleet = _fleet(n)
    bad = data.draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=min(n, 4)))
    names = {str(fleet.ids[k]) for k in bad}
    q = Quarantine()
    kept, cs = q.detect(fleet, _engine([frozenset({x}) for x in names]))
    assert set(q.left_out) == names and isinstance(q.error, FloatingPointError)
    rest = fleet.take(np.array([k for k in range(n) if k not in bad], dtype=np.intp))
    assert list(kept.ids) == list(rest.ids)
    assert _pairs(kept, cs) == _pairs(rest, detect(rest, PROTOCOL))  # nobody else loses an alert


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 80), data=st.data())
def test_a_poison_of_several_aircraft_leaves_out_only_some_of_them(n: int, data: st.DataObject) -> None:
    fleet = _fleet(n)
    combo = data.draw(st.sets(st.integers(0, n - 1), min_size=2, max_size=min(n, 3)))
    names = frozenset(str(fleet.ids[k]) for k in combo)
    q = Quarantine()
    kept, _ = q.detect(fleet, _engine([names]))
    assert q.left_out and set(q.left_out) <= names
    assert set(kept.ids.tolist()) == set(fleet.ids.tolist()) - set(q.left_out)


def test_a_clean_fleet_costs_one_detection_and_leaves_nobody_out() -> None:
    calls = []
    q = Quarantine()
    fleet = _fleet(30)
    q.detect(fleet, lambda f: calls.append(1) or detect(f, PROTOCOL))  # type: ignore[func-returns-value]
    assert calls == [1] and q.left_out == () and q.error is None


def test_an_engine_that_fails_on_everything_fails_the_cycle() -> None:
    def broken(fleet: Fleet) -> ConflictSet:
        raise MemoryError("nothing works")
    with pytest.raises(MemoryError):
        Quarantine().detect(_fleet(10), broken)
    many = _fleet(60)
    with pytest.raises(FloatingPointError):  # more culprits than a bug met on one item's data
        Quarantine().detect(many, _engine([frozenset({str(x)}) for x in many.ids[: MAX_CULPRITS + 1]]))
