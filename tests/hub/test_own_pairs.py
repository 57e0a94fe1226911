"""One party's own pairs are bounded: a co-located fleet cannot flood the line with its own alerts."""

from __future__ import annotations

from tests.hub.harness import PARTIES, aircraft, document, world


def _doc(cap: int | None = None):  # type: ignore[no-untyped-def]
    doc = document({"quotas": {"force": {"max_own_pairs": cap}}} if cap else None)
    m = doc.to_mapping()
    for p in m["parties"]:
        if p["id"] == "RED":
            p["watch_own_pairs"] = True
    return type(doc).from_mapping(m)


def _alerts(w, party: str) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    return w.get(party, "/v1/alerts").json()["alerts"]


def test_a_co_located_fleet_gets_at_most_its_quota_of_own_alerts_and_others_are_unaffected() -> None:
    with world(doc=_doc(25)) as w:
        # RED: 40 aircraft on one spot, watching its own pairs: 780 pairs in conflict
        fleet = [aircraft(f"R{k}", 20.0, 20.0, 0, gs=0) for k in range(40)]
        assert w.report("RED", *fleet).status_code == 202
        # BLUE and GREEN: one head-on pair, far away
        w.report("BLUE", aircraft("B1", 40.0, 10.0, 90))
        w.report("GREEN", aircraft("G1", 40.0, 10.3, 270))
        w.step(1)
        red = _alerts(w, "RED")
        own = [a for a in red if all(o["id"].startswith("R") for o in a["own"]) and len(a["own"]) == 2]
        assert len(own) == 25, len(own)
        assert w.hub.context.guard.own_pairs_cut == {"RED": 780 - 25}
        blue = _alerts(w, "BLUE")
        assert len(blue) == 1 and blue[0]["own"][0]["id"] == "B1"
        # the cut is stable from cycle to cycle: the same pairs, no raise/clear flapping
        ids = sorted(a["alert_id"] for a in own)
        w.step(1)
        again = sorted(a["alert_id"] for a in _alerts(w, "RED") if len(a["own"]) == 2)
        assert again == ids


def test_the_default_quota_bounds_a_full_fleet_on_one_spot() -> None:
    with world(doc=_doc()) as w:
        fleet = [aircraft(f"R{k}", 20.0, 20.0, 0, gs=0) for k in range(200)]
        assert w.report("RED", *fleet).status_code == 202
        w.step(1)
        assert len(_alerts(w, "RED")) == 200  # of 19,900 pairs
        assert [p for p, _, _ in PARTIES if p != "RED" and _alerts(w, p)] == []


def test_a_co_located_civil_feed_costs_its_budget_not_its_square() -> None:
    """3,000 civil aircraft on one spot (within civil traffic's quotas) make 4.5 million own pairs:
    evaluating them all took 10 s and 1.7 GB a cycle, every cycle, for everyone. Detection now
    evaluates at most 25 × max_own_pairs of them, and every pair with another party's aircraft."""
    with world() as w:
        fleet = [aircraft(f"C{k}", 20.0, 20.0 + k * 1e-6, 0, gs=0) for k in range(3000)]
        assert w.report("CIVIL", *fleet).status_code == 202
        w.report("BLUE", aircraft("B1", 40.0, 10.0, 90), aircraft("B2", 20.0, 19.9, 90))
        w.report("RED", aircraft("R1", 40.0, 10.3, 270))
        w.step(1, advise=False)
        conflicts = w.hub.context.picture.last_conflicts
        assert conflicts is not None and conflicts.capped == ("CIVIL",)
        assert conflicts.n_candidates <= 50_000 + 3_000 + 10  # the budget, plus B2 with every civil
        blue = {tuple(sorted(o["id"] for o in a["own"])) for a in _alerts(w, "BLUE")}
        assert ("B1",) in blue  # the far pair with RED
        assert ("B2",) in blue  # B2 flies through the civil cluster: its conflicts are all found
        pairs = conflicts.pairs()
        with_b2 = {a if b == "BLUE/B2" else b for a, b in pairs if "BLUE/B2" in (a, b)}
        assert len(with_b2) == 3000
