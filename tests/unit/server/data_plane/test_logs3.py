"""``/logs3``: raw-body ingest, merge and delete semantics, overflow round trip, and the limits."""

from __future__ import annotations

import uuid

import orjson
import pytest

from .rows import body, fetch_all, logs3, overflow, span


@pytest.fixture
def data_overrides() -> dict:
    return {"max_body_bytes": 200_000, "max_row_bytes": 20_000, "max_json_depth": 12,
            "logs3_payload_max_bytes": 50_000}


async def _experiment(c) -> tuple[str, str]:
    r = await c.post("/v1/project", json={"name": "p-" + uuid.uuid4().hex[:6]})
    assert r.status_code == 200, r.text
    pid = r.json()["id"]
    r = await c.post("/v1/experiment", json={"project_id": pid, "name": "e", "ensure_new": True})
    assert r.status_code == 200, r.text
    return pid, r.json()["id"]


async def test_version_advertises_the_payload_limit(plane) -> None:
    r = await plane.anonymous().get("/version")
    assert r.status_code == 200 and r.json()["logs3_payload_max_bytes"] == 50_000


async def test_ingest_without_content_type_then_merge_and_fetch(plane) -> None:
    c = plane.client()
    pid, eid = await _experiment(c)
    root = span({"experiment_id": eid}, input={"q": 1}, metadata={"a": 1, "n": {"x": 1}}, tags=["t1"])
    child = span({"experiment_id": eid}, root=root["root_span_id"], parent=root["span_id"], output="o")
    r = await logs3(c, [root, child])
    assert r.status_code == 200, r.text
    assert r.json()["row_ids"] == [root["id"], child["id"]]
    assert isinstance(r.json()["xact_id"], str) and len(r.json()["xact_id"]) == 19
    merge = {"id": root["id"], "experiment_id": eid, "_is_merge": True, "metadata": {"n": {"y": 2}},
             "tags": ["t2", "t1"], "output": "done"}
    assert (await logs3(c, [merge])).status_code == 200
    rows = {r["id"]: r for r in await fetch_all(c, f"/v1/experiment/{eid}/fetch")}
    got = rows[root["id"]]
    assert got["metadata"] == {"a": 1, "n": {"x": 1, "y": 2}}
    assert got["tags"] == ["t1", "t2"] and got["output"] == "done" and got["input"] == {"q": 1}
    assert isinstance(got["_xact_id"], str) and got["project_id"] == pid
    assert "_is_merge" not in got


async def test_dataset_delete_and_replace(plane) -> None:
    c = plane.client()
    pid = (await c.post("/v1/project", json={"name": "dsp"})).json()["id"]
    did = (await c.post("/v1/dataset", json={"project_id": pid, "name": "ds"})).json()["id"]
    rows = [{"id": f"r{i}", "dataset_id": did, "input": i, "expected": i * 2, "created": "2026-01-01T00:00:00Z"}
            for i in range(3)]
    assert (await logs3(c, rows)).status_code == 200
    first = await fetch_all(c, f"/v1/dataset/{did}/fetch")
    v1 = max(r["_xact_id"] for r in first)
    assert (await logs3(c, [{"id": "r1", "dataset_id": did, "_object_delete": True}])).status_code == 200
    assert (await logs3(c, [{"id": "r2", "dataset_id": did, "input": "new"}])).status_code == 200
    now = {r["id"]: r for r in await fetch_all(c, f"/v1/dataset/{did}/fetch")}
    assert set(now) == {"r0", "r2"} and now["r2"]["input"] == "new" and "expected" not in now["r2"]
    then = {r["id"] for r in await fetch_all(c, f"/v1/dataset/{did}/fetch", version=v1)}
    assert then == {"r0", "r1", "r2"}


async def test_overflow_round_trip(plane) -> None:
    c = plane.client()
    _, eid = await _experiment(c)
    rows = [span({"experiment_id": eid}, input="x" * 1000) for _ in range(60)]
    slot, reference = await overflow(plane, c, rows, {"experiment_id": eid})
    assert slot["method"] == "PUT" and slot["signedUrl"].startswith("http://dp.test/blobs/")
    r = await c.post("/logs3", content=reference)
    assert r.status_code == 200, r.text
    assert len(await fetch_all(c, f"/v1/experiment/{eid}/fetch")) == 60


