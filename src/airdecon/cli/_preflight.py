"""Checks `airdecon serve` and `airdecon party token` make before they do anything.

* :func:`known_parties`: the party ids of the protocol ``serve --protocol SPEC`` runs on (the
  built-in demo protocol's when *SPEC* is ``None``), so a credential is only issued to a party the
  hub will accept.
* :func:`check_party`: refuse a name that is not one of them, suggesting the right spelling.
* :func:`check_port`: refuse a host:port the server could not listen on, before anything is
  printed or any file is created.
* :data:`DEMO_WARNING`: what ``serve`` says on stderr when it runs the throwaway demo protocol.
"""

from __future__ import annotations

import difflib
import os
import socket
import tempfile
from pathlib import Path

from airdecon.errors import AirdeconError, InputError
from airdecon.hub._bootstrap import DEMO_PARTIES, load_protocol

__all__ = ["DEMO_WARNING", "PortUnavailable", "check_party", "check_port", "known_parties"]

DEMO_SOURCE = "the built-in demo protocol"

#: Printed (stderr) by ``airdecon serve`` without ``--protocol``.
DEMO_WARNING = (
    "[bold yellow]warning:[/] no --protocol: running the [bold]built-in demo protocol[/]; its keys "
    "are in a temporary directory nobody holds, so it binds no party.\n"
    "  For a real one: `airdecon protocol keygen`, `init`, `propose`, `sign` by every party "
    "(docs/protocol.md), then `airdecon serve --protocol DIR`."
)


class PortUnavailable(AirdeconError):
    """The hub cannot listen on the host and port asked for (in use, not an address of this host)."""


def known_parties(spec: str | None) -> tuple[tuple[str, ...], str]:
    """The party ids of the protocol ``airdecon serve --protocol SPEC`` would run on, and a phrase
    naming that protocol for messages.

    ``None`` is the built-in demo protocol (no keys are generated to answer). A directory gives the
    version in force (:class:`~airdecon.errors.ProtocolError` when none is), a file its document.
    """
    if spec is None:
        return tuple(pid for pid, _, _ in DEMO_PARTIES), DEMO_SOURCE
    with tempfile.TemporaryDirectory(prefix="airdecon-") as scratch:
        document, _, _ = load_protocol(spec, scratch=Path(scratch))
    return document.party_ids, f"the protocol {spec}"


def check_party(name: str, known: tuple[str, ...], source: str) -> None:
    """Raise :class:`~airdecon.errors.InputError` unless *name* is one of *known* (exactly: party
    ids are case-sensitive), with a "did you mean" for a near miss."""
    if name in known:
        return
    same_case = [p for p in known if p.casefold() == name.casefold()]
    near = same_case or difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f"did you mean {near[0]}? " if near else ""
    other = " (for another protocol, pass --protocol as to `airdecon serve`)" if source == DEMO_SOURCE else ""
    raise InputError(f"unknown party {name!r}: {hint}the parties of {source} are {', '.join(known)}{other}")


def check_port(host: str, port: int) -> None:
    """Raise :class:`PortUnavailable` unless a server could listen on *host*:*port* now.

    Binds (and closes at once) one socket per address *host* resolves to, with the options
    uvicorn's asyncio server uses: ``SO_REUSEADDR`` on POSIX (so a port in TIME_WAIT is free, one
    another process listens on is not) and ``IPV6_V6ONLY`` for IPv6 addresses.
    """
    where = f"{host}:{port}"
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise PortUnavailable(f"cannot listen on {where}: {exc.strerror}") from None
    except OverflowError:
        raise PortUnavailable(f"cannot listen on {where}: port must be 0-65535") from None
    for family, kind, proto, _, addr in infos:
        with socket.socket(family, kind, proto) as sock:
            if os.name == "posix":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6 and hasattr(socket, "IPPROTO_IPV6"):
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                sock.bind(addr)
            except OSError as exc:
                reason = (exc.strerror or str(exc)).lower()
                hint = " (is another hub running? choose another --port)" if "in use" in reason else ""
                raise PortUnavailable(f"cannot listen on {where}: {reason}{hint}") from None
