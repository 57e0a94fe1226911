"""`airdecon protocol ...`: keys, and the negotiation of the protocol document in a protocol directory.

The commands are a thin face over :mod:`airdecon.protocol`: they read files and the clock (the
``--at`` option replaces the clock), call the pure negotiation logic, and save through
:class:`~airdecon.protocol.ProtocolStore`. Every failure is an ``AirdeconError``: exit code 1 with
a message (see :func:`airdecon.cli.main`).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from airdecon.cli._app import app
from airdecon.errors import ProtocolError
from airdecon.protocol import (
    Negotiation,
    ProtocolDocument,
    ProtocolStore,
    Version,
    diff_documents,
    fingerprint,
    format_diff,
    generate_private_key,
    private_key_from_pem,
    private_key_to_pem,
    public_key_text,
)
from airdecon.protocol._canonical import read_text
from airdecon.protocol._parties import PARTY_ID

__all__ = ["protocol_app"]

protocol_app = typer.Typer(
    name="protocol",
    help="Negotiate, sign and verify the safety protocol document.",
    no_args_is_help=True,
)
app.add_typer(protocol_app, name="protocol")

DirArg = Annotated[Path, typer.Argument(help="The protocol directory (see 'airdecon protocol init').")]
PartyOpt = Annotated[str, typer.Option("--party", "-p", help="The party acting (its id in the document).")]
KeyOpt = Annotated[Path, typer.Option("--key", "-k", help="The party's private key file (PEM).")]
AtOpt = Annotated[
    str | None,
    typer.Option("--at", help="When, as ISO 8601 with a time zone (default: now). For reproducible records."),
]


class ShowFormat(StrEnum):
    """Output formats of ``airdecon protocol show``."""

    yaml = "yaml"
    json = "json"
    canonical = "canonical"


def _say(text: str = "") -> None:
    typer.echo(text)


def _when(at: str | None) -> datetime:
    if at is None:
        return datetime.now(UTC)
    try:
        when = datetime.fromisoformat(at)
    except ValueError:
        raise ProtocolError(f"--at: not an ISO 8601 time: {at!r}") from None
    if when.tzinfo is None:
        raise ProtocolError(f"--at: give a time zone (e.g. {at}Z): {at!r}")
    return when


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ProtocolError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _key(path: Path) -> Ed25519PrivateKey:
    return private_key_from_pem(_read(path), where=str(path))


def _open(directory: Path) -> tuple[ProtocolStore, Negotiation]:
    store = ProtocolStore(directory)
    return store, store.load()


def _document_deriving(path: Path, parent: Version | None) -> ProtocolDocument:
    """Read a document file; with *parent*, set its ``parent`` and ``revision`` from it."""
    data = _read(path)
    if parent is None:
        return ProtocolDocument.parse(data, source=str(path))
    raw: Any = read_text(data, source=str(path))
    if isinstance(raw, dict):
        given = raw.get("parent")
        # a file made by `protocol show` of the version amended names *that* version's parent:
        # it is a copy of what is amended, the natural start of an amendment
        if given not in (None, parent.digest, parent.document.parent):
            raise ProtocolError(
                f"{path}: parent: the file names {given}, but it amends {parent.short} ({parent.digest}): "
                f"remove the parent line, or set it to {parent.digest}"
            )
        raw["parent"] = parent.digest
        raw["revision"] = parent.document.revision + 1
    try:
        return ProtocolDocument.from_mapping(raw)
    except ProtocolError as exc:
        raise ProtocolError(f"{path}: {exc}") from None


def _status_line(n: Negotiation, v: Version) -> str:
    s = n.status(v.digest)
    signed = ", ".join(s.signed) or "nobody"
    missing = f"; waiting for {', '.join(s.missing)}" if s.missing else ""
    return f"{v.short}  {s.state:<10}  signed by {signed}{missing}"


# ---- commands ---------------------------------------------------------------------------------------
@protocol_app.command("keygen")
def keygen_command(
    party: Annotated[str, typer.Argument(help="The party id the key is for.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory for PARTY.key and PARTY.pub.")] = Path(),
) -> None:
    """Generate a party's Ed25519 signing key: PARTY.key (private, mode 600) and PARTY.pub."""
    if not PARTY_ID.match(party):
        raise ProtocolError(f"party: {party!r} is not a valid party id (letters, digits, '_', '.', '-')")
    private = out / f"{party}.key"
    public = out / f"{party}.pub"
    for p in (private, public):
        if p.exists():
            raise ProtocolError(f"{p}: already exists (refusing to overwrite a key)")
    key = generate_private_key()
    out.mkdir(parents=True, exist_ok=True)
    fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(private_key_to_pem(key))
    text = public_key_text(key)
    public.write_text(text + "\n", encoding="ascii")
    _say(f"{party} signing_key: {text}")
    _say(f"fingerprint: {fingerprint(text)}  (read it to the other parties over the 24-hour line)")
    _say(f"private key: {private} (keep it secret)")


@protocol_app.command("init")
def init_command(directory: DirArg) -> None:
    """Create an empty protocol directory (versions, signatures, history)."""
    store = ProtocolStore.init(directory)
    _say(f"initialised protocol directory {store.path}")


