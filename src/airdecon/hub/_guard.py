"""The report guard: a party's quotas and each track's plausibility, checked before anything is kept.

A party that lies can invent aircraft to probe where the others fly. The guard bounds what it can
put on the line, from the protocol's ``quotas`` (see :mod:`airdecon.protocol._limits`):

* **batch size**: a batch larger than the party's ``max_batch`` is refused whole (422);
* **fleet size**: reports of *new* aircraft beyond the party's ``max_aircraft`` airborne at once
  are refused one by one (the aircraft it already has go on); a batch in which nothing is left
  answers 429, naming the quota;
* **plausibility**: a report that claims, or implies since the aircraft's previous report, a ground
  speed above ``max_gs_kt`` or a vertical rate above ``max_vs_fpm`` is refused for that aircraft;
* **own pairs**: of the conflicts between two aircraft of one party (a party that watches its own
  pairs, civil traffic), at most ``max_own_pairs`` a cycle are alerted, the most urgent first: a
  party's co-located fleet cannot flood the line with its own alerts; and detection evaluates at
  most :data:`OWN_CANDIDATES_PER_PAIR` × ``max_own_pairs`` candidate pairs of a party's own
  aircraft (all its pairs with other parties' aircraft still), so it cannot slow everyone's cycle;
* **maturity**: the guard remembers when each track was first seen; the disclosure layer shows a
  threat only coarsely to a reader whose own track is younger than ``disclosure.maturity_s``.

Refused reports are never recorded, so a restart replays only what was admitted. Thread-safe: the
guard has its own lock, and admits new aircraft against the count of tracks plus those admitted
but not yet applied.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from airdecon.detection import ConflictSet
from airdecon.errors import InputError, RecordError
from airdecon.geometry import distance_m
from airdecon.hub._reports import Batch, Report
from airdecon.protocol import Quota, Quotas
from airdecon.units import FPM, FT, KT, NM

__all__ = ["OWN_CANDIDATES_PER_PAIR", "QuotaExceeded", "ReportGuard"]

log = logging.getLogger("airdecon.hub")

#: detection's budget of one party's own candidate pairs, per own pair it may be alerted of: 5,000
#: for a force's 200, 50,000 for civil traffic's 2,000 (nine times every candidate pair of the real
#: worldwide fleet in ``bench/detect.py``, 5,671), a few milliseconds of a cycle at most
OWN_CANDIDATES_PER_PAIR = 25
_SLACK_M = 1.0 * NM  # position noise allowed between two reports, whatever the time between them
_SLACK_ALT_M = 500.0 * FT


class QuotaExceeded(InputError):
    """A party's report is beyond its protocol quota (429, the quota named)."""


