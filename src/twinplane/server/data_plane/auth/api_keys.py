"""API-key introspection cache.

Rules (security-notes, contracts §2):

* a positive answer is trusted for ``ttl`` seconds, a refusal for ``negative_ttl``;
  revocation therefore takes effect within ``ttl``;
* at most ONE upstream introspection per key at a time (single-flight): concurrent
  requests with the same key wait for the same answer;
* when the control plane cannot answer, a key validated less than ``grace`` seconds ago
  keeps working; a key never seen fails closed with 503 + Retry-After, never access;
* entries are keyed by HMAC-SHA-256 of the key, never the key itself; in memory, and in
  Redis too when configured (shared by replicas, only the fields authorization needs);
* after an outage answer, upstream is skipped for ``OUTAGE_BACKOFF_SECONDS`` except for one
  probe at a time (half-open), so recovery is noticed by the first request that asks;
* failed authentications cannot be amplified upstream: at most ``MAX_CONCURRENT_INTROSPECTIONS``
  introspections run at once, and a client address whose never-seen keys were refused too
  often this minute gets 429 for further never-seen keys (``FailureBudget``).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson

from twinplane.server.common.errors import RateLimited, Unavailable
from twinplane.server.data_plane.auth.failure_budget import FailureBudget
from twinplane.server.data_plane.control_client import ControlUnavailable

logger = logging.getLogger(__name__)

# What authorization needs from an introspection answer; nothing else is cached.
KEPT_FIELDS = ("org_id", "org_name", "user_id", "key_id", "role", "project_id", "read_only", "expires_at")
MAX_MEMORY_ENTRIES = 100_000
OUTAGE_BACKOFF_SECONDS = 2.0
MAX_CONCURRENT_INTROSPECTIONS = 8


@dataclass(slots=True)
class KeyAnswer:
    active: bool
    fields: dict[str, Any]
    checked_at: float  # wall clock of the last successful introspection


Introspect = Callable[[str], Awaitable[dict[str, Any]]]


class ApiKeyCache:
    def __init__(self, introspect: Introspect, *, secret: bytes, ttl: float, negative_ttl: float, grace: float,
                 redis: Any = None, redis_prefix: str = "twinplane:", clock: Callable[[], float] = time.time,
                 refused_per_client_minute: int = 0) -> None:
        self._introspect = introspect
        self._secret = secret
        self._ttl = ttl
        self._negative_ttl = negative_ttl
        self._grace = grace
        self._redis = redis
        self._prefix = redis_prefix + "auth:"
        self._clock = clock
        self._memory: OrderedDict[str, KeyAnswer] = OrderedDict()
        self._inflight: dict[str, asyncio.Task[KeyAnswer]] = {}
        self.upstream_calls = 0  # observable in tests and metrics
        self.upstream_unavailable = 0  # introspections that found the control plane unreachable
        self.grace_answers = 0  # stale validated answers served while it was
        # After an outage answer, skip upstream briefly so each request does not wait on a dead peer.
        self._down_until = 0.0
        self._probing = False
        self._upstream_slots = asyncio.Semaphore(MAX_CONCURRENT_INTROSPECTIONS)
        self._failures = FailureBudget(refused_per_client_minute)

    def digest(self, key: str) -> str:
        return hmac.new(self._secret, key.encode("utf-8"), hashlib.sha256).hexdigest()

    def _fresh(self, entry: KeyAnswer, now: float) -> bool:
        return now - entry.checked_at < (self._ttl if entry.active else self._negative_ttl)

    async def lookup(self, key: str, *, client: str | None = None) -> KeyAnswer:
        """The current answer for ``key``; raises ``Unavailable`` when it cannot be known, ``RateLimited``
        when ``client`` (its address) has spent its budget of refused never-seen keys."""
        h = self.digest(key)
        now = self._clock()
        entry = self._memory.get(h)
        if entry is not None and self._fresh(entry, now):
            self._memory.move_to_end(h)
            return entry
        shared = await self._redis_get(h)
        if shared is not None and (entry is None or shared.checked_at > entry.checked_at):
            entry = shared
            self._remember(h, entry)
            if self._fresh(entry, now):
                return entry
        unseen = entry is None and client is not None
        if unseen and self._failures.exhausted(client):  # type: ignore[arg-type]
            raise RateLimited("too many invalid API keys from this address; retry later",
                              retry_after=self._failures.retry_after())
        # Single-flight: the upstream call runs as its own task, so a waiter that goes away
        # (client disconnect) cancels only its own wait, never the shared answer.
        task = self._inflight.get(h)
        if task is None:
            task = asyncio.get_running_loop().create_task(self._refresh(key, h, entry))
            self._inflight[h] = task
            task.add_done_callback(functools.partial(self._done, h))
        answer = await asyncio.shield(task)
        if unseen and not answer.active:
            self._failures.charge(client)  # type: ignore[arg-type]
        return answer

    def _done(self, h: str, task: asyncio.Task[KeyAnswer]) -> None:
        if self._inflight.get(h) is task:
            del self._inflight[h]
        if not task.cancelled():
            task.exception()  # retrieved here so an answer nobody awaited is not logged as lost

    async def _refresh(self, key: str, h: str, stale: KeyAnswer | None) -> KeyAnswer:
        probe = False
        try:
            if self._clock() < self._down_until:
                # Half-open: one request at a time still asks, so the first one after the control
                # plane comes back succeeds; the others fail fast instead of waiting on a dead peer.
                if self._probing:
                    raise ControlUnavailable()
                self._probing = probe = True
            async with self._upstream_slots:
                self.upstream_calls += 1
                answer = await self._introspect(key)
            self._down_until = 0.0
        except ControlUnavailable:
            self.upstream_unavailable += 1
            now = self._clock()
            self._down_until = max(self._down_until, now + OUTAGE_BACKOFF_SECONDS)
            if stale is not None and stale.active and now - stale.checked_at < self._grace:
                logger.warning("control plane unreachable; serving a validated key from the grace window")
                self.grace_answers += 1
                return stale
            if stale is not None and not stale.active:
                return stale  # still refused; never turns into access
            raise Unavailable("cannot validate this API key right now: the control plane is unreachable",
                              retry_after=5) from None
        finally:
            if probe:
                self._probing = False
        active = answer.get("active") is True
        entry = KeyAnswer(active=active,
                          fields={k: answer.get(k) for k in KEPT_FIELDS} if active else {},
                          checked_at=self._clock())
        self._remember(h, entry)
        await self._redis_put(h, entry)
        return entry

    def _remember(self, h: str, entry: KeyAnswer) -> None:
        self._memory[h] = entry
        self._memory.move_to_end(h)
        while len(self._memory) > MAX_MEMORY_ENTRIES:
            self._memory.popitem(last=False)

    def forget(self, key: str) -> None:
        self._memory.pop(self.digest(key), None)

    async def _redis_get(self, h: str) -> KeyAnswer | None:
        if self._redis is None:
            return None
        try:
            raw = await self._redis.get(self._prefix + h)
        except Exception as err:  # noqa: BLE001 - Redis is an accelerator; memory still works
            logger.warning("auth cache: Redis read failed (%s)", type(err).__name__)
            return None
        if not raw:
            return None
        try:
            data = orjson.loads(raw)
            return KeyAnswer(active=bool(data["a"]), fields=dict(data["f"]), checked_at=float(data["t"]))
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            return None

    async def _redis_put(self, h: str, entry: KeyAnswer) -> None:
        if self._redis is None:
            return
        life = max(self._ttl, self._grace) if entry.active else self._negative_ttl
        raw = orjson.dumps({"a": entry.active, "f": entry.fields, "t": entry.checked_at})
        try:
            await self._redis.set(self._prefix + h, raw, ex=max(1, int(life + 1)))
        except Exception as err:  # noqa: BLE001
            logger.warning("auth cache: Redis write failed (%s)", type(err).__name__)
