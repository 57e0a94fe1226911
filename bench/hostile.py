"""Hostile-party benchmark: one party floods at its quota; do the others still get their alerts in time?

A real hub process (``python -m airdecon serve`` on 127.0.0.1, SQLite, the default settings and the
protocol's default quotas) with four parties: BLUE and RED, who only fly probe pairs; EVIL, which
floods; CIVIL, idle. Each phase runs for ``--seconds`` while BLUE and RED inject probe pairs (two
aircraft already converging, far from everything else) and measure **report → alert at both
parties** over their WebSocket streams. The phases (issue 12 §4):

* ``quiet``: nobody floods (the reference figures);
* ``distinct-ids``: EVIL sends batches of never-seen aircraft ids back to back (refused beyond its
  ``max_aircraft`` with 429 — the flood that once held 786k aircraft);
* ``co-located``: EVIL keeps its whole quota of aircraft on one spot, with ``watch_own_pairs`` set
  (every pair of them is a conflict it asked to be told about);
* ``silent-consumer``: EVIL opens streams from the start of the record and never reads them;
* ``record-window``: EVIL asks for its record over the longest window, back to back; its record
  is seeded first with ``--seed-record`` report batches of its own over the last day, so the
  window is as long as the hub answers at once (the row bound) and more.

Prints, per phase, the unrelated report→alert p50/p99 (ms), the ratio to quiet, and the hub's RSS
(peak over the phase, and the process's high-water mark); for ``record-window`` also the time of
one answer and its size. Loopback only.

Run: python bench/hostile.py [--seconds 15] [--probes 12] [--phases quiet record-window]
[--profile DIR] (``--profile`` runs each phase's hub under ``py-spy record``, if installed, and
writes DIR/<phase>.txt: collapsed stacks, to see where a flood spends the hub's time).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import websockets
from _hubproc import wait_healthy

from airdecon.hub._reports import record
from airdecon.protocol import ProtocolDocument, ProtocolStore
from airdecon.protocol._signing import generate_private_key, public_key_text
from airdecon.store import NewEvent, Store, open_store

PARTIES = {"BLUE": "party", "RED": "party", "EVIL": "party", "CIVIL": "civil"}
PHASES = ("quiet", "distinct-ids", "co-located", "silent-consumer", "record-window")


def make_protocol(d: Path) -> Path:
    keys = {p: generate_private_key() for p in PARTIES}
    doc = ProtocolDocument.from_mapping({
        "format": "airdecon.protocol/1", "title": "hostile bench",
        "parties": [{"id": p, "name": p, "role": role, "signing_key": public_key_text(keys[p]),
                     "contacts": [{"name": "duty", "phone": "+0 000 0000"}],
                     **({"watch_own_pairs": True} if p == "EVIL" else {})} for p, role in PARTIES.items()],
    })  # fmt: skip
    store = ProtocolStore.init(d / "protocol")
    n = store.load()
    names = list(PARTIES)
    v, _ = n.propose(doc, names[0], keys[names[0]], datetime.now(UTC))
    for p in names[1:]:
        n.accept(v.digest, p, keys[p], datetime.now(UTC))
    store.save(n)
    return d / "protocol"


def seed_record(store: Store, n: int, rows: int = 10) -> None:
    """*n* report batches of EVIL's (*rows* aircraft each) over the last day, recorded as the hub
    records them; the restart cache is marked complete, so the hub does not replay them."""
    now = time.time()
    for start in range(0, n, 1000):
        batch = []
        for k in range(start, min(n, start + 1000)):
            t = now - 86400 + 80000 * k / max(1, n)
            rows_ = [
                [f"W{i}", t, 40.0 + i * 0.01, 40.0, 30000.0, 0.0, 0.0, None, None, None, None, False]
                for i in range(rows)
            ]
            batch.append(NewEvent("report", "EVIL", record(rows_), audience=["EVIL"], plain=True))
        store.append_many(batch, at=now - 86400 + 80000 * start / max(1, n))
    store.save_states([], through_seq=store.head().seq)


def rss_kb(pid: int) -> tuple[int, int]:
    """(current RSS, high-water mark) of *pid*, in kB."""
    got = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                got[line.split(":")[0]] = int(line.split()[1])
    return got.get("VmRSS", 0), got.get("VmHWM", 0)


async def watch(url: str, token: str, party: str, arrivals: dict[str, dict[str, float]]) -> None:
    """*party*'s stream: the moment each probe's first alert reaches it."""
    async with websockets.connect(f"{url}?after=live&token={token}", max_size=1 << 26) as ws:
        async for raw in ws:
            msg = json.loads(raw)
            if msg.get("type") == "event" and msg["kind"] == "alert" and msg["data"].get("kind") == "raised":
                for own in msg["data"]["own"]:
                    if own["id"].startswith("PROBE"):
                        arrivals.setdefault(own["id"].split("-")[1], {}).setdefault(
                            party, time.perf_counter()
                        )


async def evil(phase: str, base: str, token: str, stop_at: float, stats: dict[str, int]) -> None:
    """EVIL's flood for *phase* (at its quota; the hub's answers counted by status)."""
    if phase == "quiet":
        return
    headers = {"Authorization": f"Bearer {token}"}
    url = base.replace("http", "ws", 1) + "/v1/stream"
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
        k = 0
        silent: list[object] = []
        try:
            while time.perf_counter() < stop_at:
                now = time.time()
                if phase == "distinct-ids":
                    body = {
                        "reports": [
                            {
                                "id": f"E{k + i}",
                                "lat": 10 + (k + i) % 1000 * 0.01,
                                "lon": 10.0,
                                "alt_ft": 30000,
                                "gs_kt": 0,
                                "trk_deg": 0,
                                "t": now,
                            }
                            for i in range(200)
                        ]
                    }
                    k += 200
                    r = await client.post("/v1/reports", json=body)
                elif phase == "co-located":
                    body = {
                        "reports": [
                            {
                                "id": f"C{i}",
                                "lat": 20.0,
                                "lon": 20.0,
                                "alt_ft": 30000,
                                "gs_kt": 0,
                                "trk_deg": 0,
                                "t": now,
                            }
                            for i in range(200)
                        ]
                    }
                    r = await client.post("/v1/reports", json=body)
                    await asyncio.sleep(0.2)
                elif phase == "silent-consumer":
                    if len(silent) < 8:
                        ws = await websockets.connect(f"{url}?after=&token={token}", max_size=1 << 26)
                        silent.append(ws)
                    body = {
                        "reports": [
                            {
                                "id": f"S{i}",
                                "lat": 30.0 + i * 0.01,
                                "lon": 30.0,
                                "alt_ft": 30000,
                                "gs_kt": 0,
                                "trk_deg": 0,
                                "t": now,
                            }
                            for i in range(200)
                        ]
                    }
                    r = await client.post("/v1/reports", json=body)
                    await asyncio.sleep(0.05)
                else:  # record-window
                    t0 = time.perf_counter()
                    r = await client.get("/v1/record", params={"from": now - 7 * 86400 + 1, "to": now})
                    stats["ms"] = stats.get("ms", 0) + round(1000 * (time.perf_counter() - t0))
                    stats["bytes"] = len(r.content)
                stats[str(r.status_code)] = stats.get(str(r.status_code), 0) + 1
        finally:
            for ws in silent:
                with contextlib.suppress(Exception):
                    await ws.close()  # type: ignore[attr-defined]


async def run_phase(
    phase: str, base: str, tokens: dict[str, str], seconds: float, n_probes: int, offset: int, pid: int
) -> dict[str, object]:
    url = base.replace("http", "ws", 1) + "/v1/stream"
    arrivals: dict[str, dict[str, float]] = {}
    sent: dict[str, float] = {}
    stats: dict[str, int] = {}
    watchers = [asyncio.create_task(watch(url, tokens[p], p, arrivals)) for p in ("BLUE", "RED")]
    t0 = time.perf_counter()
    stop_at = t0 + seconds
    flood = asyncio.create_task(evil(phase, base, tokens["EVIL"], stop_at, stats))
    peak = 0
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        await asyncio.sleep(1.0)
        gap = (seconds - 3.0) / max(1, n_probes)
        for j in range(n_probes):
            k = offset + j
            lat, lon = -60.0 + 2.0 * (k % 40), -150.0 + 4.0 * (k // 40)
            now = time.time()
            sent[str(k)] = time.perf_counter()
            await asyncio.gather(*(
                client.post("/v1/reports", headers={"Authorization": f"Bearer {tokens[p]}"}, json={"reports": [
                    {"id": f"PROBE-{k}-{p}", "lat": lat, "lon": lon + dl, "alt_ft": 30000, "gs_kt": 450,
                     "trk_deg": trk, "t": now}]})
                for p, dl, trk in (("BLUE", 0.0, 90), ("RED", 0.3, 270))
            ))  # fmt: skip
            peak = max(peak, rss_kb(pid)[0])
            await asyncio.sleep(gap)
    await asyncio.sleep(max(0.0, stop_at - time.perf_counter()) + 2.0)  # the last probes' alerts
    peak = max(peak, rss_kb(pid)[0])
    await asyncio.gather(flood, return_exceptions=True)
    for w in watchers:
        w.cancel()
    lat = sorted(1000 * (max(v.values()) - sent[k]) for k, v in arrivals.items() if len(v) == 2 and k in sent)
    return {
        "lat": lat,
        "missing": n_probes - len(lat),
        "peak_kb": peak,
        "hwm_kb": rss_kb(pid)[1],
        "answers": stats,
    }


def one_hub(
    phase: str, seconds: float, probes: int, seed: int, profile: Path | None = None
) -> dict[str, object]:
    """Run *phase* against a fresh hub process (EVIL's record seeded with *seed* batches for
    ``record-window``; under py-spy with *profile*)."""
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        protocol = make_protocol(d)
        db = str(d / "hub.db")
        store = open_store(db)
        for p in PARTIES:
            store.add_party(p, at=time.time())
        tokens = {p: store.issue_token(p, at=time.time()).token for p in PARTIES}
        if phase == "record-window":
            seed_record(store, seed)
        store.close()
        port = 19000 + os.getpid() % 1000
        cmd = [
            sys.executable,
            "-m",
            "airdecon",
            "serve",
            "--port",
            str(port),
            "--db",
            db,
            "--protocol",
            str(protocol),
        ]
        if profile is not None:
            profile.mkdir(parents=True, exist_ok=True)
            cmd = [
                shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy")),
                "record",
                "--format",
                "raw",
                "-o",
                str(profile / f"{phase}.txt"),
                "--",
                *cmd,
            ]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(proc, base)
            pid = proc.pid if profile is None else _child_pid(proc.pid)
            result = asyncio.run(run_phase(phase, base, tokens, seconds, probes, 0, pid))
            if proc.poll() is not None:
                raise SystemExit(f"the hub died during {phase} (status {proc.returncode})")
            return result
        finally:
            if profile is None:
                proc.terminate()
            else:  # stop the hub itself: py-spy writes its file when its child ends
                with contextlib.suppress(ProcessLookupError):
                    os.kill(_child_pid(proc.pid), 15)
            proc.wait(timeout=20)


def _child_pid(pid: int) -> int:
    """The hub's pid under ``py-spy record`` (its only child)."""
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        kids = f.read().split()
    return int(kids[0]) if kids else pid


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--probes", type=int, default=12)
    ap.add_argument(
        "--phases",
        nargs="+",
        choices=PHASES,
        default=list(PHASES),
        help="Phases to run (quiet is always run first: the others are compared to it).",
    )
    ap.add_argument(
        "--seed-record",
        type=int,
        default=25_000,
        help="Report batches of EVIL's recorded before the record-window phase.",
    )
    ap.add_argument("--profile", type=Path, default=None, help="write py-spy collapsed stacks per phase here")
    args = ap.parse_args()
    phases = ["quiet", *(p for p in PHASES if p in args.phases and p != "quiet")]
    results = {}
    for phase in phases:  # a fresh hub each: one phase's aircraft do not use the next one's quota
        results[phase] = one_hub(phase, args.seconds, args.probes, args.seed_record, args.profile)
    print(
        f"hostile bench: {args.seconds:g} s a phase, {args.probes} BLUE/RED probe pairs each, default quotas"
    )
    print(
        f"  {'phase':<16} {'p50 ms':>8} {'p99 ms':>8} {'x quiet':>8} {'missed':>6} {'RSS MB':>7} {'HWM MB':>7}"
        "  EVIL's answers"
    )
    quiet = statistics.median(results["quiet"]["lat"]) if results["quiet"]["lat"] else float("nan")
    for phase, r in results.items():
        lat = r["lat"]
        p50 = statistics.median(lat) if lat else float("nan")
        p99 = lat[min(len(lat) - 1, round(0.99 * (len(lat) - 1)))] if lat else float("nan")
        got = dict(r["answers"])
        ms, size = got.pop("ms", None), got.pop("bytes", None)
        answers = ", ".join(f"{k}: {v}" for k, v in sorted(got.items())) or "-"
        if ms is not None and got:
            answers += f" ({ms / sum(got.values()):.0f} ms, {size / 1e6:.1f} MB each)"
        print(
            f"  {phase:<16} {p50:>8.0f} {p99:>8.0f} {p50 / quiet:>8.2f} {r['missing']:>6} "
            f"{r['peak_kb'] / 1024:>7.0f} {r['hwm_kb'] / 1024:>7.0f}  {answers}"
        )


if __name__ == "__main__":
    main()
