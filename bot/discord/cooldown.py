"""Per-user rate limit: at most `rate` questions in any `per`-second window."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Hashable


class Cooldowns:
    def __init__(self, rate: int, per: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.per = per
        self._clock = clock
        self._hits: dict[Hashable, deque[float]] = {}

    def hit(self, key: Hashable) -> float:
        """Count one use by `key`: 0.0 when allowed, else the seconds until it would be."""
        if self.per <= 0:
            return 0.0
        now = self._clock()
        window = self._hits.setdefault(key, deque())
        while window and window[0] <= now - self.per:
            window.popleft()
        if len(window) >= self.rate:
            return window[0] + self.per - now
        window.append(now)
        if len(self._hits) > 10_000:  # forget idle users so the table cannot grow without bound
            self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > now - self.per}
        return 0.0
