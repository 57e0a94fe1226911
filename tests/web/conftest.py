"""Browser tests of the console: a real hub process on 127.0.0.1, simulated parties over real HTTP,
and Debian's Chromium driven by Playwright (never ``playwright install``: it cannot download here).

The hub is ``airdecon serve`` on a fresh SQLite file and a protocol directory negotiated by
:func:`airdecon.hub.demo_protocol` (BLUE, RED, CIVIL; their private keys beside it as
``<PARTY>.key``, for the signing tests); tokens come from ``airdecon party token``. A background
thread flies each party's aircraft and reports them once a second, like a party's system would:

* BLUE-01 and RED-01 head-on at FL250, 44 NM apart: an alert with advisories from the start;
* RED-77 and RED-78 far away: RED's secrets, which BLUE must never see (no alert, no distress);
* CIVIL-01, CIVIL-02: public traffic (a test declares distress for CIVIL-02);
* CIVIL-03 head-on with BLUE-02 at FL180, 30 NM apart: a second alert for BLUE, more urgent
  (loss of separation in under 2 minutes: caution, then warning).

Screenshots go to ``artifacts/`` (gitignored) for people to look at.
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from airdecon.hub import demo_protocol

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
# Playwright's defaults already give --headless --no-sandbox; this keeps Chromium off the network.
CHROMIUM_ARGS = ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"]
PARTIES = ("BLUE", "RED", "CIVIL")
R_NM = 3440.065

# (party, id, lat, lon, alt_ft, gs_kt, trk_deg, vs_fpm)
FLEET: list[tuple[str, str, float, float, float, float, float, float]] = [
    ("BLUE", "BLUE-01", 35.0, 38.0, 25000, 450, 90, 0),
    ("BLUE", "BLUE-02", 34.2, 37.4, 18000, 380, 20, 0),
    ("RED", "RED-01", 35.0, 38.9, 25000, 450, 270, 0),
    ("RED", "RED-77", 32.6, 36.2, 30000, 420, 200, 0),
    ("RED", "RED-78", 32.8, 35.8, 12000, 300, 10, -1000),
    ("CIVIL", "CIVIL-01", 36.2, 37.0, 31000, 460, 120, 1500),
    ("CIVIL", "CIVIL-02", 33.6, 39.5, 33000, 420, 300, 0),
    ("CIVIL", "CIVIL-03", 34.670, 37.607, 18000, 400, 200, 0),
]
#: Ids of RED's aircraft that BLUE's console may never show, in any form.
RED_SECRETS = ("RED-01", "RED-77", "RED-78")


def _fly(lat: float, lon: float, gs_kt: float, trk: float, t: float) -> tuple[float, float]:
    d = gs_kt * t / 3600.0 / R_NM
    p1, l1, b = math.radians(lat), math.radians(lon), math.radians(trk)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    return math.degrees(p2), (math.degrees(l2) + 540.0) % 360.0 - 180.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Hub:
    """A running hub: its base URL, each party's token, and an API client per party."""

    url: str
    tokens: dict[str, str]
    log: Path
    keys: Path
    clients: dict[str, httpx.Client] = field(default_factory=dict)
    #: aircraft id -> fields replacing the flown ones (a test changing the scene; reset it after)
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)

    def api(self, party: str) -> httpx.Client:
        return self.clients[party]

    def console_url(self, party: str) -> str:
        return f"{self.url}/#party={party}&token={self.tokens[party]}"

    def events(self, party: str, kind: str | None = None) -> list[dict[str, Any]]:
        """Every event *party* was sent so far (paged through ``/v1/events``)."""
        out: list[dict[str, Any]] = []
        after = None
        while True:
            params = {"limit": 1000} | ({"after": after} if after else {})
            page = self.api(party).get("/v1/events", params=params).raise_for_status().json()["events"]
            if not page:
                break
            out.extend(page)
            after = page[-1]["cursor"]
        return [e for e in out if kind is None or e["kind"] == kind]


Fleet = list[tuple[str, str, float, float, float, float, float, float]]


