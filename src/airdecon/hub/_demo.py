"""The demo: two simulated forces and civil traffic flying as real API clients against a real hub.

Each party is a separate client that talks to the hub only over HTTP and its WebSocket, exactly
as a real party's system would: it reports its own aircraft once a second (the bundled demo
scenario, flown forward in time), its pilots fly the advisories they are given after a pilot's
delay (a new heading and/or vertical rate, held until the scenario restarts), its duty officer
acknowledges distress broadcasts and reads line messages after a human-like delay (except the
*human* party's: its distress acknowledgements, reads and replies are left to the person at its
console, who would otherwise never get to press Acknowledge), and prints an
advisory only when the instruction changes in kind (rule, turn side, vertical sense), not every
few degrees; a short script makes the line come alive: a safety notice,
a reply, an emergency squawk (RED-04 squawks 7700 at 30 s), an incident report. In the first
seconds each force files a planned operation (BLUE's combat air patrol for BLUE-06/07, RED's
active sweep beside it: a notice for each) and RED a hazard area (a firing range on a civil
route), which the other officers acknowledge. Within two minutes there are conflicts, advisories,
notices, area alerts, one distress and a few line messages to watch.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from websockets.sync.client import connect

from airdecon.geometry import destination, initial_bearing_deg
from airdecon.scenario import demo_scenario_path, load_scenario
from airdecon.units import KT

__all__ = ["DemoParty", "run_demo_clients"]

LOOP_S = 600.0  # the scenario replays every ten minutes
PILOT_DELAY_S = 5.0  # from the advisory on the stream to the aircraft flying it


def _fly(rec: dict[str, Any], t: float) -> dict[str, Any]:
    """The record flown forward *t* seconds in a straight line (great circle, constant rate)."""
    dist = rec["gs_kt"] * KT * t
    lat, lon = destination(rec["lat"], rec["lon"], rec["trk_deg"], dist)
    lat2, lon2 = float(lat), float(lon)
    # the track turns as the great circle does, so a straight flight stays straight: the reverse
    # of the bearing back to the start (undefined before the aircraft has moved)
    trk = rec["trk_deg"]
    if dist > 0:
        trk = (initial_bearing_deg(lat2, lon2, rec["lat"], rec["lon"]) + 180.0) % 360.0
    alt = min(max(rec["alt_ft"] + rec.get("vs_fpm", 0.0) * t / 60.0, 500.0), 60000.0)
    return {
        "id": rec["id"],
        "lat": round(lat2, 6),
        "lon": round(lon2, 6),
        "alt_ft": round(alt, 0),
        "gs_kt": rec["gs_kt"],
        "trk_deg": round(trk, 2),
        "vs_fpm": rec.get("vs_fpm", 0.0),
    }


@dataclass
class DemoParty:
    """One simulated party: its token, aircraft and duty officer."""

    party: str
    token: str
    aircraft: list[dict[str, Any]]
    script: list[tuple[float, str, dict[str, Any]]] = field(default_factory=list)
    squawks: dict[str, tuple[float, str]] = field(default_factory=dict)  # id -> (from t, code)
    # advisories to fly: id -> (wall time due, new track or None, new rate or None); the reporter
    # takes them when due and re-bases the aircraft: id -> (scenario time, record flown from there)
    to_fly: dict[str, tuple[float, float | None, float | None]] = field(default_factory=dict)
    flown: dict[str, tuple[float, dict[str, Any]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: a person is this party's duty officer: the simulated one acknowledges and reads nothing
    human: bool = False

    def position(self, rec: dict[str, Any], t: float) -> dict[str, Any]:
        """Aircraft *rec* at scenario time *t*: the scenario, or from the last advisory flown."""
        since, base = self.flown.get(rec["id"], (0.0, rec))
        return _fly(base, t - since)

    def fly_due(self, now: float, t: float, say: Callable[[str], None]) -> None:
        """Fly the advisories whose pilot delay has passed: new heading and rate from here on."""
        with self.lock:
            due = [(i, trk, vs) for i, (at, trk, vs) in self.to_fly.items() if at <= now]
            for ident, _, _ in due:
                del self.to_fly[ident]
        for ident, trk, vs in due:
            rec = next((r for r in self.aircraft if r["id"] == ident), None)
            if rec is None:
                continue
            here = self.position(rec, t)
            new_trk = here["trk_deg"] if trk is None else float(trk)
            new_vs = here["vs_fpm"] if vs is None else float(vs)
            turn = abs((new_trk - here["trk_deg"] + 540.0) % 360.0 - 180.0)
            if turn < 1.0 and abs(new_vs - here["vs_fpm"]) < 1.0:
                continue  # "maintain": nothing to fly
            self.flown[ident] = (t, {**here, "trk_deg": new_trk, "vs_fpm": new_vs})
            say(f"[{self.party}] {ident} flies its advisory: track {new_trk:03.0f}°, {new_vs:+.0f} fpm")


def _box(lat0: float, lon0: float, lat1: float, lon1: float, lo: float, hi: float) -> dict[str, Any]:
    """A volume over the demo's next two hours (its window is set when it is filed)."""
    return {"polygon": [[lat0, lon0], [lat0, lon1], [lat1, lon1], [lat1, lon0]],
            "alt_lower_ft": lo, "alt_upper_ft": hi}  # fmt: skip


