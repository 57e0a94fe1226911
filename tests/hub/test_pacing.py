"""How report work and detection cycles share the interpreter (in process, no server)."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from pathlib import Path

from airdecon.hub import Hub, HubSettings, build_hub


def _hub(tmp_path: Path) -> Hub:
    return build_hub(HubSettings(db="memory://", resolver_process=False), scratch=tmp_path)


def _message(party: str, n: int) -> str:
    reports = [
        {"id": f"{party}-{k}", "lat": 35.0 + k * 0.01, "lon": 38.0, "alt_ft": 20000, "gs_kt": 300,
         "trk_deg": 90, "t": time.time()}
        for k in range(n)
    ]
    return json.dumps({"type": "reports", "reports": reports})


def test_a_big_batch_waits_while_a_cycle_computes_then_goes_on(tmp_path: Path) -> None:
    hub = _hub(tmp_path)
    party = hub.parties[0]
    try:
        done = threading.Event()
        hub.context.pacing.idle.clear()  # as a cycle does while it computes

        def read() -> None:
            _, batch = hub.intake.read_reports(party, _message(party, 300))
            assert batch is not None and len(batch.reports) == 300
            done.set()

        t = threading.Thread(target=read)
        t.start()
        assert not done.wait(0.1)  # held
        assert hub.context.pacing.waiting == 1  # and counted: the next cycle keeps to its duty share
        hub.context.pacing.idle.set()
        assert done.wait(5)
        t.join(5)
        assert hub.context.pacing.waiting == 0
    finally:
        hub.stop()


class _CountingEvent(threading.Event):
    def __init__(self) -> None:
        super().__init__()
        self.waits = 0

    def wait(self, timeout: float | None = None) -> bool:
        self.waits += 1
        return super().wait(timeout)


def test_one_aircraft_report_never_waits_for_a_cycle(tmp_path: Path) -> None:
    hub = _hub(tmp_path)
    party = hub.parties[0]
    gate = hub.context.pacing.idle = _CountingEvent()
    gate.set()
    try:
        _, batch = hub.intake.read_reports(party, _message(party, 1))
        assert batch is not None
        hub.intake.submit_batch(party, batch)
        assert gate.waits == 0  # a short message goes straight on, even beside a cycle
        _, batch = hub.intake.read_reports(party, _message(party, 150))  # big, and within the quota
        assert batch is not None
        hub.intake.submit_batch(party, batch)
        assert gate.waits == 2  # a big batch is read, then encoded, never beside a cycle
    finally:
        hub.stop()


def test_a_cycle_opens_the_gate_again_even_when_it_fails(tmp_path: Path) -> None:
    hub = _hub(tmp_path)
    party = hub.parties[0]
    try:
        hub.intake.submit_batch(party, hub.intake.read_reports(party, _message(party, 5))[1])
        events = hub.cycle.run()
        assert hub.context.pacing.idle.is_set() and isinstance(events, list)

        def broken(now: float) -> None:
            raise RuntimeError("boom")

        hub.context.picture.cycle = broken  # type: ignore[method-assign]
        with contextlib.suppress(RuntimeError):
            hub.cycle.run()
        assert hub.context.pacing.idle.is_set()  # report work is never left waiting on a failed cycle
    finally:
        hub.stop()
