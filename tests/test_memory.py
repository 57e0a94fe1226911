"""The C allocator keeps freed memory for reuse once told (airdecon.keep_freed_memory).

Each case runs in a fresh interpreter, since the setting is process-wide: the same numpy workload
(blocks of 8 arrays of 400 KB made and dropped, as the resolver's search chunks are) counts its
page faults with and without the call.
"""

from __future__ import annotations

import subprocess
import sys

import airdecon

WORKLOAD = """
import resource, sys
import numpy as np
import airdecon
if sys.argv[1] == "keep":
    assert airdecon.keep_freed_memory()
def work():
    for _ in range(100):
        block = [np.ones(50_000) * k for k in range(8)]
        del block
work()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
work()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(mode: str) -> int:
    out = subprocess.run([sys.executable, "-c", WORKLOAD, mode], check=True, capture_output=True, text=True)
    return int(out.stdout.strip())


def test_freed_arrays_are_reused_without_page_faults() -> None:
    default, kept = _faults("default"), _faults("keep")
    # 100 blocks x 8 arrays x ~98 pages each are faulted in again by default; none once told
    assert default > 50_000, default
    assert kept < default // 100, (kept, default)


def test_it_is_idempotent_and_the_cli_calls_it() -> None:
    assert airdecon.keep_freed_memory() is True
    assert airdecon.keep_freed_memory() is True
    code = "import airdecon._memory as m, airdecon.cli as c; c.main(['--help']); print(m._done)"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip().endswith("True")
