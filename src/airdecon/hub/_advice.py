"""Advisories: the resolver on the current conflicts, on its own slower loop, in its own process.

:class:`Advisor` resolves the most urgent conflicts of the last detection cycle (Annex 2 /
TCAS-style advisories) and records the changes each party may see. Alerts never wait for it: it
runs on its own loop and, when configured, in a worker process of lower priority that exits with
the hub.

The worker is supervised. A worker that died (killed, out of memory, crashed) is replaced on the
next run; a job that runs past ``resolver_budget_s`` is abandoned, its worker killed and replaced;
a fresh worker is started (and its imports done) before the budget of a job starts counting. Each
such failure is logged once, not at every run, and the advice already given stands until the
resolver answers again. Inside a run, a cluster whose resolution fails is reported per pair
(``advisory_status: "failed"`` on that alert's own entries) while every other pair is advised.

Advisories hold (issue 14): each run tells the resolver the advisories in force
(``resolve(previous=...)``), the ones the last answered run issued, per aircraft, with a channel a
later advisory left out kept from the earlier one, so an aircraft keeps its advisory while it still
keeps separation instead of a marginally cheaper one every run. An aircraft that the last run did
not advise (out of conflict, its cluster failed, or not among ``advise_max``) has none in force.
They are saved with the latest states (:mod:`airdecon.hub._cache`) and read back at a restart, so
the first run of a restarted hub is told them too.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import math
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, cast

from airdecon._memory import keep_freed_memory
from airdecon.detection import ConflictSet, turns_judged
from airdecon.errors import AirdeconError
from airdecon.hub._context import HubContext
from airdecon.hub._faults import FaultLog
from airdecon.hub._record import Record
from airdecon.resolution import Advisory, Rule, resolve
from airdecon.store import Event

__all__ = ["Advisor", "ResolverUnavailable"]

log = logging.getLogger("airdecon.hub")

#: (pair, level, resolved, advisories, error): one conflict as the resolver process returns it.
Resolved = list[tuple[tuple[str, str], str, bool, list[dict[str, Any]], str | None]]

_START_S = 120.0  # a fresh worker must import the resolver within this (a loaded host is slow)


class ResolverUnavailable(AirdeconError):
    """The resolver gave no answer this run: its worker died or its job ran past the budget."""


class Advisor:
    """The resolver's supervision (see the module docstring)."""

    def __init__(self, ctx: HubContext, record: Record) -> None:
        self._ctx = ctx
        self._record = record
        self._faults = FaultLog(log)
        self._lock = threading.Lock()  # guards the pool's replacement
        self._pool: ProcessPoolExecutor | None = None
        self._fresh = False  # the pool has not answered yet
        self._closed = False
        #: what the worker runs (plain data in, plain data out); module-level, so it pickles
        self.job: Callable[..., Resolved] = _resolve_job
        #: workers replaced since the hub started (died or abandoned)
        self.restarts = 0
        #: the advisories in force, by fleet key (``PARTY/id``): what the last answered run issued
        self.in_force: dict[str, Advisory] = {}

    def close(self) -> None:
        """Stop the resolver process (what it computes is dropped)."""
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            _kill(pool)

    def worker_pids(self) -> list[int]:
        """The resolver worker's process ids (none before its first job, or in-process)."""
        pool = self._pool
        procs = getattr(pool, "_processes", None) or {}
        return [int(pid) for pid in procs]

    def advise(self) -> list[Event]:
        """Resolve the current conflicts (Annex 2 / TCAS-style advisories) and publish changes.

        Runs on its own slower loop: alerts never wait for the resolver. Each party receives an
        ``advisory`` event when the advice for one of its own aircraft changes. When the resolver
        gives no answer (see :class:`ResolverUnavailable`) nothing changes this run.
        """
        ctx = self._ctx
        picture = ctx.picture
        with ctx.lock:
            fleet, conflicts = picture.last_fleet, picture.last_conflicts
            budget = None if picture.own_budget is None else picture.own_budget()
            # the turns detection judged, no more: a party reporting its fleet turning costs the
            # resolver what it costs detection (turns_judged), not everyone's advisories
            fleet = turns_judged(fleet, picture.protocol.lookahead_s, budget)
            # a distress aircraft without an airborne track (on the ground, dropped) is simply not a
            # resolution participant: the resolver refuses unknown ids, and one of them stopped
            # every advisory of every party
            airborne = set(fleet.ids.tolist())
            distress = frozenset(k for k in picture.distress_keys() if k in airborne)
        previous = {k: adv for k, adv in self.in_force.items() if k in airborne}
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
                hypothesis=None if conflicts.hypothesis is None else conflicts.hypothesis[:m],
            )
            try:
                resolved = self._resolve(fleet, urgent, picture.protocol, distress, previous)
            except ResolverUnavailable as exc:
                self._faults.failed("resolver", f"no advisories this run: {exc}")
                return []  # the advice already given stands, and stays in force
            except Exception:
                self.in_force = {}  # the next run resolves afresh: a failure does not stick to them
                raise
        self._faults.cleared("resolver", "the resolver answers again")
        self.in_force = _in_force(self.in_force, resolved)
        self._note_failed_pairs(resolved)
        with ctx.lock:
            events = ctx.desk.take_advice(resolved, fleet, picture)
        return self._record.append(events)

    def loop(self) -> None:
        """Run :meth:`advise` every ``advise_s`` until the hub stops."""
        self._ctx.every(self._ctx.settings.advise_s, self.advise, "resolution failed")

    def _note_failed_pairs(self, resolved: Resolved) -> None:
        """Log each pair the resolver could not resolve once (not at every run), and its recovery."""
        failed = []
        for pair, _level, _ok, _advs, error in resolved:
            key = ("pair", pair)
            if error is None:
                self._faults.cleared(key, f"advisories for {pair[0]} / {pair[1]}")
            else:
                failed.append(key)
                self._faults.failed(key, f"no advisory for {pair[0]} / {pair[1]}: {error}")
        self._faults.clear_except(failed, "pair")

    # ------------------------------------------------------------------ the worker
    def _resolve(
        self,
        fleet: Any,
        conflicts: ConflictSet,
        protocol: Any,
        distress: frozenset[str],
        previous: dict[str, Advisory],
    ) -> Resolved:
        """Resolve in a worker process when one is configured (it keeps the resolver's heavy
        verification off the server's interpreter lock), else here."""
        if not self._ctx.settings.resolver_process:
            return self.job(fleet, conflicts, protocol, distress, previous)
        budget = self._ctx.settings.resolver_budget_s
        pool = self._ready()
        try:
            future = pool.submit(self.job, fleet, conflicts, protocol, distress, previous)
            return future.result(timeout=budget)
        except concurrent.futures.TimeoutError:
            self._replace(pool)
            raise ResolverUnavailable(
                f"the resolver ran past its budget of {budget:g} s: abandoned, its worker replaced"
            ) from None
        except (BrokenProcessPool, RuntimeError) as exc:  # RuntimeError: submit after a shutdown
            self._replace(pool)
            raise ResolverUnavailable(f"the resolver process died ({exc}): it is restarted") from None

    def _ready(self) -> ProcessPoolExecutor:
        """The worker pool, a new one when there is none; a new one is started before it is used."""
        with self._lock:
            if self._closed:
                raise ResolverUnavailable("the hub is stopping")
            if self._pool is None or getattr(self._pool, "_broken", False):
                if self._pool is not None:
                    _kill(self._pool)
                    self.restarts += 1
                self._pool = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_exit_with_parent,
                    initargs=(os.getpid(), 10),  # advisories may wait; alerts and reports may not
                )
                self._fresh = True
            pool, fresh = self._pool, self._fresh
        if fresh:  # the worker's start and imports are not the job's: they get their own time
            try:
                pool.submit(_ping).result(timeout=_START_S)
            except Exception as exc:
                self._replace(pool)
                raise ResolverUnavailable(f"the resolver process did not start ({exc!r})") from None
            self._fresh = False
        return pool

    def _replace(self, pool: ProcessPoolExecutor) -> None:
        """Kill *pool*'s worker; the next run starts a new one."""
        with self._lock:
            if self._pool is pool:
                self._pool = None
                self.restarts += 1
        _kill(pool)


