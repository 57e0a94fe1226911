"""`airdecon demo --human PARTY`: one party's distress acknowledgements are left to the person.

Issue 13: every simulated officer acknowledged within 6 s, so a person at a console never got to
press Acknowledge. By default the first force (BLUE) is the person's.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time

import httpx

from tests.hub.conftest import free_port


def test_the_human_party_is_left_the_acknowledgement_and_the_others_acknowledge() -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "airdecon", "demo", "--port", str(port), "--duration", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    tokens: dict[str, str] = {}
    try:
        assert proc.stdout is not None
        while len(tokens) < 3:
            line = proc.stdout.readline()
            assert line, "".join(lines)
            lines.append(line)
            if m := re.search(r"(\w+)\s+console: \S+#party=\w+&token=(\S+)", line):
                tokens[m.group(1)] = m.group(2)
        auth = {"Authorization": f"Bearer {tokens['BLUE']}"}
        case = None
        deadline = time.monotonic() + 55  # RED-04 squawks 7700 at 30 s
        while time.monotonic() < deadline:
            open_ = httpx.get(f"http://127.0.0.1:{port}/v1/distress", headers=auth).json()["distress"]
            if open_ and time.time() - open_[0]["raised_at"] > 12:  # twice the officers' delay
                case = open_[0]
                break
            time.sleep(1.0)
        assert case is not None, "no distress within the demo's first 55 s"
        assert "CIVIL" in case["acknowledged_by"], case  # a simulated officer acknowledged
        assert "BLUE" in case["awaiting"], case  # BLUE's (the default) is left to the person at its console
        # and the acknowledgement from that console works
        r = httpx.post(
            f"http://127.0.0.1:{port}/v1/acks", headers=auth, json={"distress_id": case["distress_id"]}
        )
        assert r.status_code == 200, r.text
    finally:
        proc.kill()
        out, _ = proc.communicate(timeout=10)
    assert not any("[BLUE] acknowledged distress" in x for x in [*lines, *out.splitlines()])
    assert any("BLUE" in x and "← you" in x for x in lines), "".join(lines)  # the console says whose


def test_an_unknown_human_party_is_refused() -> None:
    r = subprocess.run(
        [sys.executable, "-m", "airdecon", "demo", "--port", str(free_port()), "--human", "NOSUCH"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert r.returncode == 2, r.stdout + r.stderr
    assert "NOSUCH" in r.stderr and "BLUE" in r.stderr, r.stderr
