"""Regenerate the deterministic figures quoted in the docs, between markers.

Each figure is computed from the code and the team's data, and written between
``<!-- figures:NAME -->`` and ``<!-- /figures -->`` in the docs (README.md, docs/*.md):

* ``replay``, ``replay-af787-alerts``: replays of the AF787/TBM900 formation encounter
  (5 NM / 1000 ft) and of 3 h over Paris (3 NM / 1000 ft above 3,000 ft) from ../shared/data;
* ``detect-demo``: detection over the bundled demo scenario;
* ``detect-fleets``: candidate pairs and conflicts of the fleets ``bench/detect.py`` times (its seeded
  random fleets, and the real worldwide fleet of ../shared/data/real_global_scenario.json);
* ``alerting-encounters``: ``bench/alerting.py``'s table (1,000 seeded encounters from each of the MIT
  Lincoln Laboratory correlated and due-regard models, alerting alone and closed loop, detection's
  hypotheses off and on), summed from each encounter's outcomes, which a full run writes to
  ``docs/data/alerting-outcomes.json`` (a few minutes). ``tests/docs/test_figures.py`` sums the
  committed outcomes and flies a fixed quarter of the encounters again: the encounters are
  independent, so that quarter's outcomes must be the committed ones to the last second.

Timings depend on the machine and are never generated here: the docs give them as measured, with
the date and commit. ``tests/docs/test_figures.py`` recomputes every figure and compares.

Run: python scripts/docs_figures.py           (flies the encounters, rewrites the blocks in place)
     python scripts/docs_figures.py --check   (exit 1 and name the stale blocks; no flying)
"""

from __future__ import annotations

import re
import sys
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
AF787 = DATA / "encounter_af787_tbm900_20171201.parquet"
PARIS = DATA / "opensky_paris_20211007_1200-1500Z.parquet"
REAL = DATA / "real_global_scenario.json"
BLOCK = re.compile(r"(<!-- figures:([\w-]+) -->)(.*?)(<!-- /figures -->)", re.DOTALL)
# The reference figure the AF787 recording comes with (../shared/data/README.md), quoted beside ours.
AF787_REFERENCE_LOS_S = 1489
ALERTING_OUTCOMES = ROOT / "docs" / "data" / "alerting-outcomes.json"
ALERTING_RUN = {"models": ["cor", "dueregard"], "n": 1000, "seed": 1, "response_delay_s": 5}


def doc_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@cache
def replay_summary(which: str) -> dict[str, Any]:
    """The replay summary of one recording, computed once per process."""
    from airdecon.protocol import SafetyProtocol
    from airdecon.replay import replay_recording
    from airdecon.units import FT, NM

    with tempfile.TemporaryDirectory(prefix="airdecon-figures-") as tmp:
        if which == "af787":
            rep = replay_recording(AF787, SafetyProtocol(), out_dir=tmp, plot=False)
        elif which == "paris":
            rules = SafetyProtocol(horizontal_m=3 * NM, vertical_m=1000 * FT)
            rep = replay_recording(PARIS, rules, out_dir=tmp, plot=False, min_alt_m=3000 * FT)
        else:
            raise ValueError(which)
        return dict(rep.summary)


BENCH_SIZES = (1000, 10_000, 50_000, 100_000)  # bench/detect.py's default --sizes


def _detect(path: Path) -> tuple[int, int, int]:
    import airdecon

    sc = airdecon.load_scenario(path)
    res = airdecon.detect(sc.fleet, sc.protocol, backend="grid")
    return len(sc.fleet), int(res.n_candidates), len(res)


def _bench_random_fleet(n: int) -> Any:
    """The random fleet of bench/detect.py itself (seeded), so the counts are the benchmark's."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_detect", ROOT / "bench" / "detect.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.random_fleet(n)


def bench_alerting() -> Any:
    """bench/alerting.py as a module."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_alerting", ROOT / "bench" / "alerting.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # its dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


def alerting_outcomes(part: Any = None) -> list[Any]:
    """Every encounter's outcomes of :data:`ALERTING_RUN`, hypotheses off and on (or only the
    encounters numbered in *part*, of each model)."""
    import airdecon
    from airdecon.encounters import Pilot

    mod = bench_alerting()
    protocol = airdecon.SafetyProtocol()
    pilot = Pilot(delay_s=ALERTING_RUN["response_delay_s"], floor_m=protocol.descent_floor_m)
    run = ALERTING_RUN
    return [
        o
        for m in run["models"]
        for o in mod.outcomes(m, run["n"], run["seed"], protocol, pilot, hypotheses=(False, True), part=part)
    ]


