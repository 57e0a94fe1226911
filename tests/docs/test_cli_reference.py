"""docs/cli.md is the ``--help`` of every command as the code renders it now.

The reference is rendered again by ``scripts/docs_cli.py --stdout`` in a fresh interpreter (typer
reads its width and terminal settings at import, which the script fixes first) and compared.
"""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_cli_reference_matches_the_commands_help() -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), *filter(None, [env.get("PYTHONPATH")])])
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "docs_cli.py"), "--stdout"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    fresh = out.stdout
    assert fresh.count("\n## `airdecon ") >= 20, "expected every command and subcommand"
    for command in ("detect", "replay", "serve", "demo", "audit verify", "protocol sign", "party token"):
        assert f"## `airdecon {command}`" in fresh
    doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    diff = "".join(
        difflib.unified_diff(doc.splitlines(True), fresh.splitlines(True), "docs/cli.md", "--help")
    )
    assert doc == fresh, f"docs/cli.md is out of date: run scripts/docs_cli.py\n{diff[:4000]}"
