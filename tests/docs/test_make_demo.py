"""`make demo PORT=N` serves on port N, as the README says (issue 13: "make demo cannot choose a port")."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_demo_passes_port_through() -> None:
    def dry(*args: str) -> str:
        # under `make test` (CI) this make is nested: no "Entering/Leaving directory" lines
        env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
        run = subprocess.run(
            ["make", "--no-print-directory", "-n", "demo", *args],
            cwd=ROOT, capture_output=True, text=True, timeout=60, check=True, env=env,
        )  # fmt: skip
        return [line for line in run.stdout.splitlines() if "airdecon demo" in line][-1]

    assert dry("PORT=8001").endswith("airdecon demo --port 8001")
    assert "--port" not in dry()  # default: the command's own default port
    assert "make demo PORT=8001" in (ROOT / "README.md").read_text(encoding="utf-8")
