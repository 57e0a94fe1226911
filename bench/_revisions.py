"""One package of airdecon as of a git revision, imported beside this tree's, for side-by-side timing.

The benches' ``--against REV`` runs an older engine in the same process, calls alternating, so both
see the same machine load; only the named package is swapped, the rest is the working tree's.
"""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def package_at(rev: str, package: str) -> ModuleType:
    """``airdecon.<package>`` of git revision *rev*, imported under a name of its own (its own
    imports of itself rewritten to that name)."""
    name = f"_bench_{package}_" + re.sub(r"\W", "_", rev)
    where = Path(tempfile.mkdtemp(prefix="airdecon-bench-")) / name
    where.mkdir()
    listing = subprocess.run(
        ["git", "-C", str(ROOT), "ls-tree", "--name-only", rev, f"src/airdecon/{package}/"],
        check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    for path in listing:
        if path.endswith(".py"):
            text = subprocess.run(
                ["git", "-C", str(ROOT), "show", f"{rev}:{path}"], check=True, capture_output=True, text=True
            ).stdout
            (where / Path(path).name).write_text(text.replace(f"airdecon.{package}", name))
    sys.path.insert(0, str(where.parent))
    return importlib.import_module(name)
