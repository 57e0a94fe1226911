"""`airdecon party token` and `airdecon serve`: what they refuse before doing anything.

A credential only for a party of the protocol in force; a loud warning for the throwaway demo
protocol; a busy port refused before anything is printed or created.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from airdecon.cli import main
from airdecon.hub._bootstrap import demo_protocol

Cap = pytest.CaptureFixture[str]


def test_party_token_for_a_demo_party_prints_one_token(tmp_path: Path, capsys: Cap) -> None:
    assert main(["party", "token", "BLUE", "--db", str(tmp_path / "h.db")]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and len(out[0]) >= 20


@pytest.mark.parametrize(("name", "hint"), [("blue", "did you mean BLUE?"), ("NOSUCH", "")])
def test_party_token_refuses_a_party_not_in_the_protocol(
    tmp_path: Path, capsys: Cap, name: str, hint: str
) -> None:
    db = tmp_path / "h.db"
    assert main(["party", "token", name, "--db", str(db)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""  # no token printed
    assert f"unknown party {name!r}" in captured.err
    assert "BLUE, RED, CIVIL" in captured.err and "demo protocol" in captured.err
    assert hint in captured.err
    assert not db.exists()  # nothing written


def test_party_token_reads_the_protocol_given(tmp_path: Path, capsys: Cap) -> None:
    protocol = demo_protocol(tmp_path / "talks")
    db = str(tmp_path / "h.db")
    assert main(["party", "token", "RED", "--db", db, "--protocol", str(protocol)]) == 0
    capsys.readouterr()
    assert main(["party", "token", "Civil", "--db", db, "--protocol", str(protocol)]) == 1
    err = capsys.readouterr().err
    assert "did you mean CIVIL?" in err and str(protocol) in err


def _listening() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    return sock


def test_serve_on_a_busy_port_fails_before_printing(tmp_path: Path, capsys: Cap) -> None:
    with _listening() as busy:
        port = busy.getsockname()[1]
        db = tmp_path / "h.db"
        code = main(["serve", "--port", str(port), "--db", str(db)])
        captured = capsys.readouterr()
    assert code == 1
    assert captured.out == ""  # no "hub on … in force" line
    (line,) = captured.err.strip().splitlines()
    assert f"127.0.0.1:{port}" in line and "in use" in line
    assert not db.exists()


def test_check_port_accepts_a_free_port() -> None:
    from airdecon.cli._preflight import check_port

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    check_port("127.0.0.1", port)  # free again: no error


def test_serve_without_protocol_warns_that_nobody_holds_the_keys(tmp_path: Path) -> None:
    with _listening() as probe:  # a port that was free a moment ago
        port = probe.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "airdecon", "serve", "--port", str(port), "--db", "memory://"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={"COLUMNS": "100", "PATH": "/usr/bin:/bin", **_pythonpath()},
    )
    try:
        out = proc.stdout.readline()  # type: ignore[union-attr]
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "hub on" in out
    flat = " ".join(err.split())
    assert "warning: no --protocol" in flat and "built-in demo protocol" in flat and "nobody holds" in flat
    assert "airdecon protocol keygen" in flat and "docs/protocol.md" in flat and "--protocol DIR" in flat


def _pythonpath() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k in ("PYTHONPATH", "HOME", "VIRTUAL_ENV")}
