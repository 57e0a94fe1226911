"""Faults logged once: a failure that repeats every cycle is told when it starts and when it ends.

The hub's loops run every second; a poisoned item, a dead resolver or a broken store fails them
again at every turn. :class:`FaultLog` logs a fault the first time it is seen under its key (with
its traceback), counts its repeats quietly, and logs once more when it clears, with how many
times it repeated. Thread-safe.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Hashable, Iterable

__all__ = ["FaultLog"]


class FaultLog:
    """Once-per-fault logging on *log* (see the module docstring); at most *keep* open faults."""

    def __init__(self, log: logging.Logger, keep: int = 4096) -> None:
        self._log = log
        self._keep = keep
        self._open: dict[Hashable, int] = {}  # key -> times seen since it started
        self._lock = threading.Lock()

    def failed(self, key: Hashable, message: str, exc: BaseException | None = None) -> bool:
        """Fault *key* happened (again); logged only the first time. True when it was logged."""
        with self._lock:
            seen = self._open.get(key)
            if seen is not None:
                self._open[key] = seen + 1
                return False
            if len(self._open) >= self._keep:
                self._open.pop(next(iter(self._open)))
            self._open[key] = 1
        self._log.error("%s (logged once until it clears)", message, exc_info=exc)
        return True

    def cleared(self, key: Hashable, message: str = "") -> None:
        """Fault *key* is over (no-op when it was not open): logged once, with its count."""
        with self._lock:
            seen = self._open.pop(key, None)
        if seen is not None:
            self._log.warning("%s: cleared after %d failure(s)", message or f"fault {key!r}", seen)

    def clear_except(self, keys: Iterable[Hashable], prefix: object) -> None:
        """Clear silently the faults ``(prefix, x)`` whose key is not in *keys* (their item is gone)."""
        live = set(keys)
        with self._lock:
            for k in [k for k in self._open if isinstance(k, tuple) and k[0] == prefix and k not in live]:
                del self._open[k]

    def open_keys(self) -> list[Hashable]:
        """The open faults' keys."""
        with self._lock:
            return list(self._open)

    def is_open(self, key: Hashable) -> bool:
        """Whether fault *key* is open."""
        with self._lock:
            return key in self._open