def _script() -> dict[str, list[tuple[float, str, dict[str, Any]]]]:
    return {
        "BLUE": [
            (
                3.0,
                "operation",
                {
                    "id": "BLUE-CAP",
                    "state": "active",
                    "aircraft": ["BLUE-06", "BLUE-07"],
                    "purpose": "combat air patrol",
                    "volumes": [_box(36.4, 37.3, 36.9, 37.9, 18000, 22000)],
                },
            ),
            (
                8.0,
                "message",
                {
                    "to": "all",
                    "kind": "safety-notice",
                    "text": "BLUE two-ship (BLUE-06/07) operating FL200 north-west sector for the "
                    "next hour; we will keep clear of civil routes.",
                    "fields": {"area": "north-west sector", "levels": "FL190-FL210"},
                },
            ),
            (
                70.0,
                "message",
                {
                    "to": "RED",
                    "kind": "request",
                    "text": "Request you keep your drones below FL150 east of 40E until 1200Z.",
                },
            ),
        ],
        "RED": [
            (
                5.0,
                "operation",
                {
                    "id": "RED-SWEEP",
                    "state": "active",
                    "purpose": "sweep",
                    "volumes": [_box(36.2, 37.8, 36.9, 38.4, 19000, 30000)],
                },
            ),
            (
                6.0,
                "operation",
                {
                    "id": "RED-RANGE",
                    "public": True,
                    "purpose": "live firing",
                    "volumes": [
                        {
                            "circle": {"lat": 35.85, "lon": 37.45, "radius_nm": 8.0},
                            "alt_lower_ft": 0,
                            "alt_upper_ft": 40000,
                        }
                    ],
                },
            ),
            (
                20.0,
                "message",
                {"to": "BLUE", "kind": "reply", "text": "Copied your notice. RED traffic advised."},
            ),
        ],
        "CIVIL": [
            (
                50.0,
                "message",
                {
                    "to": "all",
                    "kind": "incident-report",
                    "text": "Airliner CIVIL-02 reports a military aircraft climbing through its level "
                    "at 28000 ft, estimated 1 NM, no TCAS RA.",
                    "fields": {"aircraft": "CIVIL-02", "altitude_ft": 28000, "closest_nm": 1.0},
                },
            ),
        ],
    }


def run_demo_clients(
    base_url: str,
    tokens: dict[str, str],
    *,
    stop: threading.Event,
    say: Callable[[str], None] = print,
    ack_delay_s: float = 6.0,
    human: str | None = None,
) -> list[threading.Thread]:
    """Start every party's reporting client and duty-officer listener; they end when *stop* is set.

    The *human* party's aircraft still report and fly their advisories, but its simulated officer
    neither acknowledges distress, nor marks messages read, nor sends the script's replies: a
    person at that party's console does."""
    scenario = load_scenario(demo_scenario_path())
    records = scenario.fleet.to_records()
    script = _script()
    threads: list[threading.Thread] = []
    t0 = time.time()
    for party, token in tokens.items():
        mine = [r for r in records if r["party"] == party]
        lines = script.get(party, [])
        if party == human:
            lines = [x for x in lines if x[2].get("kind") != "reply"]
        p = DemoParty(party, token, mine, lines, human=party == human)
        if party == "RED":
            p.squawks["RED-04"] = (30.0, "7700")
        for target, name in ((_reporter, "reports"), (_officer, "officer")):
            th = threading.Thread(
                target=target,
                args=(base_url, p, t0, stop, say, ack_delay_s),
                name=f"demo-{party}-{name}",
                daemon=True,
            )
            th.start()
            threads.append(th)
    return threads