class ReportGuard:
    """Admits each party's reports within its quota and plausible for its track.

    Parameters
    ----------
    quotas : Quotas
        The protocol's quotas.
    roles : mapping of str to str
        Each party's role (``party``, ``coalition``, ``civil``).
    last : callable
        ``last(fleet key) -> Report | None``: the aircraft's current report in the picture
        (called with the picture's lock held by the caller).
    count : callable
        ``count(party) -> int``: how many aircraft of *party* the picture holds.
    """

    def __init__(
        self,
        quotas: Quotas,
        roles: Mapping[str, str],
        last: Callable[[str], Report | None],
        count: Callable[[str], int],
    ) -> None:
        self.quotas = quotas
        self.roles = dict(roles)
        self._last, self._count = last, count
        self._lock = threading.Lock()
        self._pending: dict[str, set[str]] = {}
        self.first_seen: dict[str, float] = {}
        self.own_pairs_cut: dict[str, int] = {}  # party -> own pairs not alerted in the last cycle
        self.own_candidates_cut: set[str] = set()  # parties whose own pairs were not all evaluated

    def quota(self, party: str) -> Quota:
        """*party*'s quota."""
        return self.quotas.for_party(party, self.roles.get(party, "party"))

    def own_budget(self) -> dict[str, int]:
        """The detection work each party's own pairs may cost a cycle: :data:`OWN_CANDIDATES_PER_PAIR`
        candidate pairs per pair its ``max_own_pairs`` lets it be alerted of."""
        return {p: OWN_CANDIDATES_PER_PAIR * self.quota(p).max_own_pairs for p in self.roles}

    def bound_own_pairs(self, conflicts: ConflictSet, party: npt.NDArray[np.object_]) -> ConflictSet:
        """*conflicts* with each party's own pairs cut to its ``max_own_pairs``, most urgent kept.

        *party* gives each fleet row's party. The conflict set is ordered by time to loss (then
        ids), so the first pairs of a party are its most urgent, and the cut is stable from one
        cycle to the next.
        """
        for p in conflicts.capped:
            if p not in self.own_candidates_cut:
                log.warning(
                    "%s: own pairs beyond %d candidates were not evaluated (max_own_pairs)",
                    p,
                    OWN_CANDIDATES_PER_PAIR * self.quota(p).max_own_pairs,
                )
        self.own_candidates_cut = set(conflicts.capped)
        if len(conflicts) == 0:
            return conflicts
        pa, pb = party[conflicts.i], party[conflicts.j]
        same = np.flatnonzero(pa == pb)
        if same.size == 0:
            return conflicts
        keep = np.ones(len(conflicts), dtype=bool)
        owners = pa[same]
        cut = False
        for p in set(owners.tolist()):
            rows = same[owners == p]
            cap = self.quota(str(p)).max_own_pairs
            if rows.size > cap:
                keep[rows[cap:]] = False
                cut = True
                if self.own_pairs_cut.get(str(p)) is None:
                    log.warning("%s: %d own pairs in conflict, %d alerted (max_own_pairs)", p, rows.size, cap)
                self.own_pairs_cut[str(p)] = int(rows.size - cap)
            else:
                self.own_pairs_cut.pop(str(p), None)
        return conflicts.subset(keep) if cut else conflicts

    def check_size(self, party: str, n: int) -> None:
        """Refuse a batch of *n* reports larger than *party*'s ``max_batch``."""
        q = self.quota(party)
        if n > q.max_batch:
            raise InputError(f"quota max_batch: {n} reports in one batch, at most {q.max_batch} for {party}")

    def admit(self, party: str, batch: Batch) -> Batch:
        """The part of *batch* within quota and plausible; refusals join the batch's own.

        Call :meth:`applied` once the admitted reports are in the picture (or were not kept).
        """
        good, rows, rejected, first = batch
        self.check_size(party, len(good) + len(rejected))
        q = self.quota(party)
        taken = {int(x["index"]) for x in rejected if isinstance(x.get("index"), int)}
        where = [i for i in range(len(good) + len(rejected)) if i not in taken]  # batch index of good[k]
        keep: list[int] = []
        refused: list[dict[str, Any]] = []
        quota_hit: RecordError | None = None
        with self._lock:
            pending = self._pending.setdefault(party, set())
            # admitted but not yet in the picture (one already applied is counted by the picture)
            have = self._count(party) + sum(1 for k in pending if self._last(k) is None)
            for k, r in enumerate(good):
                key = r.key
                why = self._implausible(r, self._last(key), q)
                if why is not None:
                    refused.append(_refusal(where[k], r, why[0], why[1]))
                    first = first or RecordError(r.aircraft_id, why[0], None, why[1])
                    continue
                if self._last(key) is None and key not in pending:
                    if have >= q.max_aircraft:
                        msg = f"quota max_aircraft: {party} may have {q.max_aircraft} aircraft at once"
                        refused.append(_refusal(where[k], r, "id", msg))
                        quota_hit = quota_hit or QuotaExceeded(msg)  # type: ignore[assignment]
                        continue
                    pending.add(key)
                    have += 1
                keep.append(k)
        if not keep:
            err = quota_hit or first
            if isinstance(err, QuotaExceeded):
                raise err
            return Batch([], [], rejected + refused, first)
        return Batch([good[k] for k in keep], [rows[k] for k in keep], rejected + refused, first)

    def applied(self, party: str, reports: Sequence[Report], now: float) -> None:
        """The admitted *reports* are in the picture (or were dropped): stop counting them as pending."""
        with self._lock:
            pending = self._pending.get(party)
            for r in reports:
                if pending is not None:
                    pending.discard(r.key)
                self.first_seen.setdefault(r.key, r.t)

    def forget(self, keys: Sequence[str]) -> None:
        """Tracks dropped from the picture: a later report of the same id starts a new track."""
        with self._lock:
            for key in keys:
                self.first_seen.pop(key, None)

    def age(self, key: str, now: float) -> float | None:
        """How long track *key* has flown a consistent path (``None``: not seen)."""
        t = self.first_seen.get(key)
        return None if t is None else now - t

    @staticmethod
    def _implausible(r: Report, prev: Report | None, q: Quota) -> tuple[str, str] | None:
        """(field, reason) when *r* is not physically plausible after *prev*."""
        max_gs, max_vs = q.max_gs_kt * KT, q.max_vs_fpm * FPM
        if r.gs_mps > max_gs:
            return "gs_kt", f"{r.gs_mps / KT:.0f} kt exceeds the protocol's max_gs_kt {q.max_gs_kt:g}"
        if abs(r.vs_mps) > max_vs:
            return "vs_fpm", f"{r.vs_mps / FPM:.0f} fpm exceeds the protocol's max_vs_fpm {q.max_vs_fpm:g}"
        if prev is None:
            return None
        dt = abs(r.t - prev.t)
        moved = distance_m(prev.lat_deg, prev.lon_deg, r.lat_deg, r.lon_deg)
        if moved > max_gs * dt + _SLACK_M:
            speed = moved / max(dt, 1e-3) / KT
            return "lat", (
                f"implausible jump: {moved / NM:.1f} NM in {dt:.1f} s ({speed:.0f} kt) since the previous "
                f"report; the protocol's max_gs_kt is {q.max_gs_kt:g}"
            )
        climbed = abs(r.alt_m - prev.alt_m)
        if climbed > max_vs * dt + _SLACK_ALT_M:
            return "alt_ft", (
                f"implausible altitude change: {climbed / FT:.0f} ft in {dt:.1f} s; the protocol's "
                f"max_vs_fpm is {q.max_vs_fpm:g}"
            )
        return None


def _refusal(index: int, r: Report, field: str, message: str) -> dict[str, Any]:
    return {"index": index, "record": r.aircraft_id, "field": field, "message": f"{r.aircraft_id}: {message}"}
