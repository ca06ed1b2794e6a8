"""Request rate limits per org and per credential (``limits``: sliding-window counters).

In memory by default; in Redis when ``TWINPLANE_REDIS_URL`` is set, so replicas share the
counters. Checked in the auth step, before a route reads or writes anything.
"""

from __future__ import annotations

import logging
import math
import time

from limits import parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter

from twinplane.server.common.errors import RateLimited
from twinplane.server.data_plane.auth.principal import Principal

logger = logging.getLogger(__name__)


class RateLimiter:
    def __init__(self, org_limit: str, key_limit: str, *, redis_url: str = "", prefix: str = "twinplane:") -> None:
        self._org = parse(org_limit)
        self._key = parse(key_limit)
        storage: Storage
        if redis_url:
            uri = redis_url.replace("redis://", "async+redis://", 1).replace("rediss://", "async+rediss://", 1)
            storage = RedisStorage(uri, implementation="redispy", key_prefix=prefix + "rl")
        else:
            storage = MemoryStorage()
        self._storage = storage
        self._limiter = SlidingWindowCounterRateLimiter(storage)
        self._last_warning = -1e9
        self.refused = {"org": 0, "key": 0}  # 429s by limit (metrics)
        self.storage_failures = 0

    async def check(self, principal: Principal) -> None:
        """Consume one request for the org and the credential; raise 429 when either is spent.

        If the shared counter store (Redis) fails, requests pass: limits protect capacity, and an
        outage of an accelerator must not stop ingest. The failure is logged (at most once a minute).
        """
        for scope, item, ident in (("org", self._org, "org:" + principal.org_id),
                                   ("key", self._key, principal.org_id + ":" + principal.limit_id)):
            try:
                allowed = await self._limiter.hit(item, ident)
                if not allowed:
                    stats = await self._limiter.get_window_stats(item, ident)
            except Exception as err:  # noqa: BLE001 - any storage failure: fail open, loudly
                self.storage_failures += 1
                now = time.monotonic()
                if now - self._last_warning > 60:
                    self._last_warning = now
                    logger.warning("rate-limit storage failed (%s); requests pass unlimited", type(err).__name__)
                return
            if not allowed:
                wait = max(1, math.ceil(stats.reset_time - time.time()))
                self.refused[scope] += 1
                raise RateLimited("rate limit exceeded; retry later", retry_after=wait)
