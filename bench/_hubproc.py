"""What the hub benchmarks share: waiting for a hub process they started to answer."""

from __future__ import annotations

import subprocess
import time

import httpx


def wait_healthy(proc: subprocess.Popen[bytes], base: str, timeout_s: float = 30.0) -> None:
    """Return once the hub at *base* answers ``/v1/health``; exit if it dies or never answers."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the hub exited with status {proc.returncode}")
        try:
            if httpx.get(base + "/v1/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"the hub did not answer /v1/health within {timeout_s:g} s")
