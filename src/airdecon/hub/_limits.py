"""Request limits: a token bucket per party, and one per client address for failed authentications.

A party over its request rate is refused (429) by its own bucket (:class:`Bucket`). Requests whose
token authenticates no party are bounded apart (:class:`AuthFailures`): each costs its client
address a token, and past the burst that address is answered 429 until its bucket refills, so a
client guessing tokens gets a handful of answers a second. A correct token is never refused by
this (it authenticates before the address is looked at), and the table of addresses is bounded.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

__all__ = ["AuthFailures", "Bucket"]


class Bucket:
    """Token bucket: *rate* per second, *burst* at most."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, float(burst)
        self.tokens, self.t = float(burst), time.monotonic()

    def take(self, n: float = 1.0) -> bool:
        """Take *n* tokens when there are that many (True), else take none (False)."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.t) * self.rate)
        self.t = now
        if self.tokens >= n:
            self.tokens -= n
            return True
        return False


class AuthFailures:
    """Failed authentications per client address: *rate* per second and *burst* each, at most
    *addresses* addresses remembered (the least recently failing are forgotten first)."""

    def __init__(self, rate: float, burst: int, addresses: int = 10_000) -> None:
        self.rate, self.burst, self.addresses = rate, burst, addresses
        self._buckets: OrderedDict[str, Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def failed(self, address: str) -> bool:
        """A request from *address* failed to authenticate: True while it is within its burst."""
        with self._lock:
            bucket = self._buckets.pop(address, None) or Bucket(self.rate, self.burst)
            self._buckets[address] = bucket  # the most recent last
            while len(self._buckets) > self.addresses:
                self._buckets.popitem(last=False)
            return bucket.take()
