"""`airdecon simulate`: closed-loop fast-time evaluation of a scenario (baseline and resolution).

Prints a short comparison; the full document (``docs/simulation.md``) goes to ``DIR/summary.json``
with ``--out DIR``, or to standard output without it.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from airdecon.cli._app import app, err_console, out_console
from airdecon.errors import InputError
from airdecon.scenario import load_scenario
from airdecon.simulation import MAX_DURATION_S, PilotModel, simulate

__all__ = ["simulate_command"]


class OnOff(StrEnum):
    """Whether the line advises in the run."""

    on = "on"
    off = "off"


@app.command("simulate")
def simulate_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (JSON, YAML or BlueSky .scn).")],
    duration: Annotated[
        float, typer.Option("--duration", min=1.0, max=MAX_DURATION_S, help="Simulated time, seconds.")
    ] = 600.0,
    response_delay: Annotated[
        float,
        typer.Option(
            "--response-delay", min=0.0, max=600.0, help="Seconds before a pilot flies a first advisory."
        ),
    ] = 5.0,
    compliance: Annotated[
        float,
        typer.Option("--compliance", min=0.0, max=1.0, help="Probability that a pilot follows the line."),
    ] = 1.0,
    resolution: Annotated[
        OnOff, typer.Option("--resolution", help="off: fly the baseline only (no advisories).")
    ] = OnOff.on,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write DIR/summary.json (created if missing).")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the pilots' random draws.")] = 0,
) -> None:
    """Fly a scenario in fast time, with and without the line's advisories, and compare them.

    Every second the fleet is re-detected and re-advised; pilots fly the advisories after the
    response delay (a change after half of it), turn at 3°/s and climb or descend at 1,500-2,500
    ft/min with 0.25 g. The summary gives the pairs that lost separation, the seconds in loss, each
    pair's minimum separation, the extra distance flown and the IPR (share of the baseline's losses
    that resolution prevented).
    """
    if out is not None and out.exists() and not out.is_dir():
        raise InputError(f"--out {out}: exists and is not a directory")
    sc = load_scenario(scenario)
    pilot = PilotModel(response_delay_s=response_delay, compliance=compliance)
    sim = simulate(sc, duration_s=duration, resolution=resolution is OnOff.on, pilot=pilot, seed=seed)
    doc = sim.summary()
    text = json.dumps(doc, indent=2, allow_nan=False) + "\n"
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / "summary.json").write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"--out {out}: cannot write summary.json ({exc.strerror or exc})") from None
    out_console.print(_line(doc), soft_wrap=True)
    err_console.print(f"wrote {out / 'summary.json'}", style="dim")


def _line(doc: dict[str, Any]) -> str:
    """One line for a person: losses with and without the line, IPR, extra distance."""
    n = len(doc["losses_of_separation"])
    head = f"{doc['aircraft']} aircraft, {doc['duration_s']:g} s:"
    if doc["resolution"] == "off":
        return f"{head} {n} pairs lost separation ({doc['los_s']:g} s)"
    base = len(doc["baseline"]["losses_of_separation"])
    ipr = "n/a (no loss without resolution)" if doc["ipr"] is None else f"{doc['ipr']:.3f}"
    return (
        f"{head} pairs in loss {base} without resolution, "
        f"{n} with it ({doc['los_s']:g} s); IPR {ipr}; extra distance {doc['extra_distance_nm']:.1f} NM"
    )