def _kill(pool: ProcessPoolExecutor) -> None:
    """Stop *pool* now: its worker is killed, whatever it was doing (a hung job never returns)."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    for p in procs:
        with contextlib.suppress(Exception):
            p.kill()
    with contextlib.suppress(Exception):
        pool.shutdown(wait=False, cancel_futures=True)


def _ping() -> int:
    """In a fresh resolver process: answers once its imports are done."""
    return os.getpid()


def _exit_with_parent(parent: int, nice: int = 0) -> None:
    """In the resolver process: exit when the hub is gone (after a SIGKILL nothing else tells it);
    *nice* lowers its CPU priority. It also keeps freed memory for the resolver's arrays."""
    keep_freed_memory()
    if nice:
        with contextlib.suppress(OSError):
            os.nice(nice)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="airdecon-parent-watch", daemon=True).start()


def _in_force(old: dict[str, Advisory], resolved: Resolved) -> dict[str, Advisory]:
    """The advisories in force after a run that answered: every aircraft it advised, a channel its
    new advisory leaves out kept from the one in force before (as the crew flies it; not after a
    hand-off to TCAS, which the crew flies instead); the others have none."""
    out: dict[str, Advisory] = {}
    for _pair, _level, _ok, advs, error in resolved:
        if error is not None:
            continue
        for d in advs:
            key = str(d["aircraft"])
            trk, vs = _num(d.get("trk_deg")), _num(d.get("vs_fpm"))
            before = None if d.get("rule") == "follow-tcas" else old.get(key)
            if before is not None:
                trk = before.trk_deg if trk is None else trk
                vs = before.vs_fpm if vs is None else vs
            if trk is not None:
                trk %= 360.0
            rule = cast(Rule, d["rule"])
            out[key] = Advisory(key, key.split("/", 1)[0], rule, str(d.get("reason", "")), trk, vs)
    return out


def _num(x: Any) -> float | None:
    """A channel of an advisory as the resolver takes it back: a finite float, or None."""
    v = None if x is None else float(x)
    return v if v is not None and math.isfinite(v) else None


def _resolve_job(
    fleet: Any,
    conflicts: ConflictSet,
    protocol: Any,
    distress: frozenset[str],
    previous: dict[str, Advisory] | None = None,
) -> Resolved:
    """Resolve *conflicts* (runs in the resolver process): plain data back, nothing shared.

    *previous* are the advisories in force (see the module docstring). A pair whose cluster could
    not be resolved comes back with no advisories and its error."""
    out: Resolved = []
    for cr in resolve(fleet, conflicts, protocol, distress=distress, previous=previous):
        out.append(
            (
                (cr.conflict.a, cr.conflict.b),
                cr.level.label,
                bool(cr.resolved),
                [adv.to_dict() for adv in cr.advisories],
                cr.error,
            )
        )
    return out
