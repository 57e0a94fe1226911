"""A replay sink that feeds a live hub: recorded traffic reported as one party's (or civil) aircraft.

Each replay step's fleet is posted to ``POST /v1/reports`` with the party's token. The hub accepts
only current states (it refuses timestamps far from its clock), so reports are stamped with the
wall clock at the moment they are sent: a recording replayed with ``--speed 1`` looks to the hub
exactly like live traffic. Failed posts are counted and the replay goes on (the next step carries
fresh states anyway).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import httpx

from airdecon.alerting import AlertEvent
from airdecon.replay._engine import Step
from airdecon.units import FPM, FT, KT

__all__ = ["HubFeed"]

_BAD_ID = re.compile(r"[^A-Za-z0-9_.:/-]")


@dataclass
class HubFeed:
    """Posts every step's aircraft to a hub as *party*'s reports."""

    url: str
    token: str
    party: str
    sent: int = 0
    failed: int = 0
    last_error: str = ""
    _client: httpx.Client | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._client = httpx.Client(
            base_url=self.url.rstrip("/"), timeout=10.0, headers={"Authorization": f"Bearer {self.token}"}
        )

    def on_step(self, step: Step) -> None:
        f = step.fleet
        if len(f) == 0 or self._client is None:
            return
        now = time.time()
        reports = [
            {
                "id": _BAD_ID.sub("_", str(f.ids[k]))[:40] or "unknown",
                "lat": float(f.lat_deg[k]),
                "lon": float(f.lon_deg[k]),
                "alt_ft": float(f.alt_m[k] / FT),
                "gs_kt": float(f.gs_mps[k] / KT),
                "trk_deg": float(f.trk_deg[k]),
                "vs_fpm": float(f.vs_mps[k] / FPM),
                "t": now,
            }
            for k in range(len(f))
        ]
        try:
            r = self._client.post("/v1/reports", json={"reports": reports})
        except httpx.HTTPError as exc:
            self.failed += 1
            self.last_error = str(exc)
            return
        if r.status_code == 202:
            self.sent += int(r.json().get("accepted", 0))
        else:
            self.failed += 1
            self.last_error = f"{r.status_code}: {r.text[:200]}"

    def close(self, t_s: float, final_alerts: list[AlertEvent]) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
