"""Prompts (eight required keys, versions as transactions) and the SDK's /btql queries."""

from __future__ import annotations

import uuid

from .rows import logs3, span

PROMPT_KEYS = {"id", "project_id", "_xact_id", "name", "slug", "description", "prompt_data", "tags"}


def _btql(object_type: str, object_id: str, **query) -> dict:
    return {"query": {"select": [{"op": "star"}],
                      "from": {"op": "function", "name": {"op": "ident", "name": [object_type]},
                               "args": [{"op": "literal", "value": object_id}]}, **query},
            "use_columnstore": False, "brainstore_realtime": True, "query_source": "py_sdk_object_fetcher"}


async def test_prompt_versions_and_load_prompt_shape(plane) -> None:
    c = plane.client()
    pid = (await c.post("/v1/project", json={"name": "pp"})).json()["id"]
    data1 = {"prompt": {"type": "chat", "messages": [{"role": "system", "content": "You are {{who}}"}]},
             "options": {"model": "gpt-4o-mini", "params": {"temperature": 0}}}
    r1 = await c.post("/v1/prompt", json={"project_id": pid, "name": "My prompt", "slug": "my-prompt",
                                          "prompt_data": data1})
    assert r1.status_code == 200, r1.text
    p1 = r1.json()
    assert PROMPT_KEYS <= set(p1) and isinstance(p1["_xact_id"], str)
    data2 = {**data1, "options": {"model": "gpt-4o"}}
    p2 = (await c.post("/v1/prompt", json={"project_id": pid, "name": "My prompt", "slug": "my-prompt",
                                           "prompt_data": data2, "tags": ["v2"]})).json()
    assert p2["id"] == p1["id"] and p2["_xact_id"] > p1["_xact_id"]
    # what load_prompt sends
    r = await c.get("/v1/prompt", params={"project_name": "pp", "slug": "my-prompt"})
    objs = r.json()["objects"]
    assert r.status_code == 200 and len(objs) == 1 and PROMPT_KEYS <= set(objs[0])
    assert objs[0]["prompt_data"]["options"]["model"] == "gpt-4o" and objs[0]["_xact_id"] == p2["_xact_id"]
    old = (await c.get("/v1/prompt", params={"project_id": pid, "slug": "my-prompt",
                                             "version": p1["_xact_id"]})).json()["objects"]
    assert old[0]["prompt_data"] == data1 and old[0]["_xact_id"] == p1["_xact_id"]
    by_id = (await c.get(f"/v1/prompt/{p1['id']}", params={"version": p1["_xact_id"]})).json()
    assert PROMPT_KEYS <= set(by_id) and by_id["prompt_data"] == data1
    versions = (await c.get(f"/v1/prompt/{p1['id']}/versions")).json()["versions"]
    assert [v["_xact_id"] for v in versions] == [p1["_xact_id"], p2["_xact_id"]]
    # prompt text never reaches the control plane
    assert "You are" not in str(plane.control_rt.objects.get(plane.org_id, p1["id"]))
    # prompt version listing via BTQL audit_log
    q = _btql("project_prompts", pid, filter={"op": "eq", "left": {"op": "ident", "name": ["id"]},
                                                "right": {"op": "literal", "value": p1["id"]}})
    q["audit_log"] = True
    data = (await c.post("/btql", json=q)).json()["data"]
    assert {d["_xact_id"] for d in data} == {p1["_xact_id"], p2["_xact_id"]}
    assert all(d["audit_data"]["action"] in ("upsert", "merge") for d in data)
    none = await c.get("/v1/prompt", params={"project_id": pid, "slug": "nope"})
    assert none.status_code == 200 and none.json()["objects"] == []
    none = await c.get("/v1/prompt", params={"project_name": "no-such", "slug": "my-prompt"})
    assert none.status_code == 200 and none.json()["objects"] == []


