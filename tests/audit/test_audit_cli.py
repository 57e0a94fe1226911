"""`airdecon audit verify|export|check|keygen` end to end on a real SQLite file, through ``main(argv)``."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from airdecon.audit import HubKey
from airdecon.cli import main
from airdecon.cli.audit import parse_time
from airdecon.errors import InputError
from airdecon.store import NewEvent, open_store

T0 = 1_764_072_000.0  # 2025-11-25T12:00:00Z


@pytest.fixture
def keyfile(tmp_path: Path) -> Path:
    key = tmp_path / "hub.key"
    assert main(["audit", "keygen", "--out", str(key)]) == 0
    return key


@pytest.fixture
def db(tmp_path: Path, keyfile: Path) -> Path:
    path = tmp_path / "hub.db"
    store = open_store(path, signer=HubKey.from_pem(keyfile.read_bytes()), checkpoint_every=3)
    for i in range(8):
        store.append(NewEvent("message", "BLUE", {"text": f"line {i}"}, audience={"RED"}), at=T0 + 60 * i)
    store.checkpoint(at=T0 + 600)
    store.close()
    return path


def test_keygen_writes_a_key_pair_and_never_overwrites(tmp_path: Path, keyfile: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    pub = keyfile.with_name("hub.key.pub")
    assert b"PRIVATE KEY" in keyfile.read_bytes() and b"PUBLIC KEY" in pub.read_bytes()
    assert keyfile.stat().st_mode & 0o077 == 0
    assert main(["audit", "keygen", "--out", str(keyfile)]) == 1
    assert "refusing to overwrite" in capsys.readouterr().err


def test_verify_ok_then_tampered(db: Path, keyfile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pub = str(keyfile) + ".pub"
    assert main(["audit", "verify", "--db", str(db), "--key", pub]) == 0
    out = capsys.readouterr().out
    assert "ok" in out and "8 entries" in out and "signed through entry 8" in out
    assert main(["audit", "verify", "--db", f"sqlite:///{db}"]) == 0
    assert "signatures were not checked" in capsys.readouterr().out
    with sqlite3.connect(db) as conn:
        conn.execute("""UPDATE events SET payload = '{"text":"nothing happened"}' WHERE seq = 5""")
    conn.close()
    assert main(["audit", "verify", "--db", str(db), "--key", pub]) == 1
    err = capsys.readouterr().err
    assert "seq 5" in err and "does not match" in err


def test_export_then_check_offline(db: Path, keyfile: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "incident.json"
    args = ["audit", "export", "--db", str(db), "--from", "2025-11-25T12:02:00Z",
            "--to", "2025-11-25T12:04:00", "--party", "RED", "--out", str(out)]
    assert main(args) == 0
    doc = json.loads(out.read_text())
    shown = [e["payload"]["text"] for e in doc["entries"] if not e.get("redacted")]
    assert shown == ["line 2", "line 3", "line 4"]
    pub = str(keyfile) + ".pub"
    assert main(["audit", "check", str(out), "--key", pub]) == 0
    assert "3 disclosed" in capsys.readouterr().out
    doc["entries"][1]["payload"]["text"] = "line 3, edited"
    out.write_text(json.dumps(doc))
    assert main(["audit", "check", str(out), "--key", pub]) == 1
    assert "seq 4" in capsys.readouterr().err
    # to stdout, and a party that saw nothing gets an empty record
    window = ["--from", str(T0), "--to", str(T0 + 1e4)]
    assert main(["audit", "export", "--db", str(db), *window, "--party", "GREEN"]) == 0
    assert json.loads(capsys.readouterr().out)["entries"] == []


@pytest.mark.parametrize("argv", [
    ["audit", "verify", "--db", "mysql://x"],
    ["audit", "export", "--db", "memory://", "--from", "yesterday", "--to", "1"],
    ["audit", "export", "--db", "memory://", "--from", "5", "--to", "1"],
    ["audit", "check", "/nonexistent.json", "--key", "/nonexistent.pub"],
])
def test_bad_arguments_are_clear_errors(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 1
    assert capsys.readouterr().err.startswith("error:")


def test_parse_time() -> None:
    assert parse_time("1764072000") == T0
    assert parse_time("2025-11-25T12:00:00Z") == T0
    assert parse_time("2025-11-25T14:00:00+02:00") == T0
    assert parse_time("2025-11-25T12:00:00") == T0  # no offset: UTC
    with pytest.raises(InputError):
        parse_time("nan")
