"""An acknowledged append survives SIGKILL: a child process writes, the parent kills it mid-stream."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from airdecon.audit import HubKey, verify_chain
from airdecon.store import open_store

CHILD = """
import sys
from airdecon.audit import HubKey
from airdecon.store import NewEvent, open_store

store = open_store(sys.argv[1], signer=HubKey.from_pem(sys.stdin.buffer.read()), checkpoint_every=7)
store.add_party("BLUE", at=1.0)
i = 0
while True:
    done = store.append_many(
        [NewEvent("report", "BLUE", {"i": i}, audience={"BLUE"}, idempotency_key=f"k{i}"),
         NewEvent("alert", "HUB", {"i": i}, audience="all")],
        at=1000.0 + i,
    )
    # the acknowledgement the hub would send: only after append_many returned (committed, synced)
    sys.stdout.write(f"{done[0].event.seq} {done[1].event.seq}\\n")
    sys.stdout.flush()
    i += 1
"""


def test_acknowledged_appends_survive_sigkill(tmp_path: Path, hub_key: HubKey) -> None:
    db = tmp_path / "hub.db"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )
    assert child.stdin is not None and child.stdout is not None and child.stderr is not None
    child.stdin.write(hub_key.private_pem())
    child.stdin.close()
    acked: list[int] = []
    try:
        while len(acked) < 60:
            line = child.stdout.readline()
            assert line, f"child died: {child.stderr.read().decode()}"
            acked += [int(x) for x in line.split()]
        child.send_signal(signal.SIGKILL)  # right after an acknowledged append, mid-stream
    finally:
        child.kill()
        child.wait(timeout=30)
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL

    store = open_store(db)
    try:
        stored = {e.seq: e for e in store.events_after(0, limit=10_000)}
        assert set(acked) <= set(stored), f"acknowledged but lost: {sorted(set(acked) - set(stored))}"
        assert acked == list(range(1, len(acked) + 1))
        assert stored[acked[-1]].payload == {"i": len(acked) // 2 - 1}
        report = verify_chain(store, hub_key.public_key)
        assert report.entries >= len(acked) and report.checkpoints >= len(acked) // 7
    finally:
        store.close()
