"""Rate limits at the gateway: token buckets per principal, per client address, and for failed authentications
per client address. Each gateway replica limits on its own (in memory); idle buckets are forgotten, and at most
`max_keys` are kept, so an attacker rotating addresses cannot grow memory without bound."""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Bucket:
    tokens: float
    at: float


class RateLimiter:
    """`rate` requests per second with bursts of `burst`; a rate of 0 turns the limit off."""

    def __init__(self, rate: float, burst: int, *, max_keys: int = 100_000,
                 clock: Callable[[], float] = time.monotonic):
        self.rate = rate
        self.burst = max(burst, 1)
        self.max_keys = max_keys
        self.clock = clock
        self.buckets: OrderedDict[str, Bucket] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def take(self, key: str) -> float:
        """Spend one token for `key`: 0 when allowed, else the seconds until one is available."""
        if not self.enabled:
            return 0.0
        now = self.clock()
        bucket = self.buckets.pop(key, None)
        if bucket is None:
            bucket = Bucket(float(self.burst), now)
        else:
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
        self.buckets[key] = bucket  # most recently used last
        self._forget_idle(now)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate

    def _forget_idle(self, now: float) -> None:
        """Drop buckets that have refilled completely (they hold no state worth keeping) and the oldest beyond
        `max_keys`."""
        full_after = self.burst / self.rate
        while self.buckets:
            key, oldest = next(iter(self.buckets.items()))
            if len(self.buckets) > self.max_keys or now - oldest.at >= full_after:
                del self.buckets[key]
            else:
                break


def retry_after(seconds: float) -> str:
    """The `Retry-After` header value: whole seconds, at least 1."""
    return str(max(1, math.ceil(seconds)))


def client_address(peer: str | None, forwarded_for: str | None, trusted_proxies: int) -> str:
    """The caller's address: the socket peer, or with `trusted_proxies` = N the address N hops back in
    `X-Forwarded-For` (each trusted proxy appends the address it saw)."""
    if trusted_proxies > 0 and forwarded_for:
        hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
        if len(hops) >= trusted_proxies:
            return hops[-trusted_proxies]
    return peer or "-"