def _reporter(
    base: str, p: DemoParty, t0: float, stop: threading.Event, say: Callable[[str], None], _ack: float
) -> None:
    headers = {"Authorization": f"Bearer {p.token}"}
    done: set[int] = set()
    with httpx.Client(base_url=base, headers=headers, timeout=10.0) as client:
        last_t = 0.0
        while not stop.is_set():
            now = time.time()
            t = (now - t0) % LOOP_S
            if t < last_t:  # the scenario restarts: everyone back on its planned route
                p.flown.clear()
            last_t = t
            p.fly_due(now, t, say)
            reports = []
            for rec in p.aircraft:
                rep = p.position(rec, t)
                rep["t"] = now
                sq = p.squawks.get(rec["id"])
                if sq and t >= sq[0]:
                    rep["squawk"] = sq[1]
                reports.append(rep)
            try:
                client.post("/v1/reports", json={"reports": reports})
                for k, (at, kind, body) in enumerate(p.script):
                    if k not in done and now - t0 >= at:
                        done.add(k)
                        if kind == "message":
                            client.post("/v1/messages", json=body)
                            say(f"[{p.party}] sent {body['kind']} to {body['to']}: {body['text'][:60]}")
                        elif kind == "operation":
                            _file(client, p, body, now, say)
            except httpx.HTTPError as exc:
                say(f"[{p.party}] report failed: {exc}")
            stop.wait(1.0)


def _file(
    client: httpx.Client, p: DemoParty, body: dict[str, Any], now: float, say: Callable[[str], None]
) -> None:
    """File one of the script's operations, its windows from a minute ago to two hours ahead."""
    vols = [{"start": now - 60.0, "end": now + 7200.0, **v} for v in body["volumes"]]
    r = client.post("/v1/operations", json={**body, "volumes": vols})
    what = "hazard area" if body.get("public") else "operation"
    if r.status_code == 201:
        say(f"[{p.party}] filed {what} {body['id']} ({body.get('state', 'planned')})")
    elif r.status_code != 409:  # 409: filed already (a restarted demo client)
        say(f"[{p.party}] filing {body['id']} refused: {r.status_code} {r.text[:120]}")


def _plans(p: DemoParty, kind: str, data: dict[str, Any], pending: list[tuple[float, str, str]],
           say: Callable[[str], None], ack_delay_s: float) -> None:  # fmt: skip
    """The officer reads the plans' events: notices, area alerts, conformance, hazard areas."""
    if kind == "notice" and data.get("state") == "open":
        say(f"[{p.party}] NOTICE {data['notice_id']}: {data['operation']} comes within the minima of "
            f"{data['with']}'s plan ({len(data.get('parts', []))} part(s))")  # fmt: skip
    elif kind == "area-alert" and data.get("kind") == "raised":
        if data.get("role") == "aircraft":
            say(f"[{p.party}] AREA ALERT {data['text']} ({data['with']})")
        else:
            say(f"[{p.party}] AREA ALERT {data['text']}")
    elif kind == "conformance":
        say(f"[{p.party}] CONFORMANCE {data['aircraft']} {data['state']} {data['operation']}")
    elif kind == "operation" and data.get("public") and data.get("party") != p.party:
        say(f"[{p.party}] HAZARD AREA {data['operation']} of {data['party']} ({data.get('purpose', '')})")
        if data.get("state") in ("planned", "active") and not getattr(p, "human", False):
            pending.append((time.time() + ack_delay_s, "hazard", f"{data['party']}/{data['operation']}"))


