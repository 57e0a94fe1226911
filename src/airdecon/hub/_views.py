"""Lazy views of one cycle's fleet and conflicts: states and closest-approach points on demand.

Most cycles raise no event; these index the fleet or the conflicts only when an event or a read
needs a position, so a quiet cycle costs nothing here. :func:`state_of` is one aircraft's latest
known state, from the last cycle or else its last report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airdecon.geometry import destination
from airdecon.needtoknow import StateView

if TYPE_CHECKING:
    from airdecon.hub._picture import Picture

__all__ = ["Cpas", "Views", "state_of"]


class Views:
    """Lazy ``{fleet key: StateView}``: built only for the aircraft an event actually mentions."""

    def __init__(self, fleet: Any) -> None:
        self.fleet = fleet
        self._rows: dict[str, int] | None = None

    @property
    def rows(self) -> dict[str, int]:
        if self._rows is None:  # most cycles raise no event: index only when asked
            self._rows = {str(k): n for n, k in enumerate(self.fleet.ids)}
        return self._rows

    def __contains__(self, key: object) -> bool:
        return key in self.rows

    def __getitem__(self, key: str) -> StateView:
        n, f = self.rows[key], self.fleet
        return StateView(
            float(f.lat_deg[n]),
            float(f.lon_deg[n]),
            float(f.alt_m[n]),
            float(f.gs_mps[n]),
            float(f.trk_deg[n]),
            float(f.vs_mps[n]),
        )

    def get(self, key: str, default: StateView | None = None) -> StateView | None:
        return self[key] if key in self.rows else default


class Cpas:
    """Lazy predicted closest-approach points: the midpoint of the two aircraft at ``tcpa``."""

    def __init__(self, fleet: Any, conflicts: Any) -> None:
        self.fleet, self.c = fleet, conflicts
        self._index: dict[tuple[str, str], int] | None = None

    @property
    def index(self) -> dict[tuple[str, str], int]:
        if self._index is None:
            c = self.c
            a_ids, b_ids = [str(x) for x in c.ids[c.i]], [str(x) for x in c.ids[c.j]]
            self._index = {pair: k for k, pair in enumerate(zip(a_ids, b_ids, strict=True))}
        return self._index

    def _ahead(self, row: int, t: float) -> tuple[float, float]:
        f = self.fleet
        lat, lon = destination(f.lat_deg[row], f.lon_deg[row], f.trk_deg[row], float(f.gs_mps[row]) * t)
        return float(lat), float(lon)

    def current(self, pair: tuple[str, str]) -> bool:
        """Whether the pair is in a predicted conflict of this cycle."""
        return pair in self.index

    def get(self, pair: tuple[str, str], default: Any = None) -> dict[str, float] | None:
        k = self.index.get(pair)
        if k is None:
            return default
        t = float(self.c.tcpa_s[k])
        (la1, lo1), (la2, lo2) = self._ahead(int(self.c.i[k]), t), self._ahead(int(self.c.j[k]), t)
        return {
            "lat": round((la1 + la2) / 2, 6),
            "lon": round(lo1 + (((lo2 - lo1) + 540.0) % 360.0 - 180.0) / 2, 6),
        }


def state_of(picture: Picture, key: str) -> StateView | None:
    """The aircraft's state in the last cycle, else its last report (None if unknown)."""
    state = Views(picture.last_fleet).get(key)
    if state is not None:
        return state
    tr = picture.tracks.get(key)
    if tr is None:
        return None
    r = tr.report
    return StateView(r.lat_deg, r.lon_deg, r.alt_m, r.gs_mps, r.trk_deg, r.vs_mps)
