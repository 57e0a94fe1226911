"""`airdecon audit …`: verify a store's audit chain, export an incident's record, check an export offline."""

from __future__ import annotations

import json
import math
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from airdecon.audit import HubKey, export_incident, verify_chain, verify_export
from airdecon.cli._app import app, out_console
from airdecon.errors import InputError
from airdecon.store import open_store

__all__ = ["audit_app", "parse_time"]

audit_app = typer.Typer(
    name="audit",
    help="The tamper-evident record: verify it, export an incident, check an export.",
    no_args_is_help=True,
)
app.add_typer(audit_app, name="audit")

DbOption = Annotated[str, typer.Option("--db", help="Store: PATH, sqlite:///PATH or postgresql://…")]


def _say(text: str) -> None:
    """Print one line of rich markup, unwrapped (paths and hashes stay greppable)."""
    out_console.print(text, soft_wrap=True)


def parse_time(text: str) -> float:
    """POSIX seconds from *text*: a number of seconds, or ISO 8601 (no offset means UTC).

    Examples
    --------
    >>> parse_time("1700000000.5")
    1700000000.5
    >>> parse_time("2023-11-14T22:13:20Z")
    1700000000.0
    """
    try:
        value = float(text)
    except ValueError:
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            raise InputError(f"time {text!r}: give POSIX seconds or ISO 8601 (2026-11-25T14:00Z)") from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return when.timestamp()
    if not math.isfinite(value):
        raise InputError(f"time {text!r} is not finite")
    return value


@audit_app.command("verify")
def verify_command(
    db: DbOption,
    key: Annotated[
        Path | None, typer.Option("--key", help="The hub's public key (PEM): also check signatures.")
    ] = None,
) -> None:
    """Recompute the whole hash chain and check every checkpoint; exit 1 naming the broken entry."""
    store = open_store(db)
    try:
        report = verify_chain(store, key)
    finally:
        store.close()
    _say(
        f"[bold green]ok[/]: {report.entries} entries chained, head {report.head_hash[:16]}…, "
        f"{report.checkpoints} checkpoint(s), signed through entry {report.signed_through}"
    )
    if report.unsigned_tail:
        _say(f"note: the last {report.unsigned_tail} entries are not covered by a checkpoint yet")
    if not report.signatures_checked:
        _say("note: signatures were not checked (give --key PUBFILE)")


@audit_app.command("export")
def export_command(
    db: DbOption,
    t_from: Annotated[str, typer.Option("--from", help="Window start: POSIX seconds or ISO 8601.")],
    t_to: Annotated[str, typer.Option("--to", help="Window end: POSIX seconds or ISO 8601.")],
    party: Annotated[
        list[str] | None, typer.Option("--party", help="Only what this party sent or saw (repeatable).")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write here instead of stdout.")] = None,
) -> None:
    """Export an incident's record (entries in the window, their hashes, covering checkpoints) as JSON."""
    start, end = parse_time(t_from), parse_time(t_to)
    if end < start:
        raise InputError(f"--to ({t_to}) is before --from ({t_from})")
    store = open_store(db)
    try:
        doc = export_incident(store, start, end, parties=party or None)
    finally:
        store.close()
    text = json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        entries = doc["entries"]
        n = len(entries) if isinstance(entries, list) else 0
        _say(f"wrote {out} ({n} entries)")


@audit_app.command("check")
def check_command(
    export: Annotated[Path, typer.Argument(help="An export written by `airdecon audit export`.")],
    key: Annotated[Path, typer.Option("--key", help="The hub's public key (PEM).")],
) -> None:
    """Verify an incident export offline against the hub's public key."""
    try:
        text = export.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {export}: {exc}") from exc
    report = verify_export(text, key)
    _say(
        f"[bold green]ok[/]: entries {report.first_seq}..{report.last_seq}: {report.disclosed} disclosed, "
        f"{report.redacted} redacted, signed through entry {report.signed_through}"
    )


@audit_app.command("keygen")
def keygen_command(
    out: Annotated[Path, typer.Option("--out", help="Private key (PEM) to create; public key: OUT.pub.")],
) -> None:
    """Create the hub's checkpoint signing key (Ed25519) and its public key."""
    if out.exists():
        raise InputError(f"{out} exists: refusing to overwrite a key")
    key = HubKey.generate()
    out.touch(mode=0o600)
    out.write_bytes(key.private_pem())
    pub = out.with_name(out.name + ".pub")
    pub.write_bytes(key.public_pem())
    _say(f"wrote {out} (keep secret) and {pub} (key id {key.key_id})")