async def test_overflow_upload_url_is_bound_to_its_size_and_signature(plane) -> None:
    c = plane.client()
    await _experiment(c)
    slot = (await c.post("/logs3/overflow", json={"size_bytes": 10, "rows": []})).json()
    anon = plane.anonymous()
    assert (await anon.put(slot["signedUrl"], content=b"x" * 11)).status_code == 413
    tampered = slot["signedUrl"][:-3] + ("aaa" if not slot["signedUrl"].endswith("aaa") else "bbb")
    assert (await anon.put(tampered, content=b"{}")).status_code == 401
    assert (await anon.get(slot["signedUrl"])).status_code == 401  # a put URL does not allow reads
    bad_ref = {"rows": {"type": "logs3_overflow", "key": "../../etc/passwd"}}
    assert (await c.post("/logs3", content=orjson.dumps(bad_ref))).status_code == 404


async def test_body_over_the_limit_is_413_by_content_length_and_while_streaming(plane) -> None:
    c = plane.client()
    _, eid = await _experiment(c)
    big = body([span({"experiment_id": eid}, input="x" * 15_000) for _ in range(15)])
    assert len(big) > 200_000
    r = await c.post("/logs3", content=big)
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"

    async def chunks():
        for i in range(0, len(big), 8192):
            yield big[i:i + 8192]

    r = await c.post("/logs3", content=chunks())  # no Content-Length: counted while streaming
    assert r.status_code == 413, r.text
    assert await fetch_all(c, f"/v1/experiment/{eid}/fetch") == []


async def test_bad_rows_refuse_the_whole_batch_naming_the_row(plane) -> None:
    c = plane.client()
    _, eid = await _experiment(c)
    good = span({"experiment_id": eid})
    deep: dict = {}
    node = deep
    for _ in range(20):
        node["k"] = {}
        node = node["k"]
    cases = [
        ([good, span({"experiment_id": eid}, metadata=deep)], 400, "row 1: field 'metadata.k"),
        ([good, span({"experiment_id": eid}, input="x" * 25_000)], 413, "row 1:"),
        ([good, {"id": "z", "input": 1}], 400, "row 1: each row must name exactly one object"),
        ([good, {"id": 5, "experiment_id": eid}], 400, "row 1: field 'id'"),
    ]
    for rows, status, msg in cases:
        r = await logs3(c, rows)
        assert r.status_code == status, r.text
        assert msg in r.json()["error"]["message"]
    raw = body([good]).replace(b'"span_id"', b'"span\\u0000id"')
    r = await c.post("/logs3", content=raw)
    assert r.status_code == 400 and "NUL" in r.json()["error"]["message"]
    assert (await c.post("/logs3", content=b'{"rows": [')).status_code == 400
    assert await fetch_all(c, f"/v1/experiment/{eid}/fetch") == []


async def test_rows_for_an_unknown_object_are_404_and_nothing_is_written(plane) -> None:
    c = plane.client()
    _, eid = await _experiment(c)
    r = await logs3(c, [span({"experiment_id": eid}), span({"experiment_id": str(uuid.uuid4())})])
    assert r.status_code == 404
    assert await fetch_all(c, f"/v1/experiment/{eid}/fetch") == []


async def test_v1_bodies_are_checked_for_depth_and_nul_keys(plane) -> None:
    c = plane.client()
    pid = (await c.post("/v1/project", json={"name": "depth"})).json()["id"]
    deep: dict = {}
    node = deep
    for _ in range(20):
        node["k"] = {}
        node = node["k"]
    r = await c.post("/v1/experiment", json={"project_id": pid, "metadata": deep})
    assert r.status_code == 400 and "nests deeper" in r.json()["error"]["message"]
    r = await c.post("/v1/experiment", content=b'{"project_id": "%s", "metadata": {"a\\u0000": 1}}' % pid.encode())
    assert r.status_code == 400 and "NUL" in r.json()["error"]["message"]
    eid = (await c.post("/v1/experiment", json={"project_id": pid})).json()["id"]
    r = await c.post(f"/v1/experiment/{eid}/insert", json={"events": [{"input": 1}, {"metadata": deep}]})
    assert r.status_code == 400
    assert await fetch_all(c, f"/v1/experiment/{eid}/fetch") == []
