"""With TWINPLANE_REDIS_URL set, the auth cache and rate limits live in Redis (shared by replicas)."""

from __future__ import annotations

import os

import pytest

pytestmark = pytest.mark.redis


async def test_the_app_keeps_auth_answers_and_counters_in_redis(tmp_path, redis_url, control_app) -> None:
    import redis.asyncio as aioredis

    from .conftest import build_plane

    prefix = os.environ["TWINPLANE_TEST_REDIS_PREFIX"]
    # the field is read through its alias (TWINPLANE_REDIS_URL), also when passed as a keyword
    overrides = {"TWINPLANE_REDIS_URL": redis_url, "redis_prefix": prefix, "rate_limit_key": "3/minute"}
    async for p in build_plane(tmp_path, f"sqlite:///{tmp_path}/d.db", overrides, control_app):
        c = p.client()
        for _ in range(3):
            assert (await c.get("/v1/experiment")).status_code == 200
        r = await c.get("/v1/experiment")
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
        client = aioredis.Redis.from_url(redis_url)
        try:
            keys = [k.decode() async for k in client.scan_iter(match=prefix + "*")]
            auth = [k for k in keys if k.startswith(prefix + "auth:")]
            assert len(auth) == 1 and p.api_key not in auth[0]
            assert p.api_key.encode() not in await client.get(auth[0])
            assert any(k.startswith(prefix + "rl") for k in keys)
        finally:
            await client.aclose()
