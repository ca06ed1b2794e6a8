"""Projects, experiments and datasets: wire shapes, get-or-create semantics, names at the control plane."""

from __future__ import annotations

import uuid

from .rows import fetch_all, logs3, span

SCORE_KEYS = {"name", "score", "improvements", "regressions"}
METRIC_KEYS = {"name", "metric", "unit", "improvements", "regressions"}


async def _project(c, name: str | None = None) -> str:
    r = await c.post("/v1/project", json={"name": name or "p-" + uuid.uuid4().hex[:6], "org_name": "ignored"})
    assert r.status_code == 200, r.text
    return r.json()["id"]


async def test_project_get_or_create_registers_the_name_at_the_control_plane(plane) -> None:
    c = plane.client()
    a = await c.post("/v1/project", json={"name": "alpha", "org_name": "acme"})
    b = await c.post("/v1/project", json={"name": "alpha"})
    assert a.status_code == b.status_code == 200 and a.json()["id"] == b.json()["id"]
    assert {"id", "org_id", "name", "created"} <= set(a.json()) and a.json()["org_id"] == plane.org_id
    names = [p["name"] for p in plane.control_rt.store.list_projects(plane.org_id, 100, None)[0]]
    assert "alpha" in names
    g = await c.get(f"/v1/project/{a.json()['id']}")
    assert g.status_code == 200 and g.json()["name"] == "alpha"
    assert (await c.get(f"/v1/project/{uuid.uuid4()}")).status_code == 404


async def test_experiment_create_ensure_new_generated_name_and_default_base(plane) -> None:
    c = plane.client()
    pid = await _project(c)
    e1 = (await c.post("/v1/experiment", json={"project_id": pid, "name": "exp", "ensure_new": True,
                                               "description": "first", "metadata": {"m": 1}, "tags": ["x"],
                                               "repo_info": {"commit": "abc"}, "public": False})).json()
    assert e1["name"] == "exp" and e1["base_exp_id"] is None and e1["commit"] == "abc"
    e2 = (await c.post("/v1/experiment", json={"project_id": pid, "name": "exp", "ensure_new": True})).json()
    assert e2["name"] == "exp-1" and e2["id"] != e1["id"]
    assert e2["base_exp_id"] == e1["id"]  # the most recent earlier experiment
    same = (await c.post("/v1/experiment", json={"project_id": pid, "name": "exp", "ensure_new": False})).json()
    assert same["id"] == e1["id"] and same["description"] == "first"
    gen = await c.post("/v1/experiment", json={"project_id": pid})
    assert gen.status_code == 200 and gen.json()["name"]
    # the control plane holds the name, not the description or metadata
    obj = plane.control_rt.objects.get(plane.org_id, e1["id"])
    assert obj["name"] == "exp" and "first" not in str(obj)
    got = (await c.get(f"/v1/experiment/{e1['id']}")).json()
    assert got["metadata"] == {"m": 1} and got["tags"] == ["x"] and got["repo_info"] == {"commit": "abc"}
    listed = (await c.get("/v1/experiment", params={"experiment_name": "exp", "project_id": pid})).json()
    assert [o["id"] for o in listed["objects"]] == [e1["id"]]
    by_pname = (await c.get("/v1/experiment", params={"project_id": pid})).json()["objects"]
    assert {o["id"] for o in by_pname} == {e1["id"], e2["id"], gen.json()["id"]}
    base = await c.post("/api/base_experiment/get_id", json={"id": e2["id"]})
    assert base.json() == {"base_exp_id": e1["id"], "base_exp_name": "exp"}
    assert (await c.post("/api/base_experiment/get_id", json={"id": e1["id"]})).status_code == 400


async def _eval(c, eid: str, cases: dict[str, float], duration: float = 1.0) -> None:
    rows = []
    for inp, score in cases.items():
        root = span({"experiment_id": eid}, input=inp, span_attributes={"name": "eval", "type": "eval"},
                    metrics={"start": 100.0, "end": 100.0 + duration, "prompt_tokens": 10})
        scorer = span({"experiment_id": eid}, root=root["root_span_id"], parent=root["span_id"],
                      scores={"Levenshtein": score},
                      span_attributes={"name": "Levenshtein", "type": "score", "purpose": "scorer"})
        rows += [root, scorer]
    r = await logs3(c, rows)
    assert r.status_code == 200, r.text


