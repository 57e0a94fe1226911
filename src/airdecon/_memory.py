"""The process's C allocator, told to keep freed memory for reuse: the engine's arrays stop page-faulting.

The engine builds and drops arrays of a few kilobytes to a few megabytes thousands of times a second.
By default glibc hands the top of its heap back to the kernel as soon as more than 128 KiB of it is
free, and serves every block over 128 KiB with a fresh ``mmap``; either way the next array of that
size is faulted in again page by page, zeroed by the kernel. On the real worldwide fleet that was
1.17 million page faults: 3.4 s of the resolver's 9.5 s spent in the kernel (``bench/resolve.py``).

:func:`keep_freed_memory` sets two of glibc's ``mallopt`` parameters: a 64 MiB pad kept at the top of
the heap (``M_TOP_PAD``) and blocks up to 32 MiB (glibc's own ceiling for its adaptive threshold)
served from the heap (``M_MMAP_THRESHOLD``). The peak resident size is unchanged (84 MB either way on
the worldwide fleet); what changes is that memory freed after a peak stays with the process, up to
the pad, instead of going back and forth. It changes a process-wide setting, so the library never
calls it on import: the command line, the hub's resolver processes and the benchmarks do, and an
embedding program may. Where the C library is not glibc it does nothing and says so.
"""

from __future__ import annotations

import ctypes
import sys

__all__ = ["keep_freed_memory"]

_M_TOP_PAD = -2  # glibc <malloc.h>
_M_MMAP_THRESHOLD = -3
TOP_PAD_BYTES = 64 << 20
MMAP_THRESHOLD_BYTES = 32 << 20

_done = False


def keep_freed_memory() -> bool:
    """Tell glibc's allocator to keep freed memory for reuse (see the module). True when it took
    effect (now or by an earlier call); False where the C library has no ``mallopt`` (not Linux and
    glibc), and then nothing changed.

    >>> keep_freed_memory() in (True, False)
    True
    """
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library this process already runs on
    except (OSError, AttributeError):  # musl and others without mallopt
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    _done = mallopt(_M_TOP_PAD, TOP_PAD_BYTES) == 1 and mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) == 1
    return _done
