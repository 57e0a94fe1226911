"""bench/alerting.py's bookkeeping on a few encounters: the counts add up, and the loop closes."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

import airdecon
from airdecon.encounters import Pilot, Trajectories
from airdecon.units import FT, NM

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench(shared_dir: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_alerting", ROOT / "bench" / "alerting.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # its dataclasses look their module up
    spec.loader.exec_module(mod)
    assert mod.MODELS.resolve() == (shared_dir / "data" / "encounter-models" / "model").resolve()
    return mod


def test_truth_is_both_minima_at_once(bench: ModuleType) -> None:
    one = np.zeros((2, 4))
    x = np.array([[0.0] * 4, [6 * NM, 4 * NM, 4 * NM, 5 * NM]])
    h = np.array([[0.0] * 4, [0.0, 1000 * FT, 999 * FT, 0.0]])
    tr = Trajectories(x_m=x, y_m=one, h_m=h, gs_mps=one, trk_deg=one, vs_mps=one)
    # 6 NM: apart; exactly 1000 ft: separated; 4 NM and 999 ft: lost; exactly 5 NM: separated
    assert bench.truth(tr, airdecon.SafetyProtocol()).tolist() == [[False, False, True, False]]


def test_counts_add_up_and_advisories_lower_the_risk(bench: ModuleType) -> None:
    protocol = airdecon.SafetyProtocol()
    (r,) = bench.evaluate("cor", 40, 3, protocol, Pilot(floor_m=protocol.descent_floor_m))
    assert not r.hypotheses and r.encounters == 40 and r.eligible == 40 - r.los_at_start
    assert r.hits + r.misses == r.los and r.late + r.unalerted == r.misses
    assert r.valid + r.nuisance == r.alerts and r.valid >= r.hits
    assert r.los > 10  # the correlated model's encounters are close ones
    assert r.los_with is not None and r.risk_ratio == pytest.approx(r.los_with / r.los)
    assert r.risk_ratio < 0.5  # flying the advisories prevents most losses
    assert 0 < r.warning_p5_s <= r.warning_median_s <= protocol.caution_s
    table = bench.table([r])
    assert table.count("\n") == 2 and "| cor_v1 | off | 40 (" in table


def test_alerting_alone_has_no_closed_loop(bench: ModuleType) -> None:
    (r,) = bench.evaluate("dueregard", 20, 3, airdecon.SafetyProtocol(), None)
    assert r.los_with is None and r.risk_ratio is None and r.model == "dueregard_v1"


def test_hypotheses_on_see_what_off_does_not_and_a_part_gives_the_same_outcomes(bench: ModuleType) -> None:
    protocol = airdecon.SafetyProtocol()
    pilot = Pilot(floor_m=protocol.descent_floor_m)
    off, on = bench.outcomes("cor", 30, 3, protocol, pilot, hypotheses=(False, True))
    assert (off.hypotheses, on.hypotheses) == (False, True)
    # the same encounters, the same truth; the alerts differ (turns alerted earlier, level-offs
    # later or not at all)
    assert off.onset_s.tolist() == on.onset_s.tolist() and off.at_start.tolist() == on.at_start.tolist()
    assert not np.array_equal(off.first_alert_s, on.first_alert_s, equal_nan=True)
    # each encounter is independent: a part flown alone gives its outcomes exactly
    part = np.array([1, 4, 5, 17, 29])
    alone_both = bench.outcomes("cor", 30, 3, protocol, pilot, hypotheses=(False, True), part=part)
    for whole, alone in zip((off, on), alone_both, strict=True):
        assert alone.to_json() == whole.take(part).to_json()
    # the table names the setting; the JSON form reads back
    assert "| cor_v1 | on | 30 (" in bench.table([bench.summarise(on)])
    assert bench.Outcomes.from_json(on.to_json()).to_json() == on.to_json()
