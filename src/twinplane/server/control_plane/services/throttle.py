"""Sign-in throttling: failed attempts per account and per client address, per minute.

Only failures count, so a user who signs in correctly is never locked out by their own
successful attempts. Counters live in memory (moving window from ``limits``): a control
plane is one process; replicas would each allow the limit, which is still a tight bound.
"""

from __future__ import annotations

import time

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from twinplane.server.common.errors import RateLimited

__all__ = ["LoginThrottle"]


class LoginThrottle:
    def __init__(self, attempts_per_minute: int) -> None:
        self._item = RateLimitItemPerMinute(max(1, attempts_per_minute))
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def check(self, *keys: str) -> None:
        """Raise 429 when any of ``keys`` has used up its failed attempts."""
        for key in keys:
            if not self._limiter.test(self._item, key):
                reset, _remaining = self._limiter.get_window_stats(self._item, key)
                raise RateLimited("too many failed sign-in attempts; wait a minute and try again",
                                  retry_after=int(reset - time.time()) + 1)

    def failed(self, *keys: str) -> None:
        for key in keys:
            self._limiter.hit(self._item, key)
