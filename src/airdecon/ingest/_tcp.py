"""A TCP feed that survives dropped connections: byte chunks from ``host:port``, reconnecting.

Receivers restart, Wi-Fi drops, aggregators close idle sockets: a live feed must resume by
itself. :class:`TcpFeed` yields the bytes it receives; when the connection is refused, closed by
the peer or broken, it tells the caller (``on_drop``, so a parser can forget a partial frame),
waits ``retry_s`` (doubling up to ``max_retry_s``) and connects again, until ``max_reconnects``
(default: forever) or :meth:`TcpFeed.stop`.

Only this edge reads the wall clock (``time.time`` as the receive time of live frames); the
tracker and the engine take time as a parameter.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

__all__ = ["FeedStats", "TcpFeed"]


@dataclass
class FeedStats:
    """What happened on a feed: connections made, drops, bytes received, last error."""

    connects: int = 0
    drops: int = 0
    bytes: int = 0
    errors: list[str] = field(default_factory=list)


class TcpFeed:
    """Iterate over byte chunks received from ``host:port``, reconnecting after drops.

    Parameters
    ----------
    host, port : str, int
        Where the receiver serves (e.g. ``127.0.0.1``, 30005 for Beast, 30003 for SBS).
    retry_s, max_retry_s : float
        First and largest wait before reconnecting, seconds.
    max_reconnects : int or None
        Give up after this many drops (None: never).
    timeout_s : float
        Socket timeout, seconds (also how often :meth:`stop` is noticed).
    on_drop : callable, optional
        Called with the reason after every drop (before reconnecting).

    :meth:`stop` may be called from another thread; everything else runs in the iterating thread.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        retry_s: float = 0.5,
        max_retry_s: float = 30.0,
        max_reconnects: int | None = None,
        timeout_s: float = 1.0,
        on_drop: Callable[[str], None] | None = None,
    ) -> None:
        self.host, self.port = host, port
        self.retry_s, self.max_retry_s = retry_s, max_retry_s
        self.max_reconnects = max_reconnects
        self.timeout_s = timeout_s
        self.on_drop = on_drop
        self.stats = FeedStats()
        self._stop = threading.Event()

    def stop(self) -> None:
        """Ask the iteration to end (thread-safe)."""
        self._stop.set()

    def _dropped(self, reason: str) -> bool:
        """Record a drop; True when the feed should try again."""
        self.stats.drops += 1
        if len(self.stats.errors) < 20:
            self.stats.errors.append(reason)
        if self.on_drop is not None:
            self.on_drop(reason)
        return self.max_reconnects is None or self.stats.drops <= self.max_reconnects

    def __iter__(self) -> Iterator[bytes]:
        wait = self.retry_s
        while not self._stop.is_set():
            try:
                sock = socket.create_connection((self.host, self.port), timeout=self.timeout_s)
            except OSError as exc:
                if not self._dropped(f"connect: {exc}"):
                    return
                self._stop.wait(wait)
                wait = min(wait * 2.0, self.max_retry_s)
                continue
            self.stats.connects += 1
            wait = self.retry_s
            reason = "closed by peer"
            with sock:
                while not self._stop.is_set():
                    try:
                        chunk = sock.recv(65536)
                    except TimeoutError:
                        continue
                    except OSError as exc:
                        reason = f"recv: {exc}"
                        break
                    if not chunk:
                        break
                    self.stats.bytes += len(chunk)
                    yield chunk
            if self._stop.is_set() or not self._dropped(reason):
                return
            self._stop.wait(wait)


def now() -> float:
    """The wall clock, Unix seconds: the receive time of live frames (used only at this edge)."""
    return time.time()
