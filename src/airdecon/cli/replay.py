"""`airdecon replay`: recorded traffic through tracking, detection and alerting, with a report.

Writes ``alerts.jsonl``, ``summary.json`` and ``traffic.png`` into ``--out`` and prints a short
human summary. ``--speed X`` paces the replay at X times real time; ``--fast`` (the default)
runs as fast as the machine can.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from airdecon.cli._app import app, err_console, out_console
from airdecon.documents import load_document
from airdecon.errors import InputError, MalformedInput
from airdecon.ingest import FORMATS
from airdecon.protocol import SafetyProtocol
from airdecon.replay import replay_recording
from airdecon.units import FT, NM

__all__ = ["load_protocol", "parse_time"]


def parse_time(text: str, *, name: str) -> float:
    """A time option: Unix seconds (``1633608000``) or ISO 8601 (``2021-10-07T12:30:00Z``; UTC if
    no offset is given)."""
    try:
        return float(text)
    except ValueError:
        pass
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{name}: {text!r} is neither Unix seconds nor an ISO 8601 time") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def load_protocol(path: Path | None, **overrides: float | None) -> SafetyProtocol:
    """The protocol from a scenario-style file (its ``protocol`` block, or the whole document when
    it is a bare block) with the command-line values (aviation units) on top."""
    block: dict[str, Any] = {}
    if path is not None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"--protocol: cannot read {path}: {exc.strerror or exc}") from None
        fmt = "yaml" if path.suffix.lower() in (".yaml", ".yml") else "json"
        try:
            doc = load_document(data, fmt=fmt, source=str(path))
        except MalformedInput as exc:
            raise InputError(f"--protocol: {exc}") from exc
        if isinstance(doc, dict) and "protocol" in doc:
            doc = doc["protocol"]
        if not isinstance(doc, dict):
            raise InputError(f"--protocol: {path} must hold an object (or a 'protocol' object)")
        block = dict(doc)
    block.update({k: v for k, v in overrides.items() if v is not None})
    return SafetyProtocol.from_mapping(block)


@app.command("replay")
def replay_command(
    recording: Annotated[
        Path, typer.Argument(help="Recording: OpenSky parquet/CSV, raw frames CSV, Beast, SBS.")
    ],
    out: Annotated[
        Path, typer.Option("--out", help="Directory for alerts.jsonl, summary.json, traffic.png.")
    ] = Path("replay-out"),
    speed: Annotated[
        float | None, typer.Option("--speed", help="Replay at this many times real time.")
    ] = None,
    fast: Annotated[bool, typer.Option("--fast", help="As fast as possible (the default).")] = False,
    t_from: Annotated[
        str | None, typer.Option("--from", help="Start: Unix seconds or ISO 8601 (UTC).")
    ] = None,
    t_to: Annotated[str | None, typer.Option("--to", help="End: Unix seconds or ISO 8601 (UTC).")] = None,
    protocol: Annotated[Path | None, typer.Option("--protocol", help="Scenario-style protocol file.")] = None,
    horizontal_nm: Annotated[
        float | None, typer.Option("--horizontal-nm", help="Horizontal minimum.")
    ] = None,
    vertical_ft: Annotated[float | None, typer.Option("--vertical-ft", help="Vertical minimum.")] = None,
    lookahead_s: Annotated[float | None, typer.Option("--lookahead-s", help="Look-ahead.")] = None,
    min_alt_ft: Annotated[
        float | None, typer.Option("--min-alt-ft", help="Ignore traffic below this.")
    ] = None,
    step_s: Annotated[float, typer.Option("--step-s", help="Update interval of recorded time.")] = 1.0,
    fmt: Annotated[
        str | None, typer.Option("--format", help=f"Recording format: {', '.join(FORMATS)}.")
    ] = None,
    no_plot: Annotated[bool, typer.Option("--no-plot", help="Do not draw traffic.png.")] = False,
    hub: Annotated[
        str | None, typer.Option("--hub", help="Also feed this hub (URL) as --party's aircraft.")
    ] = None,
    party: Annotated[str | None, typer.Option("--party", help="The party whose traffic this is.")] = None,
    token: Annotated[
        str | None,
        typer.Option("--token", envvar="AIRDECON_TOKEN", help="The party's token (or $AIRDECON_TOKEN)."),
    ] = None,
) -> None:
    """Replay recorded traffic through tracking, detection and alerting; write a report."""
    if speed is not None and fast:
        raise typer.BadParameter("give --speed or --fast, not both")
    if speed is not None and not (math.isfinite(speed) and speed > 0):
        raise typer.BadParameter("--speed must be > 0")
    if not recording.exists():
        raise InputError(f"no such recording: {recording}")
    rules = load_protocol(
        protocol, horizontal_nm=horizontal_nm, vertical_ft=vertical_ft, lookahead_s=lookahead_s
    )
    sinks = []
    if hub is not None:
        if not party or not token:
            raise typer.BadParameter("--hub needs --party and --token (or $AIRDECON_TOKEN)")
        from airdecon.replay._hubfeed import HubFeed

        sinks.append(HubFeed(hub, token, party))
    lo = parse_time(t_from, name="--from") if t_from is not None else None
    hi = parse_time(t_to, name="--to") if t_to is not None else None

    pace = None
    if speed is not None:
        start: list[float] = []

        def pace(t_s: float) -> None:  # the CLI is a face: it may read the clock
            if not start:
                start.extend((time.monotonic(), t_s))
                return
            due = start[0] + (t_s - start[1]) / speed
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)

    columns = (
        TextColumn("[bold]replay[/]"),
        BarColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("reading", total=1.0)

        def progress(t_s: float, a: float, b: float) -> None:
            if b > a:
                stamp = datetime.fromtimestamp(t_s, tz=UTC).strftime("%H:%M:%SZ")
                bar.update(task, completed=(t_s - a) / (b - a), description=stamp)

        report = replay_recording(
            recording,
            rules,
            out_dir=out,
            fmt=fmt,
            step_s=step_s,
            t_from=lo,
            t_to=hi,
            min_alt_m=min_alt_ft * FT if min_alt_ft is not None else -math.inf,
            plot=not no_plot,
            pace=pace,
            progress=progress,
            sinks=sinks,
        )
    s = report.summary
    for line in summary_lines(s, rules, min_alt_ft):
        out_console.print(line, soft_wrap=True)  # whole lines in any terminal or pipe
    if s["distress"]:
        out_console.print(f"[bold red]{len(s['distress'])} distress event(s)[/]")
    rej = s["rejects"]
    if rej["rejected"]:
        kinds = ", ".join(f"{k}: {v['count']}" for k, v in rej["by_kind"].items())
        out_console.print(f"[yellow]rejected input: {rej['rejected']} of {rej['total']} ({kinds})[/]")
    out_console.print(
        f"report in {out}/ (alerts.jsonl, summary.json" + ("" if no_plot else ", traffic.png") + ")"
    )
    for sink in sinks:
        out_console.print(
            f"fed {sink.url} as {sink.party}: {sink.sent} reports accepted, {sink.failed} posts failed"
            + (f" (last: {sink.last_error})" if sink.failed else "")
        )


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.2f} h" if seconds >= 360 else f"{seconds / 60:.1f} min"


def summary_lines(s: dict[str, Any], rules: SafetyProtocol, min_alt_ft: float | None) -> list[str]:
    """The replay's summary for people: the time covered (and the gaps when the recording has
    some), the counts, then the losses of separation, worst first, and only then near misses."""
    lines = [
        f"[bold]{s['recording']}[/]: {_hours(s['covered_s'])} of traffic in {s['wall_s']:.1f} s "
        f"({s['speed_x']}x real time); {s['aircraft_seen']} aircraft seen"
    ]
    if s["n_gaps"] and s["duration_s"] - s["covered_s"] >= 60:
        big, gaps = s["gaps"][0], _hours(s["duration_s"] - s["covered_s"])
        lines.append(
            f"  from {s['from']} to {s['to']}: {s['n_gaps']} gap(s) without traffic, "
            f"{gaps} in all (longest {_hours(big['s'])}, from {big['from']})"
        )
    lines.append(
        f"minima {rules.horizontal_m / NM:g} NM / {rules.vertical_m / FT:g} ft"
        + (f" above {min_alt_ft:g} ft" if min_alt_ft is not None else "")
        + f": {s['conflicts']} conflicting pairs, {s['losses_of_separation']} with loss of separation, "
        f"{s['alerts_raised']} alerts raised ({s['alerts_per_hour']}/h of traffic)"
    )
    lost = [p for p in s["pairs"] if p["los_s"] > 0]
    for p in lost[:5]:
        lines.append(
            f"  {p['a']} / {p['b']}: closest {p['min_h_nm']:.3f} NM, {p['min_v_ft']:.0f} ft; "
            f"{p['los_s']:.0f} s in loss of separation"
        )
    if len(lost) > 5:
        lines.append(f"  … and {len(lost) - 5} more losses of separation (summary.json)")
    near = [p for p in s["pairs"] if p["los_s"] <= 0][: max(0, 5 - len(lost))]
    if near:
        lines.append("closest pairs that kept separation (predicted conflicts only):")
        lines.extend(
            f"  {p['a']} / {p['b']}: closest {p['min_h_nm']:.3f} NM, {p['min_v_ft']:.0f} ft"
            for p in near
        )
    return lines
