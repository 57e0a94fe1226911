"""`airdecon serve`, `airdecon party token` and `airdecon demo`: run the hub, issue credentials, show it."""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from pathlib import Path
from typing import Annotated

import typer

from airdecon.cli._app import app, err_console, out_console
from airdecon.cli._preflight import DEMO_WARNING, check_party, check_port, known_parties
from airdecon.hub import HubSettings, build_hub, create_app
from airdecon.hub._settings import DEFAULTS as D
from airdecon.hub._settings import OPTION_HELP
from airdecon.store import open_store

__all__ = ["party_app"]

party_app = typer.Typer(help="Parties on the line: credentials.", no_args_is_help=True)
app.add_typer(party_app, name="party")

DbOpt = Annotated[str, typer.Option("--db", help=OPTION_HELP["db"])]
ProtocolOpt = Annotated[str | None, typer.Option("--protocol", help=OPTION_HELP["protocol"])]


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help=OPTION_HELP["host"])] = D.host,
    port: Annotated[int, typer.Option(help=OPTION_HELP["port"])] = D.port,
    db: Annotated[str, typer.Option("--db", help=OPTION_HELP["db"])] = D.db,
    protocol: ProtocolOpt = None,
    rate_per_s: Annotated[float, typer.Option(help=OPTION_HELP["rate_per_s"])] = D.rate_per_s,
    burst: Annotated[int, typer.Option(help=OPTION_HELP["burst"])] = D.burst,
    max_body_bytes: Annotated[int, typer.Option(help=OPTION_HELP["max_body_bytes"])] = D.max_body_bytes,
) -> None:
    """Run the hub (HTTP + WebSocket API under /v1, the console at /).

    Without --protocol it runs the built-in demo protocol, whose keys nobody holds (a warning
    says so); a port already in use is refused before anything starts.
    """
    import uvicorn

    check_port(host, port)  # before any output or file: a busy port is one clear line, exit 1
    settings = HubSettings(
        db=db,
        protocol=protocol,
        host=host,
        port=port,
        rate_per_s=rate_per_s,
        burst=burst,
        max_body_bytes=max_body_bytes,
    )
    with tempfile.TemporaryDirectory(prefix="airdecon-") as scratch:
        hub = build_hub(settings, scratch=Path(scratch))
        state = "in force" if hub.protocol.in_force else "NOT in force (rehearsal)"
        if protocol is None:
            err_console.print(DEMO_WARNING, soft_wrap=True)
            state = "in force (DEMO protocol: keys nobody holds)"
        out_console.print(
            f"airdecon hub on http://{host}:{port}  parties: {', '.join(hub.parties)}  "
            f"protocol {hub.protocol.document.digest[:19]} {state}"
        )
        try:
            uvicorn.run(
                create_app(hub),
                host=host,
                port=port,
                log_level="warning",
                ws_max_size=1 << 20,
                ws_per_message_deflate=False,
            )
        finally:
            hub.store.close()


@party_app.command("token")
def token_command(
    party: Annotated[str, typer.Argument(help="The party (its id in the protocol, case-sensitive).")],
    db: DbOpt = D.db,
    protocol: ProtocolOpt = None,
) -> None:
    """Print a new credential for PARTY (shown once; only its hash is stored).

    PARTY must be a party of the protocol the hub runs on: --protocol as given to `serve`, or the
    built-in demo protocol (BLUE, RED, CIVIL) without it. Any other name is refused (exit 1).
    """
    known, source = known_parties(protocol)
    check_party(party, known, source)
    store = open_store(db)
    try:
        store.add_party(party, at=time.time())
        issued = store.issue_token(party, at=time.time())
    finally:
        store.close()
    print(issued.token)


@app.command("demo")
def demo_command(
    port: Annotated[int, typer.Option(help="Port for the demo hub.")] = 8000,
    db: Annotated[
        str | None, typer.Option("--db", help="Store (default: a fresh temporary SQLite file).")
    ] = None,
    duration: Annotated[float, typer.Option(help="Stop after this many seconds (0: until Ctrl-C).")] = 0.0,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    human: Annotated[
        str | None,
        typer.Option(
            "--human",
            help="The party whose duty officer is you: its simulated officer acknowledges no distress "
            "and reads or replies to no message (default: the first force, BLUE; 'none': all simulated).",
        ),
    ] = None,
) -> None:
    """Start the hub with two simulated forces and civil traffic flying as real API clients.

    One party is left to the person at its console (--human): the others' simulated officers
    acknowledge distress within seconds, so that console's Acknowledge button is the one to press."""
    import uvicorn

    from airdecon.hub._demo import run_demo_clients

    check_port(host, port)
    logging.getLogger("airdecon.hub").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="airdecon-demo-") as scratch:
        settings = HubSettings(db=db or str(Path(scratch) / "demo.db"), host=host, port=port)
        hub = build_hub(settings, scratch=Path(scratch))
        tokens = {p: hub.store.issue_token(p, at=time.time()).token for p in hub.parties}
        forces = [p for p in hub.parties if not hub.context.disclosure.is_civil(p)] or list(hub.parties)
        person = forces[0] if human is None else None if human.lower() == "none" else human
        if person is not None and person not in hub.parties:
            raise typer.BadParameter(
                f"{human!r} is not a party of the demo protocol ({', '.join(hub.parties)}, or none)",
                param_hint="--human",
            )
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(hub),
                host=host,
                port=port,
                log_level="warning",
                ws_max_size=1 << 20,
                ws_per_message_deflate=False,
            )
        )
        th = threading.Thread(target=server.run, name="uvicorn", daemon=True)
        th.start()
        while not server.started:
            if not th.is_alive():
                raise typer.Exit(1)
            time.sleep(0.05)
        base = f"http://{host}:{port}"
        out_console.print(
            f"[bold]airdecon demo[/]: hub on {base} (protocol {hub.protocol.document.digest[:19]}, "
            f"signed by {', '.join(hub.parties)})"
        )
        for p, tok in tokens.items():
            key = Path(scratch) / f"{p}.key"
            you = "  ← you: acknowledge and reply here" if p == person else ""
            out_console.print(f"  {p:6} console: {base}/#party={p}&token={tok}{you}", soft_wrap=True)
            if key.exists():
                out_console.print(f"         signing key (protocol votes): {key}", soft_wrap=True)
        stop = threading.Event()
        lock = threading.Lock()

        def say(line: str) -> None:
            with lock:
                out_console.print(
                    f"{time.strftime('%H:%M:%S')} {line}", markup=False, highlight=False, soft_wrap=True
                )

        threads = run_demo_clients(base, tokens, stop=stop, say=say, human=person)
        try:
            if duration > 0:
                stop.wait(duration)
            else:
                while not stop.is_set():
                    stop.wait(1.0)
        except KeyboardInterrupt:
            pass
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=5)
            server.should_exit = True
            th.join(timeout=10)
            hub.store.close()
        out_console.print("demo stopped")
