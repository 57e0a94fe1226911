"""The console keeps its party's signed heads (issue 12, "each party receives signed checkpoints
(heads) as part of its stream and keeps them (the console and the CLI client store them)"): kept
across a reload, downloaded as the file `airdecon audit check --heads` checks against the record."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import Browser

from tests.web.conftest import Console, Hub, open_console

CLI = [sys.executable, "-m", "airdecon"]


def _kept(c: Console, at_least: int) -> int:
    c.page.wait_for_function(f"airdecon.heads && airdecon.heads.count >= {at_least}", timeout=30_000)
    return int(c.state("airdecon.heads.count"))


def _download(c: Console, to: Path) -> Path:
    c.page.click(".tabs button[data-tab=ledger]")
    with c.page.expect_download() as dl:
        c.page.click("button.heads-download")
    dl.value.save_as(to)
    return to


def test_heads_are_kept_across_a_reload_and_check_against_the_record(
    browser: Browser, hub: Hub, tmp_path: Path
) -> None:
    blue = open_console(browser, hub, "BLUE")
    try:
        first = _kept(blue, 1)
        latest = blue.state("airdecon.heads.latest")
        _kept(blue, first + 1)  # a new head comes on the stream as BLUE's record grows
        blue.page.reload()
        blue.page.wait_for_function("window.airdecon && airdecon.connection === 'live'", timeout=30_000)
        kept = _kept(blue, first + 1)
        heads = blue.state("airdecon.heads.heads")
        assert latest in heads  # the one from before the reload is still there
        assert [h["n"] for h in heads] == sorted({h["n"] for h in heads})
        assert all(h["party"] == "BLUE" for h in heads)
        blue.page.click(".tabs button[data-tab=ledger]")
        summary = blue.page.inner_text(".heads-summary")
        assert f"{kept} kept in this browser" in summary, summary
        blue.shot("blue-heads")
        path = _download(blue, tmp_path / "BLUE.heads")
    finally:
        blue.page.context.close()

    lines = [json.loads(x) for x in path.read_text().splitlines()]
    assert len(lines) >= first + 1 and all(x["type"] == "head" for x in lines)
    db = hub.log.with_name("hub.db")
    pub = db.with_name("hub.db.hubkey.pub")
    export = tmp_path / "blue.json"
    # up to the last head: the hub signed a checkpoint at the tick it signed that head
    r = subprocess.run([*CLI, "audit", "export", "--db", str(db), "--party", "BLUE", "--from", "0",
                        "--to", str(lines[-1]["at"]), "--out", str(export)], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([*CLI, "audit", "check", str(export), "--pub", str(pub), "--heads", str(path)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"heads: {len(lines)} matched" in r.stdout + r.stderr

    # a head the hub did not sign for BLUE's record is refused
    forged = dict(lines[-1], hash="00" * 32)
    bad = tmp_path / "forged.heads"
    bad.write_text("\n".join(json.dumps(x) for x in [*lines[:-1], forged]) + "\n")
    r = subprocess.run([*CLI, "audit", "check", str(export), "--pub", str(pub), "--heads", str(bad)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode != 0 and "signature" in (r.stdout + r.stderr)
