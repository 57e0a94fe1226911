"""The resolver never falls over on real traffic (issue 14, item 2).

On the real worldwide fleet, 233 of its conflicts got no advisory: clusters of 44 and 85 aircraft
made ``_combinations`` ask numpy for a 44- or 85-dimensional grid ("this function only supports
up to 32 dimensions"), and the whole cluster was reported failed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from airdecon.cli import main
from airdecon.resolution._search import MAX_COMBINATIONS
from airdecon.resolution._search import combinations as _combinations

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.mark.parametrize("c", [2, 33, 44, 85, 200])
def test_combinations_for_any_cluster_size(c: int) -> None:
    combos = _combinations([5] * c)
    assert combos.shape[1] == c and 1 <= combos.shape[0] <= MAX_COMBINATIONS + 5
    assert (combos.min(axis=0) == 0).all() and (combos.max(axis=0) == 4).all()  # smallest to largest


def test_small_clusters_keep_the_full_product_in_order() -> None:
    assert _combinations([3, 2]).tolist() == [[0, 0], [0, 1], [1, 0], [1, 1], [2, 0], [2, 1]]


def test_detect_advises_every_conflict_of_the_real_worldwide_fleet(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["detect", str(SHARED / "real_global_scenario.json"), "--format", "json"])
    assert code == 0
    conflicts = json.loads(capsys.readouterr().out)["conflicts"]
    assert len(conflicts) == 1172
    assert [(c["a"], c["b"]) for c in conflicts if len(c["advisories"]) != 2] == []


def test_a_larger_budget_never_resolves_fewer_conflicts() -> None:
    """With a budget large enough for every cluster's joint search, the 85-aircraft clusters were
    searched jointly and found little (299 of 1,172 resolved, against 535 pair by pair within the
    default budget): a joint search that leaves conflicts unresolved is now followed by the pairwise
    one, and the answer that resolves more is kept."""
    import dataclasses

    import airdecon

    scenario = airdecon.load_scenario(SHARED / "real_global_scenario.json")
    conflicts = airdecon.detect(scenario.fleet, scenario.protocol)
    default = airdecon.resolve(scenario.fleet, conflicts, scenario.protocol)
    large = dataclasses.replace(scenario.protocol, search_budget_s=600.0)
    lifted = airdecon.resolve(scenario.fleet, conflicts, large)
    assert int(lifted.resolved.sum()) >= int(default.resolved.sum()) >= 535
    assert not lifted.failed.any()