async def test_btql_trace_filter_cursor_and_version(plane) -> None:
    c = plane.client()
    pid = (await c.post("/v1/project", json={"name": "bq"})).json()["id"]
    eid = (await c.post("/v1/experiment", json={"project_id": pid, "name": "e"})).json()["id"]
    root = span({"experiment_id": eid}, input="q")
    task = span({"experiment_id": eid}, root=root["root_span_id"], parent=root["span_id"],
                span_attributes={"name": "task", "type": "task"})
    scorer = span({"experiment_id": eid}, root=root["root_span_id"], parent=root["span_id"],
                  span_attributes={"name": "s", "type": "score", "purpose": "scorer"})
    other = span({"experiment_id": eid})
    first = (await logs3(c, [root, task, scorer, other])).json()["xact_id"]
    ident = {"op": "ident", "name": ["root_span_id"]}
    purpose = {"op": "ident", "name": ["span_attributes", "purpose"]}
    flt = {"op": "and", "children": [
        {"op": "eq", "left": ident, "right": {"op": "literal", "value": root["root_span_id"]}},
        {"op": "or", "children": [{"op": "isnull", "expr": purpose},
                                  {"op": "ne", "left": purpose, "right": {"op": "literal", "value": "scorer"}}]}]}
    r = await c.post("/btql", json=_btql("experiment", eid, filter=flt, limit=1000))
    assert r.status_code == 200, r.text
    assert {d["id"] for d in r.json()["data"]} == {root["id"], task["id"]}
    # paging
    seen, cursor = [], None
    while True:
        page = (await c.post("/btql", json=_btql("experiment", eid, limit=1, cursor=cursor))).json()
        seen += [d["id"] for d in page["data"]]
        cursor = page["cursor"]
        if not cursor:
            break
    assert len(seen) == 4 and len(set(seen)) == 4
    # version: a later write is not visible as of the first transaction
    assert (await logs3(c, [span({"experiment_id": eid})])).status_code == 200
    q = _btql("experiment", eid)
    q["version"] = first
    assert len((await c.post("/btql", json=q)).json()["data"]) == 4
    bad = await c.post("/btql", json={"query": {"select": [{"op": "star"}], "from": "experiment"}})
    assert bad.status_code == 400
    assert (await c.post("/btql", json=_btql("experiment", str(uuid.uuid4())))).status_code == 404


async def test_ui_query_aggregate_and_trace(plane) -> None:
    c = plane.client()
    pid = (await c.post("/v1/project", json={"name": "ui"})).json()["id"]
    rows = []
    for i in range(4):
        root = span({"project_id": pid, "log_id": "g"}, input=f"refund {i}" if i % 2 else f"hello {i}",
                    metadata={"model": "gpt-4o" if i % 2 else "mini"}, scores={"acc": i / 4})
        child = span({"project_id": pid, "log_id": "g"}, root=root["root_span_id"], parent=root["span_id"])
        rows += [root, child]
    assert (await logs3(c, rows)).status_code == 200
    await plane.store.wait_indexed() if hasattr(plane.store, "wait_indexed") else None
    q = await c.post("/v1/query", json={"object_type": "project_logs", "object_id": pid,
                                        "filter": "metadata.model = 'gpt-4o'", "roots_only": True})
    assert q.status_code == 200, q.text
    assert len(q.json()["data"]) == 2
    s = await c.post("/v1/query", json={"object_type": "project_logs", "object_id": pid, "search": "refund"})
    assert s.status_code == 200 and len(s.json()["data"]) == 2
    bad = await c.post("/v1/query", json={"object_type": "project_logs", "object_id": pid, "filter": "nope ="})
    assert bad.status_code == 400 and "position" in bad.json()["error"]["message"]
    a = await c.post("/v1/aggregate", json={"object_type": "project_logs", "object_id": pid,
                                            "measures": [{"fn": "count"}, {"fn": "mean", "field": "scores.acc"}]})
    assert a.status_code == 200, a.text
    assert a.json()["data"][0]["count"] == 8
    t = await c.get(f"/v1/project_logs/{pid}/trace/{rows[0]['root_span_id']}")
    assert t.status_code == 200 and {d["id"] for d in t.json()["data"]} == {rows[0]["id"], rows[1]["id"]}