def _officer(
    base: str, p: DemoParty, t0: float, stop: threading.Event, say: Callable[[str], None], ack_delay_s: float
) -> None:
    """The party's duty officer: watches the stream, acknowledges distress, reads messages."""
    ws_url = base.replace("http", "ws", 1) + "/v1/stream"
    cursor = ""
    headers = {"Authorization": f"Bearer {p.token}"}
    pending: list[tuple[float, str, str]] = []
    seen_alerts: set[str] = set()
    told: set[str] = set()  # distress cases left to the human, said once
    said: dict[str, tuple[Any, ...]] = {}  # aircraft -> the kind of its last advisory printed
    with httpx.Client(base_url=base, headers=headers, timeout=10.0) as client:
        while not stop.is_set():
            try:
                with connect(f"{ws_url}?after={cursor}", additional_headers=headers, open_timeout=5) as ws:
                    while not stop.is_set():
                        for due, what, ident in [x for x in pending if x[0] <= time.time()]:
                            pending.remove((due, what, ident))
                            if what == "ack":
                                client.post("/v1/acks", json={"distress_id": ident})
                                say(f"[{p.party}] acknowledged distress {ident}")
                            elif what == "hazard":
                                filer, op = ident.split("/", 1)
                                client.post(f"/v1/operations/{op}/ack", json={"party": filer})
                                say(f"[{p.party}] acknowledged hazard area {op} of {filer}")
                            else:
                                client.post(f"/v1/messages/{ident}/read")
                        try:
                            raw = ws.recv(timeout=0.5)
                        except TimeoutError:
                            continue
                        msg = json.loads(raw)
                        if msg.get("type") != "event":
                            continue
                        cursor = msg["cursor"]
                        data, kind = msg["data"], msg["kind"]
                        if p.human and kind in ("distress", "message"):
                            did = data.get("distress_id")
                            if kind == "distress" and p.party in data.get("awaiting", []) and did not in told:
                                told.add(did)
                                say(
                                    f"[{p.party}] DISTRESS {data['distress_id']}: left to you on the "
                                    f"{p.party} console (Acknowledge)"
                                )
                        elif kind == "distress" and p.party in data.get("awaiting", []):
                            if not any(x[2] == data["distress_id"] for x in pending):
                                say(
                                    f"[{p.party}] DISTRESS {data['distress_id']}: {data['party']} "
                                    f"{data['id']} {data['reason']} on "
                                    f"{', '.join(map(str, data['frequencies_mhz']))} MHz"
                                )
                                pending.append((time.time() + ack_delay_s, "ack", data["distress_id"]))
                        elif kind == "message" and data.get("from") != p.party:
                            pending.append((time.time() + ack_delay_s / 2, "read", data["message_id"]))
                        elif kind == "receipt":
                            say(f"[{p.party}] message {data['message_id']} {data['status']} by {data['by']}")
                        elif (
                            kind == "alert"
                            and data.get("kind") == "raised"
                            and data["alert_id"] not in seen_alerts
                        ):
                            seen_alerts.add(data["alert_id"])
                            own = ", ".join(o["id"] for o in data.get("own", []))
                            say(
                                f"[{p.party}] ALERT {data['level']} {own}: loss of separation in "
                                f"{data['t_in_s']:.0f} s"
                            )
                        elif kind == "advisory":
                            _advised(p, data, said, say)
                        elif kind in ("notice", "area-alert", "conformance", "operation"):
                            _plans(p, kind, data, pending, say, ack_delay_s)
            except (OSError, TimeoutError, Exception) as exc:
                if stop.is_set():
                    return
                say(f"[{p.party}] stream dropped ({type(exc).__name__}); reconnecting")
                stop.wait(1.0)


def _advised(
    p: DemoParty, data: dict[str, Any], said: dict[str, tuple[Any, ...]], say: Callable[[str], None]
) -> None:
    """An advisory for one of *p*'s aircraft: its pilot will fly it, and the officer prints it
    when it changes in kind (rule, turn side, vertical sense), not at every few degrees."""
    ident = str(data["aircraft"])
    trk, vs = data.get("trk_deg"), data.get("vs_fpm")
    if trk is not None or vs is not None:
        with p.lock:
            p.to_fly[ident] = (time.time() + PILOT_DELAY_S, trk, vs)
    current = next((r for r in p.aircraft if r["id"] == ident), None)
    side = 0
    if trk is not None and current is not None:
        base = p.flown.get(ident, (0.0, current))[1]
        side = 1 if (float(trk) - base["trk_deg"] + 540.0) % 360.0 - 180.0 > 0 else -1
    kind = (data.get("rule"), side, 0 if vs is None else (vs > 0) - (vs < 0), data.get("resolved"))
    if said.get(ident) != kind:
        said[ident] = kind
        say(f"[{p.party}] ADVISORY {ident}: {data['reason']}")
