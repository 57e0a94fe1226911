"""`airdecon demo` shows planned operations at work within two minutes (issue 15): each force files
an operation that conflicts with the other's (a notice for each), RED a hazard area on a civil
route (every party is told it, acknowledges it, and the civil aircraft heading into it is alerted),
and BLUE's patrol heading into RED's active sweep gets an area alert. Run as a newcomer would:
the real command, a real hub on loopback, real clients; bounded in time.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time

import httpx

from tests.hub.conftest import free_port

WANTED = {
    "BLUE notice": re.compile(r"\[BLUE\] NOTICE N-\w+: BLUE-CAP comes within the minima of RED's plan"),
    "RED notice": re.compile(r"\[RED\] NOTICE N-\w+: RED-SWEEP comes within the minima of BLUE's plan"),
    "CIVIL hazard": re.compile(r"\[CIVIL\] HAZARD AREA RED-RANGE of RED"),
    "CIVIL ack": re.compile(r"\[CIVIL\] acknowledged hazard area RED-RANGE of RED"),
    "CIVIL area alert": re.compile(r"\[CIVIL\] AREA ALERT CIVIL-01 will enter a hazard area in \d+ s"),
    "BLUE area alert": re.compile(r"\[BLUE\] AREA ALERT BLUE-0[67] will enter an active area in \d+ s"),
    "RED told": re.compile(r"\[RED\] AREA ALERT an aircraft of BLUE will enter RED-SWEEP"),
}


def test_a_newcomer_sees_notices_hazard_areas_and_area_alerts_within_two_minutes() -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "airdecon", "demo", "--port", str(port), "--duration", "110"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    tokens: dict[str, str] = {}
    seen: dict[str, float] = {}
    t0 = time.monotonic()
    try:
        assert proc.stdout is not None
        while time.monotonic() - t0 < 120 and len(seen) < len(WANTED):
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if m := re.search(r"(\w+)\s+console: \S+#party=\w+&token=(\S+)", line):
                tokens[m.group(1)] = m.group(2)
            for name, pattern in WANTED.items():
                if name not in seen and pattern.search(line):
                    seen[name] = time.monotonic() - t0
        assert set(seen) == set(WANTED), f"missing {set(WANTED) - set(seen)}:\n{''.join(lines)}"
        assert max(seen.values()) < 120
        base = f"http://127.0.0.1:{port}"

        def get(party: str, path: str) -> dict:  # type: ignore[type-arg]
            r = httpx.get(base + path, headers={"Authorization": f"Bearer {tokens[party]}"}, timeout=10)
            return r.json()  # type: ignore[no-any-return]

        assert [n["operation"] for n in get("BLUE", "/v1/notices")["notices"]] == ["BLUE-CAP"]
        hazards = [o for o in get("CIVIL", "/v1/operations")["operations"] if o["public"]]
        assert [(o["operation"], o["acknowledged"]) for o in hazards] == [("RED-RANGE", True)]
        # what BLUE is told never names RED's operation, its other plan or its aircraft
        text = str(get("BLUE", "/v1/notices")) + str(get("BLUE", "/v1/area-alerts"))
        assert "RED-SWEEP" not in text and "sweep" not in text
    finally:
        proc.kill()
        proc.communicate(timeout=10)  # reads to the end and closes the pipe