def _fly_fleet(hub: Hub, stop: threading.Event, t0: float, fleet: Fleet) -> None:
    """Each party's system: report its own aircraft once a second until *stop*."""
    while not stop.is_set():
        now = time.time()
        for party in PARTIES:
            reports = []
            for p, ident, lat, lon, alt, gs, trk, vs in fleet:
                if p != party:
                    continue
                la, lo = _fly(lat, lon, gs, trk, now - t0)
                reports.append({"id": ident, "lat": round(la, 6), "lon": round(lo, 6),
                                "alt_ft": alt + vs * (now - t0) / 60.0, "gs_kt": gs, "trk_deg": trk,
                                "vs_fpm": vs, "t": now, **hub.overrides.get(ident, {})})
            with contextlib.suppress(httpx.HTTPError):  # the hub is stopping
                hub.api(party).post("/v1/reports", json={"reports": reports})
        stop.wait(1.0)


@pytest.fixture(scope="session")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    """``airdecon serve`` on a free port, with the fleet flying. Never skips: a hub that cannot start
    is a test error, with its log."""
    with start_hub(tmp_path_factory.mktemp("hub"), FLEET) as h:
        yield h


@contextlib.contextmanager
def start_hub(tmp: Path, fleet: Fleet) -> Iterator[Hub]:
    """A hub process on a free port in *tmp*, with *fleet* flying from now on; stopped at exit."""
    db = tmp / "hub.db"
    cli = [sys.executable, "-m", "airdecon"]
    tokens = {}
    for party in PARTIES:
        r = subprocess.run([*cli, "party", "token", party, "--db", str(db)], capture_output=True, text=True,
                           timeout=60, cwd=tmp)
        assert r.returncode == 0, f"airdecon party token {party} failed:\n{r.stdout}{r.stderr}"
        tokens[party] = r.stdout.strip().splitlines()[-1]
    protocol = demo_protocol(tmp / "negotiation")
    port = _free_port()
    log = tmp / "hub.log"
    with open(log, "w") as out:
        serve = [*cli, "serve", "--db", str(db), "--port", str(port), "--protocol", str(protocol)]
        proc = subprocess.Popen(serve, stdout=out, stderr=subprocess.STDOUT, cwd=tmp,
                                env={**os.environ, "COLUMNS": "200"})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(url + "/v1/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the hub did not start:\n{log.read_text()}", pytrace=False)
        time.sleep(0.1)
    h = Hub(url, tokens, log, tmp / "negotiation")
    for party in PARTIES:
        h.clients[party] = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {tokens[party]}"},
                                        timeout=10)
    stop = threading.Event()
    flyer = threading.Thread(target=_fly_fleet, args=(h, stop, time.time(), fleet), name="fleet", daemon=True)
    flyer.start()
    try:
        yield h
    finally:
        stop.set()
        flyer.join(timeout=10)
        for c in h.clients.values():
            c.close()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} not found: apt-get install -y chromium (see .ci/run)", pytrace=False)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass
class Console:
    """One party's console in its own browser context, with everything the page received."""

    party: str
    page: Page
    received: list[str]
    errors: list[str]

    def state(self, expr: str) -> Any:
        return self.page.evaluate(expr)

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path


def open_console(browser: Browser, hub: Hub, party: str, viewport: tuple[int, int] = (1400, 850)) -> Console:
    """Sign *party* in through the URL fragment and wait until its stream is live and the map drawn."""
    ctx = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = ctx.new_page()
    received: list[str] = []
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    def on_response(resp: Any) -> None:
        if "/v1/" in resp.url:
            with contextlib.suppress(Exception):  # bodies of aborted requests are not readable
                received.append(resp.text())

    page.on("response", on_response)
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: received.append(str(payload))))
    page.goto(hub.console_url(party))
    ready = "window.airdecon && airdecon.connection === 'live' && airdecon.baseMap === 'drawn'"
    page.wait_for_function(ready, timeout=30_000)
    return Console(party, page, received, errors)


@pytest.fixture
def blue(browser: Browser, hub: Hub) -> Iterator[Console]:
    c = open_console(browser, hub, "BLUE")
    yield c
    c.page.context.close()


@pytest.fixture
def red(browser: Browser, hub: Hub) -> Iterator[Console]:
    c = open_console(browser, hub, "RED")
    yield c
    c.page.context.close()