@protocol_app.command("propose")
def propose_command(
    directory: DirArg,
    document: Annotated[Path, typer.Argument(help="The proposed document (YAML or JSON).")],
    party: PartyOpt,
    key: KeyOpt,
    amends: Annotated[
        str | None, typer.Option("--amends", help="Propose an amendment to this version (e.g. 'current').")
    ] = None,
    at: AtOpt = None,
) -> None:
    """Propose a first version, or an amendment to the version in force, and sign it."""
    store, n = _open(directory)
    when = _when(at)
    parent = n.resolve(amends) if amends is not None else None
    doc = _document_deriving(document, parent)
    if doc.parent is None:
        version, _ = n.propose(doc, party, _key(key), when)
    else:
        version, _ = n.amend(doc, party, _key(key), when)
    store.save(n)
    _say(f"{party} proposed {version.short} ({version.digest})")
    _say(_status_line(n, version))


@protocol_app.command("counter")
def counter_command(
    directory: DirArg,
    version: Annotated[str, typer.Argument(help="The version countered (digest prefix, 'latest').")],
    document: Annotated[Path, typer.Argument(help="The counter-proposal (YAML or JSON).")],
    party: PartyOpt,
    key: KeyOpt,
    at: AtOpt = None,
) -> None:
    """Counter a version with a document derived from it; prints what changed, and signs it."""
    store, n = _open(directory)
    when = _when(at)
    parent = n.resolve(version)
    doc = _document_deriving(document, parent)
    new, _ = n.counter(doc, party, _key(key), when)
    store.save(n)
    _say(f"{party} countered {parent.short} with {new.short} ({new.digest})")
    _say(format_diff(diff_documents(parent.document, new.document)))
    _say(_status_line(n, new))


@protocol_app.command("sign")
def sign_command(
    directory: DirArg,
    version: Annotated[str, typer.Argument(help="The version accepted (digest prefix, 'latest').")],
    party: PartyOpt,
    key: KeyOpt,
    at: AtOpt = None,
) -> None:
    """Accept a version: sign its canonical bytes with the party's key."""
    store, n = _open(directory)
    when = _when(at)
    v = n.resolve(version)
    n.accept(v.digest, party, _key(key), when)
    store.save(n)
    _say(f"{party} signed {v.short}")
    _say(_status_line(n, v))


@protocol_app.command("verify")
def verify_command(
    directory: DirArg,
    version: Annotated[
        str | None, typer.Argument(help="Also require this version to be the one in force.")
    ] = None,
) -> None:
    """Check every version and signature offline; exit 1 on any problem."""
    _, n = _open(directory)
    current = n.check()
    for v in sorted(n.versions.values(), key=lambda v: (v.document.revision, v.digest)):
        _say(_status_line(n, v))
    if version is not None:
        wanted = n.resolve(version)
        if current is None or current.digest != wanted.digest:
            state = n.status(wanted.digest)
            raise ProtocolError(
                f"version {wanted.short} is not in force ({state.state}; "
                f"missing signatures: {', '.join(state.missing) or 'none'})"
            )
    _say(f"ok: {len(n.versions)} version(s), every signature verifies")
    _say(f"in force: {current.short} ({current.digest})" if current else "in force: none")


@protocol_app.command("show")
def show_command(
    directory: DirArg,
    version: Annotated[
        str | None, typer.Argument(help="Version (digest prefix, 'current', 'latest'); default current.")
    ] = None,
    format: Annotated[ShowFormat, typer.Option("--format", "-f", help="Document format.")] = ShowFormat.yaml,
) -> None:
    """Print a version: its status, its parties' key fingerprints, and the document."""
    _, n = _open(directory)
    if version is None:
        version = "current" if n.in_force() is not None else "latest"
    v = n.resolve(version)
    if format is ShowFormat.canonical:
        typer.echo(v.data.decode("utf-8"))
        return
    _say(f"# {v.document.title}")
    _say(f"# {_status_line(n, v)}")
    _say(f"# digest {v.digest}")
    for p in v.document.parties:
        _say(f"# {p.id:<12} key fingerprint {fingerprint(p.signing_key)}")
    mapping = v.document.to_mapping()
    if format is ShowFormat.json:
        _say(json.dumps(mapping, indent=2, ensure_ascii=False))
    else:
        _say(yaml.safe_dump(mapping, sort_keys=False, allow_unicode=True).rstrip())


@protocol_app.command("diff")
def diff_command(
    directory: DirArg,
    old: Annotated[str, typer.Argument(help="Version (digest prefix, 'current', 'latest') or a file.")],
    new: Annotated[str, typer.Argument(help="Version (digest prefix, 'current', 'latest') or a file.")],
) -> None:
    """What changed between two versions (or document files), field by field."""
    _, n = _open(directory)

    def load(ref: str) -> ProtocolDocument:
        p = Path(ref)
        if p.is_file():
            return ProtocolDocument.parse(_read(p), source=str(p))
        return n.resolve(ref).document

    _say(format_diff(diff_documents(load(old), load(new))))


@protocol_app.command("log")
def log_command(directory: DirArg) -> None:
    """The negotiation history, oldest first."""
    _, n = _open(directory)
    for e in n.events:
        v = n.versions.get(e.version)
        name = v.short if v is not None else e.version
        _say(f"#{e.seq:<3} {e.at}  {e.party:<10} {e.action:<8} {name}")
