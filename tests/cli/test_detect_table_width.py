"""`airdecon detect --demo` reads well at 80 columns (issue 13): no line wider than the terminal,
every aircraft id in full, each advisory on its own lines under its pair rather than in a
six-character column."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import airdecon
from airdecon.cli.detect import render_table


def _detect(*args: str, columns: int) -> str:
    run = subprocess.run(
        [sys.executable, "-m", "airdecon", "detect", "--demo", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": str(columns)},
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_demo_table_fits_80_columns_with_full_ids_and_advice() -> None:
    rows = json.loads(_detect("-f", "json", columns=80))["conflicts"]
    text = _detect(columns=80)  # a pipe, COLUMNS=80: what a new user's terminal shows
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80, "\n".join(lines)
    assert "…" not in text
    flat = " ".join(text.split())
    for row in rows:
        pair = next(line for line in lines if row["a"] in line.split() and row["b"] in line.split())
        assert row["level"] in pair
        for adv in row["advisories"]:
            # the advisory starts a line of its own, with its aircraft's full id, and reads in full
            assert any(line.lstrip().startswith(f"{adv['aircraft']}:") for line in lines)
            assert " ".join(adv["reason"].split()) in flat


def test_table_at_80_columns_in_process() -> None:
    from rich.console import Console

    sc = airdecon.load_scenario(airdecon.demo_scenario_path())
    conflicts = airdecon.detect(sc.fleet, sc.protocol)
    res = airdecon.resolve(sc.fleet, conflicts, sc.protocol)
    for width in (80, 120):
        console = Console(width=width, record=True, file=io.StringIO())
        console.print(render_table(sc, conflicts, res))
        out = console.export_text()
        assert max(len(line) for line in out.splitlines()) <= width
        for c in conflicts:
            assert c.a in out and c.b in out
