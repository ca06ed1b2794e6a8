"""Rate limits per key and per org: 429 + Retry-After, checked before anything is written."""

from __future__ import annotations

import pytest

from .rows import fetch_all, logs3, span


@pytest.fixture
def data_overrides() -> dict:
    return {"rate_limit_key": "4/minute", "rate_limit_org": "7/minute"}


async def test_key_limit_429_with_retry_after_and_nothing_written(plane) -> None:
    c = plane.client()
    pid = (await c.post("/v1/project", json={"name": "rl"})).json()["id"]  # 1
    eid = (await c.post("/v1/experiment", json={"project_id": pid, "name": "e"})).json()["id"]  # 2
    assert (await logs3(c, [span({"experiment_id": eid})])).status_code == 200  # 3
    assert (await c.get(f"/v1/experiment/{eid}")).status_code == 200  # 4
    r = await logs3(c, [span({"experiment_id": eid}, input="late")])
    assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    # another key of the same org has its own budget, until the org budget runs out
    other = plane.client(plane.new_key())
    rows = await fetch_all(other, f"/v1/experiment/{eid}/fetch")  # org: 6
    assert [r.get("input") for r in rows] == [None]
    assert (await other.get(f"/v1/experiment/{eid}")).status_code == 200  # org: 7
    r = await other.get(f"/v1/experiment/{eid}")
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1


@pytest.mark.redis
async def test_redis_storage_shares_counters(tmp_path, redis_url) -> None:
    import os

    from twinplane.server.common.errors import RateLimited
    from twinplane.server.data_plane.auth.principal import Principal
    from twinplane.server.data_plane.ratelimit import RateLimiter

    prefix = os.environ["TWINPLANE_TEST_REDIS_PREFIX"]
    a = RateLimiter("100/minute", "2/minute", redis_url=redis_url, prefix=prefix)
    b = RateLimiter("100/minute", "2/minute", redis_url=redis_url, prefix=prefix)
    p = Principal(kind="api_key", org_id="o", org_name="o", user_id="u", role="editor", key_id="k")
    await a.check(p)
    await b.check(p)
    with pytest.raises(RateLimited) as err:
        await a.check(p)
    assert int(err.value.headers["Retry-After"]) >= 1


async def test_a_dead_redis_fails_open() -> None:
    from twinplane.server.data_plane.auth.principal import Principal
    from twinplane.server.data_plane.ratelimit import RateLimiter

    # nothing listens on port 1: every counter call fails, requests still pass
    r = RateLimiter("1/minute", "1/minute", redis_url="redis://127.0.0.1:1/0")
    p = Principal(kind="api_key", org_id="o", org_name="o", user_id="u", role="editor", key_id="k")
    for _ in range(3):
        await r.check(p)