async def test_summarize_strict_shape_with_comparison(plane) -> None:
    c = plane.client()
    pid = await _project(c)
    e1 = (await c.post("/v1/experiment", json={"project_id": pid, "name": "base"})).json()["id"]
    await _eval(c, e1, {"a": 0.5, "b": 1.0, "c": 0.2}, duration=2.0)
    e2 = (await c.post("/v1/experiment", json={"project_id": pid, "name": "new"})).json()["id"]
    await _eval(c, e2, {"a": 1.0, "b": 0.5, "c": 0.2}, duration=1.0)
    r = await c.get(f"/v1/experiment/{e2}/summarize", params={"summarize_scores": "true"})
    assert r.status_code == 200, r.text
    s = r.json()
    assert s["comparison_experiment_name"] == "base" and s["experiment_name"] == "new"
    lev = s["scores"]["Levenshtein"]
    assert set(lev) == SCORE_KEYS | {"diff"}
    assert abs(lev["score"] - (1.7 / 3)) < 1e-9 and abs(lev["diff"]) < 1e-9
    assert (lev["improvements"], lev["regressions"]) == (1, 1)
    dur = s["metrics"]["duration"]
    assert set(dur) == METRIC_KEYS | {"diff"} and dur["unit"] == "s" and abs(dur["metric"] - 1.0) < 1e-6
    assert dur["improvements"] == 3
    for item in s["metrics"].values():
        assert set(item) <= METRIC_KEYS | {"diff"}
    # explicit comparison id and none at all
    r = await c.get(f"/v1/experiment/{e1}/summarize", params={"summarize_scores": "true",
                                                               "comparison_experiment_id": e2})
    assert r.json()["comparison_experiment_name"] == "new"
    r = await c.get(f"/v1/experiment/{e1}/summarize", params={"summarize_scores": "true"})
    assert r.json()["comparison_experiment_name"] is None
    assert set(r.json()["scores"]["Levenshtein"]) == SCORE_KEYS
    cmp = (await c.get(f"/v1/experiment/{e2}/compare", params={"with": e1})).json()
    assert len(cmp["cases"]) == 3 and cmp["scores"] == ["Levenshtein"]
    case_a = next(x for x in cmp["cases"] if x["input"] == "a")
    assert set(case_a["rows"]) == {e1, e2} and abs(case_a["diffs"]["Levenshtein"] - 0.5) < 1e-9


async def test_dataset_get_or_create_fetch_version_and_summary(plane) -> None:
    c = plane.client()
    pid = await _project(c)
    d1 = await c.post("/v1/dataset", json={"project_id": pid, "name": "ds", "description": "d", "metadata": {"k": 1}})
    d2 = await c.post("/v1/dataset", json={"project_id": pid, "name": "ds"})
    assert d1.status_code == d2.status_code == 200 and d1.json()["id"] == d2.json()["id"]
    did = d1.json()["id"]
    assert d2.json()["description"] == "d"
    assert (await c.get(f"/v1/dataset/{did}")).json()["name"] == "ds"
    r = await c.post(f"/v1/dataset/{did}/insert", json={"events": [{"id": "r1", "input": 1, "expected": 2},
                                                                    {"input": 3}]})
    assert r.status_code == 200 and len(r.json()["row_ids"]) == 2 and r.json()["row_ids"][0] == "r1"
    s = (await c.get(f"/v1/dataset/{did}/summarize", params={"summarize_data": "true"})).json()
    assert s["data_summary"] == {"total_records": 2}
    events = await fetch_all(c, f"/v1/dataset/{did}/fetch")
    assert all(isinstance(e["_xact_id"], str) and len(e["_xact_id"]) == 19 for e in events)
    assert {e["dataset_id"] for e in events} == {did}
    versions = (await c.get(f"/v1/dataset/{did}/versions")).json()["versions"]
    assert versions and isinstance(versions[0]["_xact_id"], str)
    listed = (await c.get("/v1/dataset", params={"project_id": pid})).json()["objects"]
    assert [o["id"] for o in listed] == [did] and listed[0]["metadata"] == {"k": 1}


async def test_fetch_pages_with_a_cursor_and_project_logs(plane) -> None:
    c = plane.client()
    pid = await _project(c)
    rows = [span({"project_id": pid, "log_id": "g"}, input=i) for i in range(25)]
    assert (await logs3(c, rows)).status_code == 200
    seen, cursor, pages = [], None, 0
    while True:
        r = await c.post(f"/v1/project_logs/{pid}/fetch", json={"limit": 10, **({"cursor": cursor} if cursor else {})})
        page = r.json()
        seen += [e["id"] for e in page["events"]]
        pages += 1
        cursor = page["cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(r["id"] for r in rows) and pages >= 3
    ins = await c.post(f"/v1/project_logs/{pid}/insert", json={"events": [{"input": "x"}]})
    assert ins.status_code == 200
    bad = await c.post(f"/v1/project_logs/{pid}/insert", json={"events": [{"input": "x", "experiment_id": "e"}]})
    assert bad.status_code == 400 and "event 0" in bad.json()["error"]["message"]


async def test_lists_for_an_unknown_project_name_are_empty(plane) -> None:
    c = plane.client()
    for path, key in (("/v1/experiment", "experiment_name"), ("/v1/dataset", "dataset_name")):
        r = await c.get(path, params={key: "x", "project_name": "no-such-project", "org_name": "acme"})
        assert r.status_code == 200 and r.json() == {"objects": []}


async def test_the_project_list_follows_the_control_planes_cursor(plane, monkeypatch) -> None:
    import twinplane.server.data_plane.control_client as control_client

    monkeypatch.setattr(control_client, "PROJECT_PAGE", 2)  # five projects: three pages
    c = plane.client()
    ids = {await _project(c, f"page-{i}") for i in range(5)}
    control = plane.app.state.runtime.control
    real, pages = control._call, []

    async def counting(method, path, **kw):
        if path == "/projects" and method == "GET":
            pages.append(kw.get("params"))
        return await real(method, path, **kw)

    monkeypatch.setattr(control, "_call", counting)
    r = await c.get("/v1/project")
    assert r.status_code == 200
    assert ids <= {p["id"] for p in r.json()["objects"]}
    assert len(pages) == 3 and pages[1]["cursor"]
