"""`airdecon demo`: the simulated pilots fly their advisories, and the officers print changes only.

Run as a newcomer would (the real command, a real hub on loopback, real clients): the issue saw
22 advisory lines for one aircraft ("turn right 25°… 30°… 35°… 90°, then NO SAFE MANOEUVRE FOUND")
because the simulated aircraft never flew what they were told.
"""

from __future__ import annotations

import collections
import re
import subprocess
import sys
import time

import httpx

from tests.hub.conftest import free_port

_FLIES = re.compile(r"\[(\w+)\] (\S+) flies its advisory: track (\d+)°")


def test_the_demo_pilots_fly_their_advisories_and_officers_print_only_changes() -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "airdecon", "demo", "--port", str(port), "--duration", "40"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    tokens: dict[str, str] = {}
    flown: tuple[str, str, float] | None = None
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and flown is None:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if m := re.search(r"(\w+)\s+console: \S+#party=\w+&token=(\S+)", line):
                tokens[m.group(1)] = m.group(2)
            if (m := _FLIES.search(line)) and m.group(1) in tokens:
                flown = (m.group(1), m.group(2), float(m.group(3)))
        assert flown is not None, "".join(lines)
        party, ident, trk = flown
        time.sleep(2.5)  # a report or two later, the hub's picture has the new track
        auth = {"Authorization": f"Bearer {tokens[party]}"}
        r = httpx.get(f"http://127.0.0.1:{port}/v1/tracks", headers=auth)
        mine = {t["id"]: t for t in r.json()["tracks"] if t["kind"] == "own"}
        assert abs((mine[ident]["trk_deg"] - trk + 540.0) % 360.0 - 180.0) < 3.0, (mine[ident], trk)
        out, _ = proc.communicate(timeout=60)
        lines.extend(out.splitlines(keepends=True))
    finally:
        proc.kill()
        proc.wait(timeout=10)
    advisories = collections.Counter(
        m.group(1) for line in lines if (m := re.search(r"ADVISORY (\S+):", line))
    )
    assert advisories, "".join(lines)
    # 40 s of demo: the first advice and a change or two, never a line every few degrees
    assert max(advisories.values()) <= 4, advisories
