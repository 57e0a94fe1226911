"""The deterministic figures quoted in the docs are what the code computes today.

``scripts/docs_figures.py`` computes them (replays of the AF787 and Paris recordings, detection over
the demo scenario, the benchmark's seeded fleets and the real worldwide fleet, the evaluation on
sampled encounters) and writes them
between ``<!-- figures:NAME -->`` markers; this test runs the same computation and compares every
block. The evaluation's table is summed from each encounter's outcomes, committed in
``docs/data/alerting-outcomes.json`` (a full run flies 2 × 1,000 encounters twice over, closed
loop: minutes); its encounters are independent, so a fixed quarter of them is flown again here and
must give the committed outcomes exactly.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
FIX = "run scripts/docs_figures.py (or make docs) and commit the docs"


@pytest.fixture(scope="module")
def figures(shared_dir: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_figures", ROOT / "scripts" / "docs_figures.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.DATA.resolve() == (shared_dir / "data").resolve()
    return mod


def test_every_figure_is_in_the_docs_once(figures: ModuleType) -> None:
    found = [name for path in figures.doc_files() for name, _ in figures.blocks(path.read_text("utf-8"))]
    unknown = sorted(set(found) - set(figures.FIGURES))
    assert not unknown, f"docs name figures blocks the script does not compute: {unknown}"
    counts = {name: found.count(name) for name in figures.FIGURES}
    assert all(n == 1 for n in counts.values()), f"each figures block should appear once: {counts}"


@pytest.mark.slow
@pytest.mark.parametrize(
    "name", ["replay", "replay-af787-alerts", "detect-demo", "detect-fleets", "alerting-encounters"]
)
def test_figures_in_the_docs_match_the_code(figures: ModuleType, name: str) -> None:
    assert name in figures.FIGURES
    fresh = figures.FIGURES[name]()
    assert fresh.strip()
    where = {
        str(path.relative_to(ROOT)): content
        for path in figures.doc_files()
        for n, content in figures.blocks(path.read_text("utf-8"))
        if n == name
    }
    assert where, f"no <!-- figures:{name} --> block in the docs: {FIX}"
    for path, content in where.items():
        assert content == fresh, f"{path}: figures:{name} is stale: {FIX}\ndocs: {content!r}\ncode: {fresh!r}"


def test_the_parametrised_list_is_every_figure(figures: ModuleType) -> None:
    assert set(figures.FIGURES) == {
        "replay",
        "replay-af787-alerts",
        "detect-demo",
        "detect-fleets",
        "alerting-encounters",
    }


def test_the_committed_encounter_outcomes_cover_the_whole_run(figures: ModuleType) -> None:
    outs = figures.read_alerting_outcomes()
    n = figures.ALERTING_RUN["n"]
    assert [(o.model, o.hypotheses) for o in outs] == [
        ("cor_v1", False), ("cor_v1", True), ("dueregard_v1", False), ("dueregard_v1", True)
    ]
    for o in outs:
        assert o.number.tolist() == list(range(n)) and o.los_with is not None, f"{o.model}: {FIX}"


@pytest.mark.slow
def test_the_committed_encounter_outcomes_are_what_the_code_flies(figures: ModuleType) -> None:
    part = np.arange(0, figures.ALERTING_RUN["n"], 4)
    fresh = figures.alerting_outcomes(part)
    for new, old in zip(fresh, figures.read_alerting_outcomes(), strict=True):
        assert (new.model, new.hypotheses) == (old.model, old.hypotheses)
        mine, theirs = new.to_json(), old.take(part).to_json()
        for field in mine:
            if mine[field] != theirs[field]:
                k = next(k for k, (a, b) in enumerate(zip(mine[field], theirs[field], strict=True)) if a != b)
                pytest.fail(
                    f"{new.model}, hypotheses {'on' if new.hypotheses else 'off'}, encounter "
                    f"{part[k]}: {field} is {mine[field][k]}, committed {theirs[field][k]}: {FIX}"
                )
