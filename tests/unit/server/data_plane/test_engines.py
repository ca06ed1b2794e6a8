"""The SDK flows end to end on both store engines (SQLite and PostgreSQL), the control plane in process."""

from __future__ import annotations

from .rows import fetch_all, logs3, span

SCORE_KEYS = {"name", "score", "improvements", "regressions"}


async def test_eval_dataset_and_prompt_flows(dplane) -> None:
    c = dplane.client()
    pid = (await c.post("/v1/project", json={"name": "flows"})).json()["id"]
    # dataset: insert, update (merge), delete, fetch, version, summary
    did = (await c.post("/v1/dataset", json={"project_id": pid, "name": "ds"})).json()["id"]
    ins = [{"id": f"row-{x}", "dataset_id": did, "input": x, "expected": x.upper(), "tags": None,
            "created": "2026-11-27T00:00:00+00:00"} for x in "abc"]
    assert (await logs3(c, ins)).status_code == 200
    v1 = max(r["_xact_id"] for r in await fetch_all(c, f"/v1/dataset/{did}/fetch"))
    assert (await logs3(c, [{"id": "row-b", "dataset_id": did, "metadata": {"updated": True}, "_is_merge": True},
                            {"id": "row-c", "dataset_id": did, "_object_delete": True}])).status_code == 200
    rows = {r["id"]: r for r in await fetch_all(c, f"/v1/dataset/{did}/fetch")}
    assert set(rows) == {"row-a", "row-b"} and rows["row-b"]["metadata"] == {"updated": True}
    assert rows["row-b"]["input"] == "b"
    assert len(await fetch_all(c, f"/v1/dataset/{did}/fetch", version=v1)) == 3
    s = (await c.get(f"/v1/dataset/{did}/summarize", params={"summarize_data": "true"})).json()
    assert s["data_summary"] == {"total_records": 2}
    # eval: two experiments, scores on scorer spans, summary with comparison
    exps = []
    for name, vals in (("e1", {"a": 0.0, "b": 1.0}), ("e2", {"a": 1.0, "b": 1.0})):
        eid = (await c.post("/v1/experiment", json={"project_id": pid, "name": name, "ensure_new": True,
                                                    "dataset_id": did, "dataset_version": v1})).json()["id"]
        batch = []
        for inp, score in vals.items():
            root = span({"experiment_id": eid}, input=inp, metrics={"start": 1.0},
                        origin={"object_type": "dataset", "object_id": did, "id": f"row-{inp}", "_xact_id": v1})
            batch += [root, span({"experiment_id": eid}, root=root["root_span_id"], parent=root["span_id"],
                                 scores={"Levenshtein": score}, span_attributes={"type": "score", "purpose": "scorer"})]
            batch.append({"id": root["id"], "experiment_id": eid, "_is_merge": True, "output": inp,
                          "metrics": {"end": 1.5}})
        assert (await logs3(c, batch[:4])).status_code == 200
        assert (await logs3(c, batch[4:])).status_code == 200
        exps.append(eid)
    summary = (await c.get(f"/v1/experiment/{exps[1]}/summarize", params={"summarize_scores": "true"})).json()
    lev = summary["scores"]["Levenshtein"]
    assert summary["comparison_experiment_name"] == "e1"
    assert set(lev) == SCORE_KEYS | {"diff"} and lev["score"] == 1.0 and abs(lev["diff"] - 0.5) < 1e-9
    assert (lev["improvements"], lev["regressions"]) == (1, 0)
    assert abs(summary["metrics"]["duration"]["metric"] - 0.5) < 1e-9
    events = await fetch_all(c, f"/v1/experiment/{exps[1]}/fetch")
    assert len(events) == 4 and all(isinstance(e["_xact_id"], str) for e in events)
    # prompt: two versions, load by slug and by version
    p1 = (await c.post("/v1/prompt", json={"project_id": pid, "slug": "s", "name": "S",
                                           "prompt_data": {"prompt": {"type": "completion", "content": "v1"}}})).json()
    p2 = (await c.post("/v1/prompt", json={"project_id": pid, "slug": "s", "name": "S",
                                           "prompt_data": {"prompt": {"type": "completion", "content": "v2"}}})).json()
    got = (await c.get("/v1/prompt", params={"project_name": "flows", "slug": "s"})).json()["objects"]
    assert len(got) == 1 and got[0]["prompt_data"]["prompt"]["content"] == "v2" and got[0]["_xact_id"] == p2["_xact_id"]
    old = (await c.get(f"/v1/prompt/{p1['id']}", params={"version": p1["_xact_id"]})).json()
    assert old["prompt_data"]["prompt"]["content"] == "v1"
