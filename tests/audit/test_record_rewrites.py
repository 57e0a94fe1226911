"""Issue 12 §6, "a record no one can quietly rewrite": each rewrite seen to pass `audit verify`
before, on a record written by a real (in-process) hub, through ``main(argv)``.

(a) the tail deleted and the head rewritten; (b) an entry edited, the chain recomputed and the
checkpoints dropped; (c) the same re-signed with the hub key that lies beside the database. The
parties' signed heads, kept from their streams, catch (a) and (c) even then.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from airdecon.audit import HubKey, PartyHead
from airdecon.cli import main
from airdecon.cli.audit import save_head
from airdecon.store import open_store
from tests.audit import rewrites
from tests.hub.harness import T0, aircraft, world


@dataclass(frozen=True)
class Recorded:
    db: Path
    pub: Path
    key: HubKey
    heads: Path  # what BLUE kept from its stream, one head a line
    entries: int


@pytest.fixture
def recorded(tmp_path: Path) -> Iterator[Recorded]:
    """A small hub (fewer entries than checkpoint_every) run for 200 s: BLUE and RED report every
    10 s, BLUE keeps the heads it is given. Stopped cleanly."""
    db, heads = tmp_path / "hub.db", tmp_path / "BLUE.heads"
    with world(db=str(db)) as w:
        key = w.hub.context.hub_key
        for i in range(20):
            w.report("BLUE", aircraft("B1", 35.0, 20.0 + i * 0.02, 90))
            w.report("RED", aircraft("R1", 10.0, 60.0 + i * 0.02, 90))
            w.clock.advance(10)
            w.hub.record.heads.tick()
            head = w.get("BLUE", "/v1/audit/head").json()["head"]
            save_head(PartyHead.from_json(head), heads)
    pub = tmp_path / "hub.pub"
    pub.write_bytes(key.public_pem())
    store = open_store(db)
    n = store.head().seq
    store.close()
    yield Recorded(db, pub, key, heads, n)


def err(capsys: pytest.CaptureFixture[str]) -> str:
    """The error printed, unwrapped."""
    return " ".join(capsys.readouterr().err.split())


def verify(r: Recorded, *extra: str) -> int:
    return main(["audit", "verify", "--db", str(r.db), "--pub", str(r.pub), *extra])


def check(r: Recorded, tmp_path: Path, *extra: str) -> int:
    out = tmp_path / "blue.json"
    assert main(["audit", "export", "--db", str(r.db), "--from", "0", "--to", str(T0 + 1e4),
                 "--party", "BLUE", "--out", str(out)]) == 0
    return main(["audit", "check", str(out), "--pub", str(r.pub), *extra])


def test_the_untouched_record_verifies_with_the_heads(recorded: Recorded, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert recorded.entries == 40
    assert verify(recorded, "--heads", str(recorded.heads)) == 0
    out = capsys.readouterr().out
    assert "signed through entry 40" in out and "heads: 20 matched (BLUE)" in out
    assert check(recorded, tmp_path, "--heads", str(recorded.heads)) == 0
    assert "heads: 20 matched" in capsys.readouterr().out


def test_a_small_hub_leaves_its_export_checkable(recorded: Recorded, tmp_path: Path) -> None:
    # before: no checkpoint at all below checkpoint_every, so every export failed `audit check`
    assert check(recorded, tmp_path) == 0


def test_a_deleted_tail_is_caught(recorded: Recorded, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    """(a) the last entries deleted and the head rewritten, with the shutdown checkpoint kept:
    verify alone catches it; with the checkpoints beyond dropped too, BLUE's heads do."""
    rewrites.truncate(recorded.db, 30)
    rewrites.drop_checkpoints(recorded.db, 31)
    assert verify(recorded) == 0  # a shorter record, signed as far as it goes: only the heads know
    capsys.readouterr()
    assert verify(recorded, "--heads", str(recorded.heads)) == 1
    assert "entries were deleted" in err(capsys)
    assert check(recorded, tmp_path, "--heads", str(recorded.heads)) == 1
    assert "entries were deleted" in err(capsys)


