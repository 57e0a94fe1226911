"""`airdecon audit …`: verify a store's audit chain, export an incident's record, check an export offline,
and keep a party's signed heads (`airdecon audit heads save`) to check the record against later."""

from __future__ import annotations

import json
import math
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from airdecon.audit import (
    DEFAULT_MAX_UNSIGNED,
    DEFAULT_MAX_UNSIGNED_S,
    HeadsReport,
    HubKey,
    PartyHead,
    load_heads,
    load_public_key,
    verify_chain,
    verify_export,
    write_incident,
)
from airdecon.cli._app import app, out_console
from airdecon.errors import InputError
from airdecon.store import open_store

__all__ = ["audit_app", "heads_app", "parse_time", "save_head"]

audit_app = typer.Typer(
    name="audit",
    help="The tamper-evident record: verify it, export an incident, check an export, keep your signed heads.",
    no_args_is_help=True,
)
app.add_typer(audit_app, name="audit")

heads_app = typer.Typer(
    name="heads",
    help="A party's signed heads of its extract of the record: fetch and keep them.",
    no_args_is_help=True,
)
audit_app.add_typer(heads_app, name="heads")

DbOption = Annotated[
    str, typer.Option("--db", help="Store: PATH, sqlite:///PATH or postgresql://… (must exist).")
]
PubOption = Annotated[
    Path | None,
    typer.Option("--pub", "--key", help="The hub's public key (PEM, e.g. <db>.hubkey.pub): also check "
                 "signatures. Take it from the hub when it starts, not from beside a copy of the database."),
]
HeadsOption = Annotated[
    list[Path] | None,
    typer.Option("--heads", help="Signed heads a party kept (JSON lines, `audit heads save`): the record "
                 "must match each one (repeatable; needs the public key)."),
]


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
    pub: PubOption = None,
    heads: HeadsOption = None,
    max_unsigned: Annotated[
        int, typer.Option("--max-unsigned", help="Most entries allowed after the last checkpoint (the "
                          "hub's checkpoint_every; 0: no limit).")
    ] = DEFAULT_MAX_UNSIGNED,
    max_unsigned_s: Annotated[
        float, typer.Option("--max-unsigned-s", help="Longest span of entry times allowed after the last "
                            "checkpoint (a few times the hub's checkpoint_s; 0: no limit).")
    ] = DEFAULT_MAX_UNSIGNED_S,
) -> None:
    """Recompute the whole hash chain and check every checkpoint; exit 1 naming the broken entry.

    A long unsigned tail means checkpoints were dropped; the heads parties kept catch a record
    truncated, or rewritten and re-signed with the hub's own key.
    """
    saved = [h for f in heads or [] for h in load_heads(f)]
    if saved and pub is None:
        raise InputError("--heads needs --pub: the heads are checked against the hub's public key")
    public = None if pub is None else load_public_key(pub)
    store = open_store(db, create=False)
    try:
        report = verify_chain(store, public, max_unsigned=max_unsigned or None,
                              max_unsigned_s=max_unsigned_s or None, heads=saved)
    finally:
        store.close()
    _say(
        f"[bold green]ok[/]: {report.entries} entries chained, head {report.head_hash[:16]}…, "
        f"{report.checkpoints} checkpoint(s), signed through entry {report.signed_through}"
    )
    if report.unsigned_tail:
        _say(f"note: the last {report.unsigned_tail} entries are not covered by a checkpoint yet")
    if not report.signatures_checked:
        _say("note: signatures were not checked (give --pub PUBFILE)")
    if report.heads is not None:
        _say_heads(report.heads)


def _say_heads(report: HeadsReport) -> None:
    _say(f"heads: {report.checked} matched ({', '.join(report.parties)})"
         + (f", {report.uncovered} outside what was checked" if report.uncovered else ""))


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
    store = open_store(db, create=False)
    try:
        if out is None:
            write_incident(store, sys.stdout, start, end, parties=party or None)
            return
        part = out.with_name(out.name + ".part")
        try:
            with part.open("w", encoding="utf-8") as f:
                n = write_incident(store, f, start, end, parties=party or None)
            part.replace(out)
        except OSError as exc:
            part.unlink(missing_ok=True)
            raise InputError(f"cannot write {out}: {exc.strerror or exc}") from None
    finally:
        store.close()
    _say(f"wrote {out} ({n} entries)")


@audit_app.command("check")
def check_command(
    export: Annotated[Path, typer.Argument(help="An export written by `airdecon audit export`.")],
    key: Annotated[Path, typer.Option("--pub", "--key", help="The hub's public key (PEM).")],
    heads: HeadsOption = None,
) -> None:
    """Verify an incident export offline against the hub's public key (and a party's saved heads).

    With ``--heads``, every head the export reaches must match it, and a head signed within the
    window for entries the export lacks is a truncation. Export from the start (``--from 0``) to
    check every head; a later window checks the heads after its start.
    """
    try:
        data = export.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {export}: {exc.strerror or exc}") from None
    saved = [h for f in heads or [] for h in load_heads(f)]
    report = verify_export(data, key, heads=saved, source=str(export))
    _say(
        f"[bold green]ok[/]: entries {report.first_seq}..{report.last_seq}: {report.disclosed} disclosed, "
        f"{report.redacted} redacted, signed through entry {report.signed_through}"
    )
    if report.heads is not None:
        if saved and report.heads.checked == 0:
            raise InputError(f"none of the {len(saved)} heads is within this export: export the party's "
                             "record (--party P) over a window that includes them")
        _say_heads(report.heads)


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


def save_head(head: PartyHead, path: Path) -> bool:
    """Append *head* to the heads file *path* (JSON lines) unless it holds it already; True if
    written."""
    kept = load_heads(path) if path.exists() else []
    if any((h.party, h.n, h.hash, h.at) == (head.party, head.n, head.hash, head.at) for h in kept):
        return False
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(head.to_json(), sort_keys=True) + "\n")
    return True


@heads_app.command("save")
def heads_save_command(
    hub: Annotated[str, typer.Option("--hub", help="The hub's base URL, e.g. http://127.0.0.1:8000.")],
    token: Annotated[
        str, typer.Option("--token", envvar="AIRDECON_TOKEN", help="Your party's bearer token.")
    ],
    out: Annotated[Path, typer.Option("--out", help="The heads file (JSON lines) to append to.")],
    pub: Annotated[
        Path | None, typer.Option("--pub", help="The hub's public key: refuse a head it did not sign.")
    ] = None,
) -> None:
    """Fetch your party's last signed head (`GET /v1/audit/head`) and keep it in a JSON lines file.

    Run it now and then (the stream also sends each new head as ``{"type": "head"}``); later
    ``airdecon audit check EXPORT --pub PUB --heads FILE`` proves the record was not truncated nor
    rewritten since, even by someone holding the hub's key.
    """
    import httpx

    try:
        r = httpx.get(hub.rstrip("/") + "/v1/audit/head", headers={"Authorization": f"Bearer {token}"},
                      timeout=10.0)
        r.raise_for_status()
        obj = r.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise InputError(f"cannot fetch the head from {hub}: {exc}") from exc
    if not isinstance(obj, dict) or obj.get("head") is None:
        _say("no head signed for your party yet")
        return
    head = PartyHead.from_json(obj["head"])
    if pub is not None:
        head.check(load_public_key(pub))
    written = save_head(head, out)
    _say(f"{'kept' if written else 'already kept'} head {head.n} of {head.party} in {out}")
