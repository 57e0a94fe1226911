"""The hub without HTTP: the composition root that builds the hub's services and runs their loops.

:class:`Hub` builds the shared :class:`~airdecon.hub._context.HubContext` (store, clock, live
picture, need-to-know policy, protocol in force) and the services around it, each with one job:

* ``hub.intake`` — parties' reports in (:mod:`airdecon.hub._intake`);
* ``hub.cycle`` — the detection cycle: alerts, track losses, distress timers (:mod:`~airdecon.hub._cycle`);
* ``hub.advisor`` — the resolver's advisories, on their own loop (:mod:`~airdecon.hub._advice`);
* ``hub.distress`` — MAYDAY, acknowledgements, closures (:mod:`~airdecon.hub._distress`);
* ``hub.line`` — the officers' messages and receipts (:mod:`~airdecon.hub._line`);
* ``hub.operations`` — planned operations, hazard areas and their notices (:mod:`~airdecon.hub._operations`);
* ``hub.areas`` — live tracks against plans: area alerts and conformance (:mod:`~airdecon.hub._areas`);
* ``hub.protocol`` — the protocol in force and its negotiation (:mod:`~airdecon.hub._protocol`);
* ``hub.record`` — the record, its fan-out to live subscribers, reading back and verification
  (:mod:`~airdecon.hub._record`);
* ``hub.views`` — what a party may see now (:mod:`~airdecon.hub._party_views`);
* ``hub.cache`` — the restart cache of latest states (:mod:`~airdecon.hub._cache`).

The root itself restores the picture after a restart, starts and stops the loops, and checks a
caller's credentials and request rate. Every event is appended (durably) to the hash-chained record
*before* it is published or acknowledged, so an acknowledged report, message or distress survives a
crash.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from airdecon.audit import HubKey
from airdecon.hub._advice import Advisor
from airdecon.hub._alerts import HUB_PARTY
from airdecon.hub._areas import AreaWatch
from airdecon.hub._cache import RestartCache
from airdecon.hub._context import HubContext, InForce
from airdecon.hub._cycle import Cycle
from airdecon.hub._distress import Distress
from airdecon.hub._errors import Forbidden, RateLimited
from airdecon.hub._intake import Intake
from airdecon.hub._limits import AuthFailures, Bucket
from airdecon.hub._line import MESSAGE_KINDS, Line
from airdecon.hub._operations import Operations
from airdecon.hub._party_views import PartyViews
from airdecon.hub._protocol import ProtocolDesk
from airdecon.hub._record import Record, Subscriber
from airdecon.hub._settings import HubSettings
from airdecon.protocol import ProtocolDocument
from airdecon.store import Store

__all__ = ["MESSAGE_KINDS", "Forbidden", "Hub", "RateLimited", "Subscriber"]

log = logging.getLogger("airdecon.hub")


class Hub:
    """The deconfliction line's server-side state and operations, as services (see the module).

    Parameters
    ----------
    settings : HubSettings
    store : Store
        Opened by the caller (``open_store``), with the hub key as checkpoint signer.
    document : ProtocolDocument
        The protocol (parties, minima, thresholds, distress rules).
    in_force : bool
        Whether *document* is signed by every party (reported on ``/v1/protocol``).
    hub_key : HubKey
        The key that signs checkpoints; also seeds the cursor key so cursors survive restarts.
    clock : callable
        POSIX time source (the hub is a face: it may read the clock; the engine never does).
    """

    def __init__(
        self,
        settings: HubSettings,
        store: Store,
        document: ProtocolDocument,
        *,
        in_force: bool,
        hub_key: HubKey,
        signatures: Mapping[str, Any] | None = None,
        clock: Callable[[], float] = time.time,
        protocol_dir: Path | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        ctx = HubContext.build(
            settings, store, InForce(document, in_force, dict(signatures or {})), hub_key=hub_key, clock=clock
        )
        self.context = ctx
        self.parties = ctx.parties
        self.record = Record(ctx)
        self.cache = RestartCache(ctx)
        self.distress = Distress(ctx, self.record)
        self.intake = Intake(ctx, self.record, self.cache, self.distress)
        self.operations = Operations(ctx, self.record)
        self.areas = AreaWatch(ctx, self.operations)
        self.cycle = Cycle(ctx, self.record, self.distress, self.areas)
        self.advisor = Advisor(ctx, self.record)
        self.cache.advice = lambda: self.advisor.in_force  # saved with the latest states
        self.line = Line(ctx, self.record, self.operations)
        self.protocol = ProtocolDesk(ctx, self.record, protocol_dir)
        self.views = PartyViews(ctx)
        self._buckets: dict[str, Bucket] = defaultdict(lambda: Bucket(settings.rate_per_s, settings.burst))
        self._auth_failures = AuthFailures(settings.auth_fail_per_s, settings.auth_fail_burst)
        self._threads: list[threading.Thread] = []
        now = clock()
        store.add_party(HUB_PARTY, at=now)
        for p in self.parties:
            store.add_party(p, at=now)
        self._restore(now)

    # ------------------------------------------------------------------ lifecycle
    def _restore(self, now: float) -> None:
        """Rebuild the live picture after a restart: the saved latest states, the reports recorded
        after the cache's mark, the open distress cases, and the advisories in force the last
        save held."""
        ctx = self.context
        saved, turns, replayed = self.cache.restore()
        with ctx.lock:
            ctx.picture.apply(saved, now, raise_distress=False, turns=turns)
            for batch in replayed:  # one recorded batch at a time: track rates measured as they came
                ctx.picture.apply(batch, now, raise_distress=False)
            for r in ctx.picture.reports():  # a restart shows threats coarsely until tracks mature again
                ctx.guard.first_seen[r.key] = now
            self.distress.restore()
        self.advisor.in_force = dict(self.cache.restored_advice)  # what the crews were flying

    def start(self) -> None:
        """Start the background loops: detection cycles, advisories, state saves, verification,
        timed checkpoints and party heads."""
        loops = (
            (self.cycle.loop, "airdecon-cycle"),
            (self.advisor.loop, "airdecon-advise"),
            (self.cache.loop, "airdecon-save"),
            (self.record.verify_loop, "airdecon-verify"),
            (self.record.heads.loop, "airdecon-checkpoint"),
        )
        for target, name in loops:
            t = threading.Thread(target=target, name=name, daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self) -> None:
        """Ask the loops to end, save the live picture's latest states, finish the writes and sign
        the final checkpoint and heads (:meth:`Record.close`), and wait for the loops."""
        self.context.stop.set()
        self.context.dirty.set()
        self.advisor.close()
        try:
            self.cache.save()
        except Exception:
            log.warning("could not save the latest states on stop")
        self.record.close()
        threads, self._threads = self._threads, []
        for t in threads:
            t.join(timeout=5)

    # ------------------------------------------------------------------ auth and limits
    def authenticate(self, token: str | None) -> str | None:
        """The party a bearer token belongs to, or None (unknown, revoked, or not a party of the protocol)."""
        if not token or len(token) > 512:
            return None
        party = self.store.authenticate(token)
        if party is None or party.name not in self.parties:
            return None
        return party.name

    def failed_authentication(self, address: str) -> None:
        """A request from *address* presented a token that authenticates no party: raise
        :class:`RateLimited` past the address's burst of such requests (a valid token is never
        counted here)."""
        if not self._auth_failures.failed(address):
            raise RateLimited(
                "too many requests with invalid credentials from this address: "
                f"at most {self.settings.auth_fail_per_s:g} per second"
            )

    def throttle(self, party: str, cost: float = 1.0) -> None:
        """Raise :class:`RateLimited` when *party* exceeds its request rate."""
        if not self._buckets[party].take(cost):
            raise RateLimited(f"too many requests: at most {self.settings.rate_per_s:g} per second")
