"""`airdecon plan …`: file planned operations and hazard areas with a hub, list them, withdraw one.

A plan file (JSON or YAML, read by the strict reader of :mod:`airdecon.documents`) holds one
operation as ``POST /v1/operations`` takes it (docs/operations.md), a list of them, or
``{"operations": [...]}``. Each is sent as filed; the hub checks every field and its refusal is
printed as it answered (``OP-7: 422 invalid_operation: volumes[0].end: must be after start``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from airdecon.cli._app import app, out_console
from airdecon.documents import load_document
from airdecon.errors import InputError, MalformedInput

__all__ = ["plan_app", "plan_bodies"]

plan_app = typer.Typer(
    name="plan",
    help="Planned operations and hazard areas on a hub: file them, list them, withdraw one.",
    no_args_is_help=True,
)
app.add_typer(plan_app, name="plan")

MAX_PLAN_BYTES = 64 * 1024 * 1024  # a plan file larger than this is refused before it is read

HubOption = Annotated[str, typer.Option("--hub", help="The hub's base URL, e.g. http://127.0.0.1:8000.")]
PartyOption = Annotated[str, typer.Option("--party", help="Your party (as the hub knows it).")]
TokenOption = Annotated[
    str, typer.Option("--token", envvar="AIRDECON_TOKEN", help="Your party's token (or $AIRDECON_TOKEN).")
]


def plan_bodies(path: Path) -> list[dict[str, Any]]:
    """The operations of a plan file (see the module), each a mapping as filed.

    Raises
    ------
    InputError
        The file cannot be read, is malformed, or holds no operation objects.
    """
    try:
        if path.stat().st_size > MAX_PLAN_BYTES:
            raise InputError(f"{path}: larger than {MAX_PLAN_BYTES} bytes: not a plan file")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    fmt = "yaml" if path.suffix.lower() in (".yaml", ".yml") else "auto"
    try:
        doc = load_document(data, fmt=fmt, source=str(path))
    except MalformedInput as exc:
        raise InputError(str(exc)) from exc
    if isinstance(doc, dict) and set(doc) == {"operations"}:
        doc = doc["operations"]
    items = doc if isinstance(doc, list) else [doc]
    if not items:
        raise InputError(f"{path}: holds no operation")
    operations: list[dict[str, Any]] = []
    for n, item in enumerate(items):
        if not isinstance(item, dict):
            raise InputError(f"{path}: operation {n} must be an object, got {type(item).__name__}")
        operations.append(item)
    return operations


def _client(hub: str, token: str) -> Any:
    import httpx

    return httpx.Client(base_url=hub.rstrip("/"), headers={"Authorization": f"Bearer {token}"}, timeout=15.0)


def _call(client: Any, method: str, path: str, what: str, **kw: Any) -> dict[str, Any]:
    """One request; the hub's refusal, or no answer, as an :class:`InputError` naming *what*."""
    import httpx

    try:
        r = client.request(method, path, **kw)
    except httpx.HTTPError as exc:
        raise InputError(f"{what}: no answer from the hub ({exc})") from None
    try:
        body = r.json()
    except ValueError:
        body = None
    if r.status_code >= 400:
        err = body.get("error", {}) if isinstance(body, dict) else {}
        raise InputError(f"{what}: {r.status_code} {err.get('code', '')}: {err.get('message', r.text[:200])}")
    if not isinstance(body, dict):
        raise InputError(f"{what}: the hub answered {r.status_code} without a JSON object")
    return body


def _where(op: dict[str, Any]) -> str:
    vols = op.get("volumes") or []
    return f"{len(vols)} volume{'s' if len(vols) != 1 else ''}"


@plan_app.command("file")
def file_command(
    path: Annotated[Path, typer.Argument(help="A plan file: one operation, a list, or {operations: [...]}")],
    hub: HubOption,
    party: PartyOption,
    token: TokenOption,
) -> None:
    """File each operation of PATH with the hub, and print the notices it answers.

    Each operation is sent to `POST /v1/operations`; a notice says where one of your operations
    comes within the minima of another party's plan (the part of your own volume concerned)."""
    bodies = plan_bodies(path)
    with _client(hub, token) as c:
        for body in bodies:
            ident = str(body.get("id", "?"))
            answer = _call(c, "POST", "/v1/operations", ident, json=body)
            op = answer.get("operation", {})
            kind = "hazard area" if op.get("public") else "operation"
            out_console.print(f"filed {kind} {ident} (version {op.get('version')}, {op.get('state')}, "
                              f"{_where(op)}) as {party}")  # fmt: skip
            for n in answer.get("notices", []):
                out_console.print(f"  NOTICE {n['notice_id']}: {ident} comes within the minima of "
                                  f"{n['with']}'s plan in {len(n['parts'])} part(s)")  # fmt: skip


@plan_app.command("list")
def list_command(hub: HubOption, party: PartyOption, token: TokenOption) -> None:
    """List your operations, every party's hazard areas, and your open notices.

    From `GET /v1/operations` and `GET /v1/notices`."""
    with _client(hub, token) as c:
        ops = _call(c, "GET", "/v1/operations", "list")["operations"]
        notices = _call(c, "GET", "/v1/notices", "notices")
    table = Table("operation", "party", "kind", "state", "version", "volumes", "window (UTC)")
    from datetime import UTC, datetime

    def utc(t: float) -> str:
        return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M")

    for op in ops:
        vols = op.get("volumes") or [{}]
        start = min(v.get("start", 0) for v in vols)
        end = max(v.get("end", 0) for v in vols)
        kind = "hazard area" if op.get("public") else "operation"
        mine = "" if op.get("party") == party else " (theirs)"
        table.add_row(str(op["operation"]), str(op.get("party")) + mine, kind, str(op.get("state")),
                      str(op.get("version")), str(len(vols)), f"{utc(start)} - {utc(end)}")  # fmt: skip
    out_console.print(table)
    for n in notices.get("notices", []):
        out_console.print(f"NOTICE {n['notice_id']}: {n['operation']} within the minima of {n['with']}'s "
                          f"plan in {len(n['parts'])} part(s)")  # fmt: skip
    for c_ in notices.get("conformance", []):
        out_console.print(f"CONFORMANCE {c_['aircraft']} has left {c_['operation']}")


@plan_app.command("withdraw")
def withdraw_command(
    ident: Annotated[str, typer.Argument(metavar="ID", help="The id of one of your operations.")],
    hub: HubOption,
    party: PartyOption,
    token: TokenOption,
) -> None:
    """Withdraw one of your operations: its notices are cleared for every party concerned.

    `DELETE /v1/operations/ID`; withdrawing again answers the operation as it stands."""
    from urllib.parse import quote

    with _client(hub, token) as c:
        answer = _call(c, "DELETE", f"/v1/operations/{quote(ident, safe='')}", ident)
    op = answer.get("operation", {})
    out_console.print(f"{ident}: {op.get('state')} (version {op.get('version')}) as {party}")
