"""What one party may see of the live picture right now: its tracks and its alerts.

:class:`PartyViews` reads the picture under its lock and discloses it per reader (see
:mod:`airdecon.needtoknow`): a party's own aircraft, civil traffic, the threats of its current
alerts, and the aircraft in distress.
"""

from __future__ import annotations

from typing import Any

from airdecon.hub._context import HubContext
from airdecon.hub._reports import Report
from airdecon.hub._views import Views, state_of

__all__ = ["PartyViews"]


class PartyViews:
    """The live picture per reader (see the module docstring)."""

    def __init__(self, ctx: HubContext) -> None:
        self._ctx = ctx

    def tracks_for(self, party: str) -> list[dict[str, Any]]:
        """Everything *party* may see right now (see :mod:`airdecon.needtoknow`)."""
        ctx = self._ctx
        picture, disclosure = ctx.picture, ctx.disclosure
        out: list[dict[str, Any]] = []
        now = ctx.clock()
        with ctx.lock:
            views = Views(picture.last_fleet)
            # own, then civil, each by id: the picture's internal order depends on every party's
            # reports and would let a reader count aircraft it may not see
            mine = sorted((r for r in picture.reports() if r.party == party), key=_by_id)
            civil = sorted(
                (r for r in picture.reports() if r.party != party and disclosure.is_civil(r.party)),
                key=_by_id,
            )
            out.extend(disclosure.own_track(r.to_json()) for r in mine)
            out.extend(disclosure.civil_track(r.to_json()) for r in civil)
            out.extend(ctx.desk.threats_for(party, picture, now))
            for case in picture.distress.values():
                if case.closed or case.party == party:
                    continue
                st = views.get(case.key) or state_of(picture, case.key)
                if st is not None:
                    out.append(disclosure.distress_track(case.distress_id, case.party, case.aircraft_id, st))
        return out

    def alerts_for(self, party: str) -> list[dict[str, Any]]:
        """*party*'s current alerts, most urgent first, as disclosed to it."""
        with self._ctx.lock:
            return self._ctx.desk.alerts_for(party, self._ctx.picture, self._ctx.clock())


def _by_id(r: Report) -> str:
    return r.aircraft_id