def test_a_deleted_tail_is_caught_by_the_shutdown_checkpoint(recorded: Recorded,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """(a) as seen: the tail deleted, the head rewritten. The hub signed the whole record when it
    stopped, so the deletion shows even without the heads (before, nothing was ever signed)."""
    store = open_store(recorded.db)
    assert store.checkpoints()[-1].seq == recorded.entries
    store.close()
    rewrites.truncate(recorded.db, 35, checkpoints=False)
    assert verify(recorded) == 1
    assert "entries deleted from the end" in err(capsys)


def test_an_edit_rechained_without_its_checkpoints_is_caught(recorded: Recorded,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """(b) entry 5 edited, every hash after it recomputed, the checkpoints from 5 on dropped."""
    rewrites.edit(recorded.db, 5)
    rewrites.rechain(recorded.db)
    rewrites.drop_checkpoints(recorded.db, 5)
    assert verify(recorded) == 1
    assert "checkpoints were dropped" in err(capsys)
    assert main(["audit", "verify", "--db", str(recorded.db)]) == 1  # without the key too
    assert "checkpoints were dropped" in err(capsys)


def test_an_edit_rechained_and_resigned_with_the_hub_key_is_caught_by_the_heads(
    recorded: Recorded, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """(c) entry 5 edited, re-chained, every checkpoint re-signed with the hub's own key: the
    record is consistent and signed, but BLUE holds heads the rewritten record cannot match."""
    rewrites.edit(recorded.db, 5)
    rewrites.rechain(recorded.db)
    rewrites.resign(recorded.db, recorded.key)
    assert verify(recorded) == 0  # the key is the hub's: signatures alone cannot tell
    capsys.readouterr()
    assert verify(recorded, "--heads", str(recorded.heads)) == 1
    said = err(capsys)
    assert "BLUE's signed head" in said and "does not match the record" in said
    assert check(recorded, tmp_path, "--heads", str(recorded.heads)) == 1
    assert "does not match the record" in err(capsys)


def test_a_rewrite_of_another_partys_entry_is_caught_by_blues_heads(
    recorded: Recorded, capsys: pytest.CaptureFixture[str]
) -> None:
    """Entry 2 is RED's: BLUE never saw it, yet its later heads pin it."""
    rewrites.edit(recorded.db, 2)
    rewrites.rechain(recorded.db)
    rewrites.resign(recorded.db, recorded.key)
    assert verify(recorded, "--heads", str(recorded.heads)) == 1
    assert "does not match the record" in err(capsys)


def test_forged_heads_are_refused(recorded: Recorded, capsys: pytest.CaptureFixture[str]) -> None:
    line = json.loads(recorded.heads.read_text().splitlines()[3])
    line["n"] += 1
    recorded.heads.write_text(json.dumps(line) + "\n")
    assert verify(recorded, "--heads", str(recorded.heads)) == 1
    assert "invalid signature" in err(capsys)


@pytest.mark.parametrize("command", ["verify", "export"])
def test_a_missing_database_is_an_error_and_is_not_created(tmp_path: Path, command: str,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.db"
    argv = ["audit", command, "--db", str(missing)]
    if command == "export":
        argv += ["--from", "0", "--to", "1"]
    assert main(argv) == 1
    assert "no such database" in err(capsys)
    assert not missing.exists() and list(tmp_path.iterdir()) == []


def test_heads_save_fetches_checks_and_keeps_each_head_once(recorded: Recorded, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    import httpx

    last = json.loads(recorded.heads.read_text().splitlines()[-1])
    seen: list[str] = []

    def get(url: str, **kw: object) -> httpx.Response:
        seen.append(url)
        return httpx.Response(200, json={"head": last}, request=httpx.Request("GET", url))

    monkeypatch.setattr(httpx, "get", get)
    out = tmp_path / "kept.heads"
    argv = ["audit", "heads", "save", "--hub", "http://hub:8000/", "--token", "t", "--out", str(out),
            "--pub", str(recorded.pub)]
    assert main(argv) == 0 and main(argv) == 0
    assert seen == ["http://hub:8000/v1/audit/head"] * 2
    assert [json.loads(x) for x in out.read_text().splitlines()] == [last]
    assert "already kept" in capsys.readouterr().out
    last["n"] += 1  # a head the hub key did not sign is refused, not kept
    assert main(argv) == 1 and len(out.read_text().splitlines()) == 1
