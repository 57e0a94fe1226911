"""The resolver's worker is supervised (issue 12 §7): killed or hung, it is replaced and advisories
resume; a failure is logged once, not at every run; one pair the resolver cannot resolve is
reported on its own alert while the others are advised (§1).

The worker is a real process (``resolver_process=True``) killed with SIGKILL, or given a job that
never returns; the in-process harness runs the resolver when the test says.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from typing import Any

import pytest

from airdecon.hub import _advice
from tests.hub.harness import World, aircraft, world


def _hang(*args: Any) -> Any:
    """A resolver job that never returns (runs in the worker process)."""
    time.sleep(3600)


def _die(*args: Any) -> Any:
    """A resolver job whose process dies (runs in the worker process)."""
    os._exit(1)


def _pair(w: World, n: int, lat: float) -> None:
    """BLUE-n and RED-n head-on, 20 NM apart, level."""
    w.report("BLUE", aircraft(f"B-{n}", lat, 10.0, 90))
    w.report("RED", aircraft(f"R-{n}", lat, 10.435, 270))


def _own(w: World, party: str) -> list[dict[str, Any]]:
    return [o for a in w.get(party, "/v1/alerts").json()["alerts"] for o in a["own"]]


def _advised(w: World, party: str) -> set[str]:
    return {o["id"] for o in _own(w, party) if o.get("advisory")}


def _gone(pid: int, timeout_s: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().split(")")[-1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


def test_a_killed_resolver_process_is_replaced_and_advisories_resume() -> None:
    with world(resolver_process=True) as w:
        _pair(w, 1, 40.0)
        w.step(1)
        assert _advised(w, "BLUE") == {"B-1"}
        (pid,) = w.hub.advisor.worker_pids()
        os.kill(pid, signal.SIGKILL)
        assert _gone(pid)
        _pair(w, 2, 42.0)  # a new conflict after the kill: only a live resolver advises it
        for _ in range(3):
            w.step(1)
            if "B-2" in _advised(w, "BLUE"):
                break
        assert _advised(w, "BLUE") == {"B-1", "B-2"} and _advised(w, "RED") == {"R-1", "R-2"}
        (new,) = w.hub.advisor.worker_pids()
        assert new != pid and w.hub.advisor.restarts == 1


def test_a_hung_resolver_job_is_abandoned_within_its_budget_and_the_worker_replaced() -> None:
    with world(resolver_process=True, resolver_budget_s=1.0) as w:
        _pair(w, 1, 40.0)
        w.step(1)  # a first run: the worker is up
        (pid,) = w.hub.advisor.worker_pids()
        w.hub.advisor.job = _hang
        _pair(w, 2, 42.0)
        w.step(1, advise=False)
        t0 = time.monotonic()
        assert w.hub.advisor.advise() == []
        assert time.monotonic() - t0 < 10.0  # the budget (1 s), not the hour the job wants
        assert _gone(pid)  # the hung worker was killed, not left running
        assert w.hub.advisor.restarts == 1 and "B-2" not in _advised(w, "BLUE")
        w.hub.advisor.job = _advice._resolve_job
        w.step(1)
        assert _advised(w, "BLUE") == {"B-1", "B-2"}
        assert w.hub.advisor.worker_pids() and w.hub.advisor.worker_pids() != [pid]


def test_a_resolver_that_keeps_dying_is_logged_once_and_its_recovery_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with world(resolver_process=True) as w, caplog.at_level(logging.WARNING, "airdecon.hub"):
        _pair(w, 1, 40.0)
        w.step(1, advise=False)
        w.hub.advisor.job = _die
        for _ in range(3):
            assert w.hub.advisor.advise() == []
        w.hub.advisor.job = _advice._resolve_job
        w.step(1)
        w.step(1)
        assert _advised(w, "BLUE") == {"B-1"}
        said = [r.getMessage() for r in caplog.records if r.name == "airdecon.hub"]
        assert sum("no advisories this run" in m for m in said) == 1, said
        assert sum("the resolver answers again" in m for m in said) == 1, said
        assert w.hub.advisor.restarts == 3


def test_a_pair_the_resolver_cannot_resolve_says_so_and_the_others_are_advised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from airdecon.resolution import _resolve

    real = _resolve._Resolver._cluster

    def poisoned(self: Any, ks: Any) -> None:  # a bug met on one encounter's data
        if any("B-2" in str(self.fleet.ids[r]) for k in ks for r in (self.cs.i[k], self.cs.j[k])):
            raise ZeroDivisionError("poisoned")
        real(self, ks)

    monkeypatch.setattr(_resolve._Resolver, "_cluster", poisoned)
    with world() as w:
        _pair(w, 1, 40.0)
        _pair(w, 2, 42.0)
        w.step(1)
        w.step(1)
        assert _advised(w, "BLUE") == {"B-1"} and _advised(w, "RED") == {"R-1"}
        for party, ident in (("BLUE", "B-2"), ("RED", "R-2")):
            own = [o for o in _own(w, party) if o["id"] == ident]
            assert own and all(o.get("advisory") is None and o["advisory_status"] == "failed" for o in own)
        monkeypatch.setattr(_resolve._Resolver, "_cluster", real)  # the bug is fixed: advised again
        w.step(1)
        assert _advised(w, "BLUE") == {"B-1", "B-2"}
