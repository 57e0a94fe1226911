"""The picture's table: the latest report of every aircraft, in columns, with its track-rate state.

One row per aircraft (keyed by ``party/aircraft id``), numeric values in one float array so that a
detection cycle reads the whole picture with a few array copies; rows of dropped aircraft are
reused. :class:`Tracks` is a read-only mapping view of it, :class:`Track` one row as an object.
Used only by :class:`airdecon.hub._picture.Picture`, which serialises access.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from airdecon.hub._reports import Report, fleet_key

__all__ = ["COLS", "TURN", "Table", "Track", "Tracks"]

#: Columns of :attr:`Table.num`: t, lat_deg, lon_deg, alt_m, gs_mps, trk_deg, vs_mps, sel_alt_m,
#: then the track rate's state (:func:`airdecon.state.turn_update`): t0, trk0, rate, turn_dps.
COLS = 12
#: The slice of the track rate's state in a row.
TURN = slice(8, 12)


@dataclass
class Track:
    """The latest report of one aircraft and when the hub received it."""

    report: Report
    received: float
    key: str = ""

    def __post_init__(self) -> None:
        if not self.key:
            self.key = fleet_key(self.report.party, self.report.aircraft_id)


class Table:
    """The latest report of every aircraft, one row each, kept in columns so that a cycle reads
    the whole picture with a few array copies. Rows of dropped aircraft are reused."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.reports: list[Report | None] = []
        # t, lat_deg, lon_deg, alt_m, gs_mps, trk_deg, vs_mps, sel_alt_m, then the track rate's
        # state (airdecon.state.turn_update): t0, trk0, rate, turn_dps
        self.num = np.zeros((0, COLS))
        self.received = np.zeros(0)
        self.live = np.zeros(0, dtype=bool)
        self.airborne = np.zeros(0, dtype=bool)
        self.keys = np.empty(0, dtype=object)
        self.party = np.empty(0, dtype=object)
        self.free: list[int] = []
        self.counts: dict[str, int] = {}

    def add(self, key: str, party: str) -> int:
        if self.free:
            i = self.free.pop()
        else:
            i = len(self.reports)
            self.reports.append(None)
            if i >= len(self.received):
                self._grow(max(64, 2 * len(self.received)))
        self.index[key] = i
        self.keys[i], self.party[i], self.live[i] = key, party, True
        self.counts[party] = self.counts.get(party, 0) + 1
        return i

    def _grow(self, cap: int) -> None:
        n = len(self.received)
        num = np.zeros((cap, COLS))
        num[:n] = self.num
        self.num = num
        for name, dtype in (
            ("received", float),
            ("live", bool),
            ("airborne", bool),
            ("keys", object),
            ("party", object),
        ):
            old = getattr(self, name)
            new = np.zeros(cap, dtype=dtype) if dtype is not object else np.empty(cap, dtype=object)
            new[:n] = old
            setattr(self, name, new)

    def remove(self, i: int) -> None:
        key = self.keys[i]
        del self.index[key]
        self.counts[self.party[i]] -= 1
        self.reports[i] = None
        self.keys[i] = self.party[i] = None
        self.live[i] = self.airborne[i] = False
        self.free.append(i)

    def track(self, i: int) -> Track:
        rep = self.reports[i]
        assert rep is not None
        return Track(rep, float(self.received[i]), str(self.keys[i]))


class Tracks(Mapping[str, "Track"]):
    """Read-only ``{fleet key: Track}`` view of the table (tracks are made on demand)."""

    def __init__(self, table: Table) -> None:
        self._t = table

    def __getitem__(self, key: str) -> Track:
        return self._t.track(self._t.index[key])

    def __contains__(self, key: object) -> bool:
        return key in self._t.index

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._t.index))

    def __len__(self) -> int:
        return len(self._t.index)