def write_alerting_outcomes() -> None:
    """Fly the whole run and write its outcomes (the slow part of ``make docs``)."""
    import json

    outs = alerting_outcomes()
    ALERTING_OUTCOMES.parent.mkdir(parents=True, exist_ok=True)
    body = {"run": ALERTING_RUN, "outcomes": [o.to_json() for o in outs]}
    ALERTING_OUTCOMES.write_text(json.dumps(body, separators=(",", ":")) + "\n", encoding="utf-8")


def read_alerting_outcomes() -> list[Any]:
    """The committed outcomes (:data:`ALERTING_OUTCOMES`)."""
    import json

    mod = bench_alerting()
    body = json.loads(ALERTING_OUTCOMES.read_text(encoding="utf-8"))
    if body["run"] != ALERTING_RUN:
        raise SystemExit(f"{ALERTING_OUTCOMES}: from another run ({body['run']}): rerun this script")
    return [mod.Outcomes.from_json(d) for d in body["outcomes"]]


def fig_alerting_encounters() -> str:
    mod = bench_alerting()
    return "\n" + mod.table([mod.summarise(o) for o in read_alerting_outcomes()]) + "\n"


def fig_replay() -> str:
    af, pa = replay_summary("af787"), replay_summary("paris")
    (pair,) = af["pairs"]  # the encounter is one pair; a second one is news the docs must tell
    rows = [
        "| recording | result |",
        "|---|---|",
        f"| AF787 / TBM900, 5 NM / 1000 ft | {af['aircraft_seen']} aircraft, {af['conflicts']} conflicting "
        f"pair, {pair['los_s']:,.0f} s in loss of separation (reference: {AF787_REFERENCE_LOS_S:,} s), "
        f"closest {pair['min_h_nm']} NM at {pair['min_v_ft']:,.0f} ft, {af['alerts_raised']} alerts raised |",
        f"| Paris 3 h, 3 NM / 1000 ft above 3,000 ft | {pa['aircraft_seen']} aircraft, {pa['conflicts']} "
        f"conflicting pairs, {pa['losses_of_separation']} with loss of separation, "
        f"{pa['alerts_raised']} alerts raised ({pa['alerts_per_hour']:.0f}/h) |",
    ]
    return "\n" + "\n".join(rows) + "\n"


def fig_replay_af787_alerts() -> str:
    af = replay_summary("af787")
    return (
        f"{af['alerts_raised']} raised over {af['duration_s'] / 3600:.1f} h, "
        f"{af['alert_events']} alert events in all"
    )


def fig_detect_demo() -> str:
    import airdecon

    n, _, conflicts = _detect(airdecon.demo_scenario_path())
    return f"{n} aircraft, {conflicts} conflicts"


def fig_detect_fleets() -> str:
    import airdecon

    rows = ["| fleet | N | candidate pairs | conflicts |", "|---|---|---|---|"]
    for n in BENCH_SIZES:
        res = airdecon.detect(_bench_random_fleet(n), airdecon.SafetyProtocol(), backend="grid")
        rows.append(f"| random | {n:,} | {res.n_candidates:,} | {len(res):,} |")
    n, candidates, conflicts = _detect(REAL)
    rows.append(f"| real worldwide fleet | {n:,} | {candidates:,} | {conflicts:,} |")
    return "\n" + "\n".join(rows) + "\n"


FIGURES: dict[str, Callable[[], str]] = {
    "replay": fig_replay,
    "replay-af787-alerts": fig_replay_af787_alerts,
    "detect-demo": fig_detect_demo,
    "detect-fleets": fig_detect_fleets,
    "alerting-encounters": fig_alerting_encounters,
}


def blocks(text: str) -> list[tuple[str, str]]:
    """(name, content) of every figures block in *text*."""
    return [(m.group(2), m.group(3)) for m in BLOCK.finditer(text)]


def update(text: str, values: dict[str, str]) -> str:
    def sub(m: re.Match[str]) -> str:
        name = m.group(2)
        if name not in values:
            raise SystemExit(f"unknown figures block {name!r} (known: {', '.join(FIGURES)})")
        return m.group(1) + values[name] + m.group(4)

    return BLOCK.sub(sub, text)


def main(argv: list[str]) -> int:
    if "--check" not in argv:
        write_alerting_outcomes()
    values = {name: f() for name, f in FIGURES.items()}
    stale = []
    for path in doc_files():
        text = path.read_text(encoding="utf-8")
        new = update(text, values)
        if new != text:
            stale.append(path.relative_to(ROOT))
            if "--check" not in argv:
                path.write_text(new, encoding="utf-8")
    verb = "stale" if "--check" in argv else "updated"
    for p in stale:
        print(f"{verb}: {p}")
    return 1 if stale and "--check" in argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
