"""Report intake: a party's states of its own aircraft, read, validated, recorded, applied.

:class:`Intake` reads report batches (HTTP bodies and stream messages alike), has the report guard
admit them (quotas, plausibility), records them durably, notes them for the restart cache, applies
them to the live picture (raising distress for emergency squawks) and asks for a detection cycle.
"""

from __future__ import annotations

from typing import Any

from airdecon.errors import InputError
from airdecon.hub._cache import RestartCache
from airdecon.hub._context import HubContext
from airdecon.hub._distress import Distress
from airdecon.hub._record import Record
from airdecon.hub._reports import Batch, parse_batch, record
from airdecon.hub._wire import decode_reports
from airdecon.store import Appended, NewEvent

__all__ = ["Intake"]

_SMALL_BYTES = 8192  # a message this short (a few dozen reports) is read at once, beside big ones
_SMALL_ROWS = 64


class Intake:
    """Parties' reports in (see the module docstring)."""

    def __init__(self, ctx: HubContext, record: Record, cache: RestartCache, distress: Distress) -> None:
        self._ctx = ctx
        self._record = record
        self._cache = cache
        self._distress = distress

    def submit_reports(
        self, party: str, raw: object, *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        """Validate and record a batch of *party*'s own aircraft states.

        Valid reports are kept even when others in the batch are refused; each refusal names the
        report and field. Raises :class:`RecordError` only when nothing in the batch is valid.
        """
        s = self._ctx.settings
        if not isinstance(raw, list):
            raise InputError("'reports' must be a list of aircraft states")
        if len(raw) > s.max_reports:
            raise InputError(f"too many reports in one batch: {len(raw)} > {s.max_reports}")
        batch = parse_batch(raw, party, self._ctx.clock(), max_skew_s=s.max_skew_s)
        return self.submit_batch(party, batch, idempotency_key=idempotency_key)

    def read_reports(self, party: str, data: str | bytes) -> tuple[dict[str, Any], Batch | None]:
        """Read the JSON text of a stream message or request body from *party* and validate the
        reports it carries (see :func:`~airdecon.hub._wire.decode_reports`): its ``type``,
        ``ref`` and ``idempotency_key``, and the batch (``None`` without a ``reports`` member)."""
        s = self._ctx.settings
        with self._ctx.pacing.report_work(len(data) > _SMALL_BYTES):
            now = self._ctx.clock()
            return decode_reports(data, party, now, max_skew_s=s.max_skew_s, max_reports=s.max_reports)

    def submit_batch(self, party: str, batch: Batch, *, idempotency_key: str | None = None) -> dict[str, Any]:
        """Record a batch of *party*'s reports validated by :meth:`read_reports` or
        :func:`parse_batch` (see :meth:`submit_reports`)."""
        ctx = self._ctx
        batch = ctx.guard.admit(party, batch)
        good, rows, rejected, first_error = batch
        if not good:
            if first_error is None:
                raise InputError("empty report batch")
            raise first_error
        # the rows are plain JSON by construction: spare the per-value type walk
        with ctx.pacing.report_work(len(rows) > _SMALL_ROWS):
            event = NewEvent(
                "report", party, record(rows), audience=[party], idempotency_key=idempotency_key, plain=True
            )

        def committed(appended: list[Appended]) -> None:
            # in sequence order with every other commit: a save's mark never claims a report
            # whose state it does not hold
            if not appended[0].replayed:
                self._cache.note(good, appended[0].event.seq)

        try:
            stored = self._record.append_then([event], committed)[0]
        except BaseException:
            ctx.guard.applied(party, [], ctx.clock())
            raise
        if stored.replayed:
            ctx.guard.applied(party, good, ctx.clock())
            return {"accepted": len(good), "rejected": rejected, "replayed": True}
        now = ctx.clock()
        with ctx.lock:
            raised = ctx.picture.apply(good, now)
            dist_events = [self._distress.event(case, "raised") for case in raised]
        ctx.guard.applied(party, good, now)
        self._record.append(dist_events)
        ctx.dirty.set()
        return {"accepted": len(good), "rejected": rejected, "replayed": False}
