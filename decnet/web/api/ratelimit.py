"""A sliding-window rate limiter keyed by client, held in process memory."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable


class SlidingWindowLimiter:
    """Allow at most `limit` hits per key within any `window_s` seconds.

    NOTE: counts live in one process; N API replicas allow N times the limit.
    """

    def __init__(
        self,
        limit: int,
        window_s: float,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}

    def hit(self, key: str) -> int | None:
        """Record one hit for `key`; return None when allowed, else seconds to wait."""
        now = self._clock()
        hits = self._hits.get(key)
        if hits is None:
            if len(self._hits) >= self._max_keys:
                self._evict(now)
            hits = self._hits[key] = deque()
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        if len(hits) >= self.limit:
            return max(1, math.ceil(hits[0] + self.window_s - now))
        hits.append(now)
        return None

    def reset(self, key: str) -> None:
        """Forget the hits of `key`."""
        self._hits.pop(key, None)

    def _evict(self, now: float) -> None:
        stale = [
            k for k, v in self._hits.items() if not v or v[-1] <= now - self.window_s
        ]
        for key in stale:
            del self._hits[key]
        if len(self._hits) >= self._max_keys:
            # Every key is active: drop the oldest half rather than grow unbounded.
            for key in list(self._hits)[: self._max_keys // 2]:
                del self._hits[key]
