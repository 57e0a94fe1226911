"""Advisories: the resolver on the current conflicts, on its own slower loop, in its own process.

:class:`Advisor` resolves the most urgent conflicts of the last detection cycle (Annex 2 /
TCAS-style advisories) and records the changes each party may see. Alerts never wait for it: it
runs on its own loop and, when configured, in a worker process of lower priority that exits with
the hub.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from airdecon.detection import ConflictSet
from airdecon.hub._context import HubContext
from airdecon.hub._record import Record
from airdecon.resolution import resolve
from airdecon.store import Event

__all__ = ["Advisor"]

Resolved = list[tuple[tuple[str, str], str, bool, list[dict[str, Any]]]]


class Advisor:
    """The resolver's supervision (see the module docstring)."""

    def __init__(self, ctx: HubContext, record: Record) -> None:
        self._ctx = ctx
        self._record = record
        self._pool: ProcessPoolExecutor | None = None
        if ctx.settings.resolver_process:
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_exit_with_parent,
                initargs=(os.getpid(), 10),  # advisories may wait; alerts and reports may not
            )

    def close(self) -> None:
        """Stop the resolver process (what it computes is dropped)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def advise(self) -> list[Event]:
        """Resolve the current conflicts (Annex 2 / TCAS-style advisories) and publish changes.

        Runs on its own slower loop: alerts never wait for the resolver. Each party receives an
        ``advisory`` event when the advice for one of its own aircraft changes.
        """
        ctx = self._ctx
        picture = ctx.picture
        with ctx.lock:
            fleet, conflicts = picture.last_fleet, picture.last_conflicts
            # a distress aircraft without an airborne track (on the ground, dropped) is simply not a
            # resolution participant: the resolver refuses unknown ids, and one of them stopped
            # every advisory of every party
            airborne = set(fleet.ids.tolist())
            distress = frozenset(k for k in picture._distress_by_key if k in airborne)
        resolved: Resolved = []
        if len(conflicts) > 0:
            m = min(len(conflicts), ctx.settings.advise_max)  # sorted by time to loss: most urgent first
            urgent = ConflictSet(
                i=conflicts.i[:m],
                j=conflicts.j[:m],
                t_in_s=conflicts.t_in_s[:m],
                t_out_s=conflicts.t_out_s[:m],
                tcpa_s=conflicts.tcpa_s[:m],
                dcpa_m=conflicts.dcpa_m[:m],
                dalt_cpa_m=conflicts.dalt_cpa_m[:m],
                ids=conflicts.ids,
                n_candidates=conflicts.n_candidates,
            )
            resolved = self._resolve(fleet, urgent, picture.protocol, distress)
        with ctx.lock:
            events = ctx.desk.take_advice(resolved, fleet, picture)
        return self._record.append(events)

    def loop(self) -> None:
        """Run :meth:`advise` every ``advise_s`` until the hub stops."""
        self._ctx.every(self._ctx.settings.advise_s, self.advise, "resolution failed")

    def _resolve(
        self, fleet: Any, conflicts: ConflictSet, protocol: Any, distress: frozenset[str]
    ) -> Resolved:
        """Resolve in a worker process when one is configured (it keeps the resolver's heavy
        verification off the server's interpreter lock), else here."""
        if self._pool is None:
            return _resolve_job(fleet, conflicts, protocol, distress)
        return self._pool.submit(_resolve_job, fleet, conflicts, protocol, distress).result(timeout=120)


def _exit_with_parent(parent: int, nice: int = 0) -> None:
    """In the resolver process: exit when the hub is gone (after a SIGKILL nothing else tells it);
    *nice* lowers its CPU priority."""
    if nice:
        with contextlib.suppress(OSError):
            os.nice(nice)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="airdecon-parent-watch", daemon=True).start()


def _resolve_job(fleet: Any, conflicts: ConflictSet, protocol: Any, distress: frozenset[str]) -> Resolved:
    """Resolve *conflicts* (runs in the resolver process): plain data back, nothing shared."""
    out = []
    for cr in resolve(fleet, conflicts, protocol, distress=distress):
        out.append(
            (
                (cr.conflict.a, cr.conflict.b),
                cr.level.label,
                bool(cr.resolved),
                [adv.to_dict() for adv in cr.advisories],
            )
        )
    return out
