"""`airdecon detect` and `airdecon demo`: offline detection and resolution over a scenario file.

Each conflict is printed with its alert level and each aircraft's advisory, as a table or as JSON.
"""

from __future__ import annotations

import json
import math
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from airdecon.alerting import Level
from airdecon.cli._app import app, out_console
from airdecon.detection import ConflictSet, detect
from airdecon.resolution import Resolution, resolve
from airdecon.scenario import Scenario, demo_scenario_path, load_scenario

__all__ = ["conflicts_json", "render_table"]


class OutputFormat(StrEnum):
    """Output formats of ``airdecon detect``."""

    table = "table"
    json = "json"


class BackendChoice(StrEnum):
    """Detection backends selectable from the CLI."""

    auto = "auto"
    brute = "brute"
    grid = "grid"


def _finite_or_none(x: float) -> float | None:
    return x if math.isfinite(x) else None


def conflicts_json(conflicts: ConflictSet, resolution: Resolution | None = None) -> dict[str, object]:
    """The ``--format json`` document: ``{"conflicts": [...]}``, sorted by ``t_in_s``.

    JSON has no infinity: a ``t_out_s`` of ``inf`` (separation never regained) is written ``null``.
    With a *resolution*, each conflict also gets ``"level"`` and ``"advisories"``: one
    ``{"aircraft", "trk_deg" and/or "vs_fpm", "rule", "reason"}`` object per aircraft (a ``follow-tcas``
    advisory carries neither ``trk_deg`` nor ``vs_fpm``).
    """
    rows = []
    for k, c in enumerate(conflicts):
        d = c.to_dict()
        d["t_out_s"] = _finite_or_none(c.t_out_s)
        if resolution is not None:
            cr = resolution[k]
            d["level"] = cr.level.label
            d["advisories"] = [adv.to_dict() for adv in cr.advisories]
        rows.append(d)
    return {"conflicts": rows}


_LEVEL_STYLE: dict[Level, str | None] = {
    Level.ADVISORY: None,
    Level.CAUTION: "yellow",
    Level.WARNING: "bold red",
    Level.LOSS: "bold red",
}


def render_table(scenario: Scenario, conflicts: ConflictSet, resolution: Resolution | None = None) -> Table:
    """A readable rich table of the conflicts, with each aircraft's party, and with a *resolution*
    each conflict's level and each aircraft's advisory in plain words."""
    fleet = scenario.fleet
    p = scenario.protocol
    title = (
        f"{len(conflicts)} conflict(s) among {len(fleet)} aircraft "
        f"({p.horizontal_nm:g} NM / {p.vertical_ft:g} ft, look-ahead {p.lookahead_s:g} s)"
    )
    table = Table(title=title, title_justify="left")
    for name, justify in (
        ("a", "left"),
        ("b", "left"),
        ("LoS in (s)", "right"),
        ("LoS out (s)", "right"),
        ("CPA (s)", "right"),
        ("CPA dist (NM)", "right"),
        ("CPA Δalt (ft)", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    if resolution is not None:
        table.add_column("level", justify="left")
        table.add_column("advisories", justify="left", overflow="fold")
    for k, c in enumerate(conflicts):
        pa = fleet.party[conflicts.i[k]]
        pb = fleet.party[conflicts.j[k]]
        t_in = "now" if c.t_in_s == 0 else f"{c.t_in_s:.0f}"
        t_out = "never" if math.isinf(c.t_out_s) else f"{c.t_out_s:.0f}"
        style = "bold red" if c.t_in_s == 0 else ("yellow" if c.t_in_s < 120 else None)
        cells = [
            f"{c.a} [dim]{pa}[/]",
            f"{c.b} [dim]{pb}[/]",
            t_in,
            t_out,
            f"{c.tcpa_s:.0f}",
            f"{c.dcpa_nm:.2f}",
            f"{c.dalt_cpa_ft:.0f}",
        ]
        if resolution is not None:
            cr = resolution[k]
            style = _LEVEL_STYLE[cr.level]
            cells.append(cr.level.label)
            cells.append("\n".join(f"{adv.aircraft}: {escape(adv.reason)}" for adv in cr.advisories))
        table.add_row(*cells, style=style)
    return table


def _run(
    scenario: Scenario, fmt: OutputFormat, backend: BackendChoice, distress: list[str] | None = None
) -> None:
    conflicts = detect(scenario.fleet, scenario.protocol, backend=backend.value)
    resolution = resolve(scenario.fleet, conflicts, scenario.protocol, distress=frozenset(distress or ()))
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps(conflicts_json(conflicts, resolution), allow_nan=False) + "\n")
    else:
        out_console.print(render_table(scenario, conflicts, resolution))


@app.command("detect")
def detect_command(
    scenario: Annotated[
        Path | None, typer.Argument(help="Scenario file (JSON, YAML or BlueSky .scn).")
    ] = None,
    demo: Annotated[bool, typer.Option("--demo", help="Use the bundled demo scenario.")] = False,
    format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format.")
    ] = OutputFormat.table,
    backend: Annotated[
        BackendChoice, typer.Option(help="Detection backend (all give the same answer).")
    ] = BackendChoice.auto,
    distress: Annotated[
        list[str] | None,
        typer.Option("--distress", help="Id of an aircraft in distress (right of way over all); repeatable."),
    ] = None,
) -> None:
    """Predict losses of separation in a scenario, with alert levels and advisories, and print them."""
    if (scenario is None) == (not demo):
        raise typer.BadParameter("give a SCENARIO file or --demo (not both)")
    _run(load_scenario(scenario if scenario is not None else demo_scenario_path()), format, backend, distress)
