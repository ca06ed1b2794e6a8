"""The API-key introspection cache: TTL, negative cache, single-flight, grace window, fail closed.

The upstream here is a small in-test double of the control plane's introspect call (the
only place a double is used): these behaviours are about timing and outages, which the
double makes deterministic. The end-to-end tests run the real control plane.
"""

from __future__ import annotations

import asyncio

import pytest

from twinplane.server.common.errors import Unavailable
from twinplane.server.data_plane.auth.api_keys import ApiKeyCache
from twinplane.server.data_plane.control_client import ControlUnavailable

GOOD = "tpk_aaaaaaaaaaaa_" + "x" * 43
BAD = "tpk_bbbbbbbbbbbb_" + "y" * 43


class Clock:
    def __init__(self) -> None:
        self.t = 1_000_000.0

    def __call__(self) -> float:
        return self.t


class Upstream:
    """Introspect double: answers active for GOOD, inactive otherwise; can be taken down or slowed."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.down = False
        self.revoked: set[str] = set()
        self.delay = 0.0

    async def __call__(self, token: str) -> dict:
        self.calls.append(token)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.down:
            raise ControlUnavailable()
        if token == GOOD and token not in self.revoked:
            return {"active": True, "org_id": "org1", "org_name": "acme", "user_id": "u1", "key_id": "k1",
                    "role": "editor", "project_id": None, "read_only": False, "expires_at": None, "extra": "x"}
        return {"active": False}


def make(upstream: Upstream, clock: Clock, **kw) -> ApiKeyCache:
    opts = {"ttl": 60.0, "negative_ttl": 10.0, "grace": 900.0, **kw}
    return ApiKeyCache(upstream, secret=b"s" * 32, clock=clock, **opts)


async def test_positive_answers_are_cached_for_the_ttl_and_revocation_lands_after_it() -> None:
    up, clock = Upstream(), Clock()
    cache = make(up, clock)
    assert (await cache.lookup(GOOD)).active
    assert (await cache.lookup(GOOD)).active
    assert len(up.calls) == 1
    up.revoked.add(GOOD)
    clock.t += 59
    assert (await cache.lookup(GOOD)).active  # still within the TTL
    clock.t += 2
    assert not (await cache.lookup(GOOD)).active  # revocation effective after the TTL
    assert len(up.calls) == 2


async def test_only_needed_fields_are_kept() -> None:
    up, clock = Upstream(), Clock()
    cache = make(up, clock)
    entry = await cache.lookup(GOOD)
    assert "extra" not in entry.fields and entry.fields["org_id"] == "org1"


async def test_refusals_are_cached_for_the_negative_ttl() -> None:
    up, clock = Upstream(), Clock()
    cache = make(up, clock)
    for _ in range(5):
        assert not (await cache.lookup(BAD)).active
    assert len(up.calls) == 1
    clock.t += 11
    assert not (await cache.lookup(BAD)).active
    assert len(up.calls) == 2


async def test_single_flight_one_upstream_call_for_concurrent_requests() -> None:
    up, clock = Upstream(), Clock()
    up.delay = 0.05
    cache = make(up, clock)
    results = await asyncio.gather(*(cache.lookup(GOOD) for _ in range(50)))
    assert all(r.active for r in results)
    assert up.calls == [GOOD]


async def test_single_flight_shares_the_outage_error_too() -> None:
    up, clock = Upstream(), Clock()
    up.delay, up.down = 0.05, True
    cache = make(up, clock)
    results = await asyncio.gather(*(cache.lookup(GOOD) for _ in range(10)), return_exceptions=True)
    assert all(isinstance(r, Unavailable) for r in results)
    assert len(up.calls) == 1


async def test_grace_window_serves_validated_keys_during_an_outage() -> None:
    up, clock = Upstream(), Clock()
    cache = make(up, clock, grace=300.0)
    assert (await cache.lookup(GOOD)).active
    up.down = True
    clock.t += 120  # past the TTL, inside the grace window
    assert (await cache.lookup(GOOD)).active
    clock.t += 200  # 320 s after the last validation: past the grace window
    with pytest.raises(Unavailable) as err:
        await cache.lookup(GOOD)
    assert err.value.status == 503 and int(err.value.headers["Retry-After"]) >= 1


async def test_unseen_keys_fail_closed_with_503_when_the_control_plane_is_down() -> None:
    up, clock = Upstream(), Clock()
    up.down = True
    cache = make(up, clock)
    with pytest.raises(Unavailable) as err:
        await cache.lookup(GOOD)
    assert err.value.status == 503 and "Retry-After" in err.value.headers
    # when it is back (and the short outage back-off has passed), the key is validated
    up.down = False
    clock.t += 3
    assert (await cache.lookup(GOOD)).active


async def test_refused_keys_stay_refused_during_an_outage() -> None:
    up, clock = Upstream(), Clock()
    cache = make(up, clock)
    assert not (await cache.lookup(BAD)).active
    up.down = True
    clock.t += 30
    assert not (await cache.lookup(BAD)).active


async def test_memory_holds_digests_never_keys() -> None:
    up, clock = Upstream(), Clock()
    cache = make(up, clock)
    await cache.lookup(GOOD)
    assert GOOD not in repr(cache._memory) and cache.digest(GOOD) in cache._memory


@pytest.mark.redis
async def test_redis_shares_answers_between_replicas_keyed_by_hmac(redis_url: str) -> None:
    import os

    import redis.asyncio as aioredis

    prefix = os.environ["TWINPLANE_TEST_REDIS_PREFIX"]
    r1, r2 = aioredis.Redis.from_url(redis_url), aioredis.Redis.from_url(redis_url)
    try:
        up, clock = Upstream(), Clock()
        a = make(up, clock, redis=r1, redis_prefix=prefix)
        b = make(up, clock, redis=r2, redis_prefix=prefix)
        assert (await a.lookup(GOOD)).active
        assert (await b.lookup(GOOD)).active
        assert len(up.calls) == 1  # the second replica used the shared answer
        keys = [k.decode() async for k in r1.scan_iter(match=prefix + "*")]
        assert keys == [prefix + "auth:" + a.digest(GOOD)]
        raw = await r1.get(keys[0])
        assert GOOD.encode() not in raw
    finally:
        await r1.aclose()
        await r2.aclose()


async def test_a_cancelled_waiter_does_not_break_the_shared_lookup() -> None:
    up, clock = Upstream(), Clock()
    up.delay = 0.05
    cache = make(up, clock)
    first = asyncio.create_task(cache.lookup(GOOD))
    await asyncio.sleep(0.01)
    second = asyncio.create_task(cache.lookup(GOOD))
    await asyncio.sleep(0)
    first.cancel()
    assert (await second).active
    assert len(up.calls) == 1


async def test_at_most_eight_introspections_run_at_once() -> None:
    import twinplane.server.data_plane.auth.api_keys as api_keys

    running = peak = 0

    async def slow(token: str) -> dict:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.01)
        running -= 1
        return {"active": False}

    cache = ApiKeyCache(slow, secret=b"s" * 32, ttl=60, negative_ttl=10, grace=900)
    await asyncio.gather(*(cache.lookup(f"tpk_{i:012d}_x") for i in range(40)))
    assert peak == api_keys.MAX_CONCURRENT_INTROSPECTIONS


async def test_a_client_spraying_unknown_keys_is_throttled_without_upstream_calls() -> None:
    from twinplane.server.common.errors import RateLimited

    up, clock = Upstream(), Clock()
    cache = make(up, clock, refused_per_client_minute=3)
    for i in range(3):
        assert not (await cache.lookup(f"bad-{i}", client="10.0.0.9")).active
    with pytest.raises(RateLimited):
        await cache.lookup("bad-new", client="10.0.0.9")
    assert len(up.calls) == 3
    assert not (await cache.lookup("bad-0", client="10.0.0.9")).active  # cached answers still answer
    assert (await cache.lookup(GOOD, client="10.0.0.8")).active  # another address is not affected
    assert not (await cache.lookup("bad-x", client="10.0.0.8")).active


async def test_after_an_outage_one_probe_at_a_time_asks_so_recovery_is_immediate() -> None:
    up, clock = Upstream(), Clock()
    cache = make(up, clock)
    up.down = True
    with pytest.raises(Unavailable):
        await cache.lookup(GOOD)
    up.down, up.delay = False, 0.05  # back, within the back-off window (the clock stands still)
    results = await asyncio.gather(*(cache.lookup(f"other-{i}") for i in range(5)), cache.lookup(GOOD),
                                   return_exceptions=True)
    assert len(up.calls) == 2  # the failed call, then ONE probe; the rest failed fast
    assert sum(isinstance(r, Unavailable) for r in results) == 5
    up.delay = 0
    assert (await cache.lookup(GOOD)).active  # the probe closed the breaker
