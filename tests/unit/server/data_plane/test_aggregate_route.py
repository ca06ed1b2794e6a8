"""``POST /v1/aggregate`` end to end on both engines: the one spec, as the UI sends it."""

from __future__ import annotations

import orjson

from data_plane.rows import logs3, span
from data_plane.test_tenancy import _exp


async def test_the_uis_aggregates_run_on_both_engines(dplane) -> None:
    c = dplane.client()
    _, eid = await _exp(c, "agg")
    roots = [span({"experiment_id": eid}, input=f"q{i}", scores={"Exact Match": i / 2},
                  metrics={"tokens": 10, "start": 100.0, "end": 101.5}) for i in range(3)]
    assert (await logs3(c, roots)).status_code == 200
    ids = ", ".join(f"'{r['root_span_id']}'" for r in roots[:2])
    # rootEnrich.ts: per trace, unquoted score names, aliases
    r = await c.post("/v1/aggregate", json={
        "object_type": "experiment", "object_id": eid, "filter": f"root_span_id IN ({ids})",
        "group_by": ["root_span_id"],
        "measures": [{"fn": "mean", "field": "scores.Exact Match", "alias": "s0"},
                     {"fn": "sum", "field": "metrics.tokens", "alias": "tok"}, {"fn": "count", "alias": "n"}]})
    assert r.status_code == 200, r.text
    by = {d["root_span_id"]: d for d in r.json()["data"]}
    assert set(by) == {roots[0]["root_span_id"], roots[1]["root_span_id"]}
    assert by[roots[1]["root_span_id"]] == {"root_span_id": roots[1]["root_span_id"], "s0": 0.5, "tok": 10.0, "n": 1}
    # Logs.tsx: a time bucket under created_bucket; no measures means count
    r = await c.post("/v1/aggregate", json={"object_type": "experiment", "object_id": eid,
                                            "group_by": [{"bucket": "created", "interval": "1h"}]})
    assert r.status_code == 200, r.text
    (row,) = r.json()["data"]
    assert row["count"] == 3 and row["created_bucket"].endswith(("Z", "+00:00"))
    r = await c.post("/v1/aggregate", json={"object_type": "experiment", "object_id": eid,
                                            "measures": [{"fn": "p50", "field": "metrics.duration"}]})
    assert r.status_code == 200 and r.json()["data"][0]["p50(metrics.duration)"] == 1.5


async def test_what_the_store_cannot_run_is_a_clear_400(dplane) -> None:
    c = dplane.client()
    _, eid = await _exp(c, "agg-bad")
    obj = {"object_type": "experiment", "object_id": eid}
    for payload, needle in [
        ({**obj, "measures": [{"fn": "median", "field": "scores.x"}]}, "expected count, sum, mean"),
        ({**obj, "group_by": ["tags"]}, "cannot group by tags"),
        ({**obj, "measures": [{"fn": "mean", "field": "id"}]}, "needs a numeric field"),
        ({**obj, "group_by": [{"bucket": "start", "interval": "1h"}]}, None),
        ({**obj, "object_ids": [eid]}, "exactly one of object_id or object_ids"),
        ({**obj, "unknown": 1}, "unknown key"),
    ]:
        r = await c.post("/v1/aggregate", content=orjson.dumps(payload))
        assert r.status_code == 400, (payload, r.text)
        assert needle is None or needle in r.json()["error"]["message"], r.text
    other = await c.post("/v1/aggregate", json={"object_type": "experiment", "object_id": "nope"})
    assert other.status_code == 404
