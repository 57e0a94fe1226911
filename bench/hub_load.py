"""Hub load benchmark: K parties streaming N aircraft over loopback WebSockets to a real hub process.

Two phases, one hub (``python -m airdecon serve`` on 127.0.0.1, SQLite with durable commits):

1. **saturation** — every party sends report batches back to back, each waiting for its ack: the
   sustained number of reports per second the hub records and processes;
2. **steady 1 Hz** — every party reports all its aircraft once a second, while probe pairs are
   injected: two aircraft of different parties already converging; the latency is from the moment
   both reports are sent to the moment the resulting alert has reached **both** parties. Twice:
   *spread* (each party streams its aircraft in 10 batches over the second, as a surveillance
   feed does) and *burst* (every party sends all its aircraft at the top of each second: the
   worst case, 5,000 reports arriving at once).

Prints reports/s, the probe latencies (p50, p99, max) and the hub's CPU time. Loopback only.

Run: python bench/hub_load.py [--aircraft 5000] [--parties 4] [--seconds 20] [--probes 60]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import websockets
from _hubproc import wait_healthy

from airdecon.protocol import ProtocolDocument, ProtocolStore
from airdecon.protocol._signing import generate_private_key, public_key_text
from airdecon.store import open_store

DENSITY_PER_KM2 = 10_000 / 2_000.0**2


def make_protocol(d: Path, parties: list[str]) -> Path:
    keys = {p: generate_private_key() for p in parties}
    doc = ProtocolDocument.from_mapping({
        "format": "airdecon.protocol/1", "title": "load test",
        "parties": [{"id": p, "name": p, "role": "party", "signing_key": public_key_text(keys[p]),
                     "contacts": [{"name": "duty", "phone": "+0 000 0000"}]} for p in parties],
        # a load test of surveillance-sized feeds: each party gets the civil quota, not a force's 200
        "quotas": {"force": {"max_aircraft": 20_000, "max_batch": 10_000}},
    })
    store = ProtocolStore.init(d / "protocol")
    n = store.load()
    v, _ = n.propose(doc, parties[0], keys[parties[0]], datetime.now(UTC))
    for p in parties[1:]:
        n.accept(v.digest, p, keys[p], datetime.now(UTC))
    store.save(n)
    return d / "protocol"


def fleet(n: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    side = math.sqrt(n / DENSITY_PER_KM2)
    out = []
    for k in range(n):
        y, x = rng.uniform(-side / 2, side / 2), rng.uniform(-side / 2, side / 2)
        lat = 35.0 + y / 111.2
        out.append({"id": f"AC{k:05d}", "lat": round(lat, 6), "lon": round(38.0 + x / (111.32 * math.cos(math.radians(lat))), 6),
                    "alt_ft": rng.randrange(1000, 45000, 10), "gs_kt": rng.randrange(150, 550),
                    "trk_deg": rng.randrange(0, 360)})
    return out


async def party_stream(url: str, token: str, batches: list[list[dict]], mode: str, stop_at: float,
                       stats: dict, probes: asyncio.Queue | None, party: str, arrivals: dict) -> None:
    async with websockets.connect(url + "?after=live", additional_headers={"Authorization": f"Bearer {token}"},
                                  max_size=1 << 26) as ws:
        pending: dict[str, float] = {}
        ref = 0

        async def reader() -> None:
            async for raw in ws:
                msg = json.loads(raw)
                if msg.get("type") == "ack":
                    stats["reports"] += msg.get("accepted", 0)
                    pending.pop(msg.get("ref"), None)
                elif msg.get("type") == "event" and msg["kind"] == "alert" and msg["data"]["kind"] == "raised":
                    for own in msg["data"]["own"]:
                        if own["id"].startswith("PROBE"):  # the first alert a probe causes is its own pair's
                            k = own["id"].split("-")[1]
                            arrivals.setdefault(k, {}).setdefault(party, time.perf_counter())
                            stats.setdefault("hub_at", {}).setdefault(k, msg["at"])

        async def prober() -> None:  # probes go out the moment they are made
            while probes is not None:
                rep = await probes.get()
                text = json.dumps({"type": "reports", "ref": "probe", "reports": [rep]})
                # timed from the send itself: this one client also serialises 5,000 reports a second
                stats.setdefault("probe_sent", {}).setdefault(rep["id"].split("-")[1], {})[party] = time.perf_counter()
                await ws.send(text)

        # each batch's text made once, its time and ref filled in per send: json.dumps of 1,250
        # reports takes 5 ms, and this one client process streams for every party
        templates = [json.dumps({"type": "reports", "ref": "@REF@", "reports": [{**r, "t": -1.0} for r in batch]})
                     for batch in batches]
        rtask = asyncio.create_task(reader())
        ptask = asyncio.create_task(prober())
        try:
            while time.perf_counter() < stop_at:
                t_cycle = time.perf_counter()
                for k, template in enumerate(templates):
                    if mode == "spread":  # a feed: the batches of one second evenly over it
                        await asyncio.sleep(max(0.0, t_cycle + k / len(batches) - time.perf_counter()))
                    now = time.time()
                    ref += 1
                    key = f"{party}-{ref}"
                    pending[key] = t_cycle
                    await ws.send(template.replace('"t": -1.0', f'"t": {now!r}').replace('"@REF@"', f'"{key}"', 1))
                    if mode == "saturate":
                        while key in pending and time.perf_counter() < stop_at:
                            await asyncio.sleep(0.001)
                if mode != "saturate":
                    await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - t_cycle)))
        finally:
            rtask.cancel()
            ptask.cancel()


async def run_phase(base: str, tokens: dict[str, str], parts: dict[str, list[dict]], mode: str, seconds: float,
                    n_probes: int) -> tuple[float, list[float]]:
    url = base.replace("http", "ws", 1) + "/v1/stream"
    stats = {"reports": 0}
    arrivals: dict[str, dict[str, float]] = {}
    sent: dict[str, float] = {}
    sent_wall: dict[str, float] = {}
    parties = list(tokens)
    steady = mode != "saturate"
    queues = {p: asyncio.Queue() for p in parties} if steady else {p: None for p in parties}
    size = max(len(v) for v in parts.values())
    chunk = math.ceil(size / 10) if mode == "spread" else 1000
    t0 = time.perf_counter()
    stop_at = t0 + seconds
    tasks = [asyncio.create_task(party_stream(url, tokens[p], [parts[p][i:i + chunk] for i in range(0, len(parts[p]), chunk)],
                                              mode, stop_at, stats, queues[p], p, arrivals)) for p in parties]
    if steady:
        a, b = parties[0], parties[1]
        await asyncio.sleep(2.0)
        gap = (seconds - 4.0) / max(1, n_probes)
        for k in range(n_probes):
            # far from the fleet, and from every other probe pair (3 degrees apart): each pair only meets itself
            # (and from the previous phase's probes, still coasting: offset by the phase)
            lat, lon = -40.0 + 3.0 * (k % 25) + (1.5 if mode == "burst" else 0.0), -60.0 + 3.0 * (k // 25)
            now = time.time()
            sent[str(k)] = time.perf_counter()
            sent_wall[str(k)] = time.time()
            queues[a].put_nowait({"id": f"PROBE-{k}-A{mode[0]}", "lat": lat, "lon": lon, "alt_ft": 30000, "gs_kt": 450, "trk_deg": 90, "t": now})
            queues[b].put_nowait({"id": f"PROBE-{k}-B{mode[0]}", "lat": lat, "lon": lon + 0.3, "alt_ft": 30000, "gs_kt": 450, "trk_deg": 270, "t": now})
            await asyncio.sleep(gap)
    await asyncio.gather(*tasks, return_exceptions=True)
    elapsed = time.perf_counter() - t0
    went = {k: max(v.values()) for k, v in stats.get("probe_sent", {}).items() if len(v) == 2}
    lat_ms = [1000 * (max(v.values()) - went[k]) for k, v in arrivals.items() if len(v) == 2 and k in went]
    client = [1000 * (went[k] - sent[k]) for k in went if k in sent]
    if client:
        print(f"  ({mode}: probes waited in the client before their send: median {statistics.median(client):.1f} ms, "
              f"max {max(client):.1f} ms; not counted)")
    if os.environ.get("HUB_LOAD_ALL"):
        for party in parties[:2]:
            per = sorted(round(1000 * (v[party] - went[k])) for k, v in arrivals.items() if party in v and k in went)
            print(f"  {party} received (ms):", per)
        hub_at = stats.get("hub_at", {})
        print("  hub-side (ms):", sorted(round(1000 * (hub_at[k] - sent_wall[k])) for k in hub_at if k in sent_wall))
    return stats["reports"] / elapsed, lat_ms


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--aircraft", type=int, default=5000)
    ap.add_argument("--parties", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--probes", type=int, default=60)
    args = ap.parse_args()
    parties = [f"P{k}" for k in range(args.parties)]
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        protocol = make_protocol(d, parties)
        db = str(d / "hub.db")
        store = open_store(db)
        for p in parties:
            store.add_party(p, at=time.time())
        tokens = {p: store.issue_token(p, at=time.time()).token for p in parties}
        store.close()
        port = 18000 + os.getpid() % 1000
        proc = subprocess.Popen([sys.executable, "-m", "airdecon", "serve", "--port", str(port), "--db", db,
                                 "--protocol", str(protocol), "--rate-per-s", "100000", "--burst", "100000",
                                 "--max-body-bytes", str(64 << 20)])
        base = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(proc, base)
            all_ac = fleet(args.aircraft)
            parts = {p: [{**r, "id": f"{p}-{r['id']}"} for r in all_ac[k::len(parties)]] for k, p in enumerate(parties)}
            cpu0 = os.times()
            rate_sat, _ = asyncio.run(run_phase(base, tokens, parts, "saturate", args.seconds / 2, 0))
            steady = {mode: asyncio.run(run_phase(base, tokens, parts, mode, args.seconds, args.probes))
                      for mode in ("spread", "burst")}
            if proc.poll() is not None:
                raise SystemExit(f"the hub died during the run (status {proc.returncode})")
            with open(f"/proc/{proc.pid}/stat") as f:
                fields = f.read().split()
            hub_cpu = (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    print(f"hub load: {args.parties} parties, {args.aircraft} aircraft, loopback WebSockets, SQLite durable commits")
    print(f"  saturation: {rate_sat:,.0f} reports/s sustained (batches of <=1000, each acked after its commit)")
    for mode, (rate_1hz, lat) in steady.items():
        how = ("each party's aircraft in 10 batches spread over the second" if mode == "spread" else
               "every party sends all its aircraft at the top of each second (worst case)")
        print(f"  steady 1 Hz, {mode}: {rate_1hz:,.0f} reports/s ({how})")
        if lat:
            lat.sort()
            p99 = lat[min(len(lat) - 1, round(0.99 * (len(lat) - 1)))]
            print("    all (ms):", [round(x) for x in lat]) if os.environ.get("HUB_LOAD_ALL") else None
            print(f"    report -> alert at both parties: n={len(lat)} p50 {statistics.median(lat):.0f} ms, "
                  f"p99 {p99:.0f} ms, max {lat[-1]:.0f} ms")
        else:
            print("    report -> alert: no probe alert arrived")
    print(f"  hub process CPU: {hub_cpu:.1f} s over {2.5 * args.seconds:.0f} s of load; "
          f"client CPU {os.times().user - cpu0.user:.1f} s")


if __name__ == "__main__":
    main()
