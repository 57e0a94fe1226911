"""`airdecon detect` and `airdecon demo`: offline detection and resolution over a scenario file.

Each conflict is printed with its alert level and each aircraft's advisory, as a compact table (one
line per pair, the advisories wrapped under it, 80 columns enough) or as JSON.
"""

from __future__ import annotations

import json
import math
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text

from airdecon.alerting import Level
from airdecon.cli._app import app, out_console
from airdecon.detection import ConflictSet, detect
from airdecon.resolution import Resolution, resolve
from airdecon.scenario import Scenario, demo_scenario_path, load_scenario

__all__ = ["ConflictTable", "conflicts_json", "render_table"]


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

#: The numeric columns: header and alignment (``>`` right). ``in``/``out``: seconds until the loss
#: of separation begins and ends; ``cpa``: seconds to the closest point of approach.
_HEAD = (("in s", ">"), ("out s", ">"), ("cpa s", ">"), ("cpa NM", ">"), ("Δalt ft", ">"))
_GAP = "  "
_LEGEND = "in/out: s until separation is lost/regained; cpa: closest point of approach"
_Row = tuple[list[Text], str | None]  # the cells of one pair's line, and its style


class ConflictTable:
    """The conflicts as a compact table: one line per pair (full ids, each with its party when the
    width allows), and each aircraft's advisory on its own indented lines under the pair, wrapped
    to the console's width. Columns are sized to their content, never truncated."""

    def __init__(self, scenario: Scenario, conflicts: ConflictSet, resolution: Resolution | None) -> None:
        self.scenario, self.conflicts, self.resolution = scenario, conflicts, resolution

    def _rows(self, parties: bool) -> list[_Row]:
        fleet, conflicts = self.scenario.fleet, self.conflicts
        rows: list[_Row] = []
        for k, c in enumerate(conflicts):
            ids = []
            for ident, row in ((c.a, conflicts.i[k]), (c.b, conflicts.j[k])):
                cell = Text(ident)
                if parties:
                    cell.append(f" {fleet.party[row]}", style="dim")
                ids.append(cell)
            t_in = "now" if c.t_in_s == 0 else f"{c.t_in_s:.0f}"
            t_out = "never" if math.isinf(c.t_out_s) else f"{c.t_out_s:.0f}"
            nums = [t_in, t_out, f"{c.tcpa_s:.0f}", f"{c.dcpa_nm:.2f}", f"{c.dalt_cpa_ft:.0f}"]
            cells = [*ids, *(Text(n) for n in nums)]
            style = "bold red" if c.t_in_s == 0 else ("yellow" if c.t_in_s < 120 else None)
            if self.resolution is not None:
                level = self.resolution[k].level
                # a conflict predicted only with a level-off or along a turn says so
                why = "" if c.hypothesis == "straight" else f" ({c.hypothesis})"
                cells.append(Text(level.label + why))
                style = _LEVEL_STYLE[level]
            rows.append((cells, style))
        return rows

    def _layout(self, max_width: int) -> tuple[list[str], list[str], list[_Row], list[int]]:
        heads = ["a", "b", *(h for h, _ in _HEAD)] + (["level"] if self.resolution is not None else [])
        aligns = ["<", "<", *(a for _, a in _HEAD)] + (["<"] if self.resolution is not None else [])
        for parties in (True, False):  # drop the party names before anything else
            rows = self._rows(parties)
            widths = [max([len(h), *(r[0][n].cell_len for r in rows)]) for n, h in enumerate(heads)]
            if sum(widths) + len(_GAP) * (len(widths) - 1) <= max_width:
                break
        return heads, aligns, rows, widths

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        p, fleet = self.scenario.protocol, self.scenario.fleet
        yield Text(
            f"{len(self.conflicts)} conflict(s) among {len(fleet)} aircraft "
            f"({p.horizontal_nm:g} NM / {p.vertical_ft:g} ft, look-ahead {p.lookahead_s:g} s)",
            style="bold",
        )
        if not len(self.conflicts):
            return
        yield Text(_LEGEND, style="dim")
        heads, aligns, rows, widths = self._layout(options.max_width)

        def line(cells: list[Text], style: str | None) -> Text:
            out = Text(style=style or "", no_wrap=True, overflow="ignore")
            for n, (cell, align, w) in enumerate(zip(cells, aligns, widths, strict=True)):
                pad = " " * (w - cell.cell_len)
                out.append_text(Text.assemble(pad, cell) if align == ">" else Text.assemble(cell, pad))
                if n < len(cells) - 1:
                    out.append(_GAP)
            out.rstrip()
            return out

        yield line([Text(h) for h in heads], "bold")
        for k, (cells, style) in enumerate(rows):
            yield line(cells, style)
            if self.resolution is None:
                continue
            for adv in self.resolution[k].advisories:  # "ID: reason", the reason hanging under itself
                head = f"    {adv.aircraft}: "
                width = max(20, options.max_width - len(head))
                for n, part in enumerate(Text(adv.reason).wrap(console, width, overflow="fold")):
                    part.rstrip()
                    yield Text.assemble(head if n == 0 else " " * len(head), part)


def render_table(
    scenario: Scenario, conflicts: ConflictSet, resolution: Resolution | None = None
) -> ConflictTable:
    """A readable table of the conflicts (a rich renderable), with each aircraft's party, and with
    a *resolution* each conflict's level and each aircraft's advisory in plain words, under its
    pair. Fits 80 columns for ids of up to about 10 characters."""
    return ConflictTable(scenario, conflicts, resolution)


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
