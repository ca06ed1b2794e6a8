"""``DELETE /v1/experiment/{id}`` and ``DELETE /v1/dataset/{id}``: the object's data purged, its name released."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from twinplane.server.common.errors import NotFound
from twinplane.server.data_plane.auth.principal import Principal
from twinplane.server.data_plane.control_client import ControlUnavailable
from twinplane.server.data_plane.services import catalog, objects
from twinplane.server.data_plane.store.base import ObjectRef, RowWrite

from .rows import fetch_all, logs3, span


async def _project(c) -> str:
    r = await c.post("/v1/project", json={"name": "p-" + uuid.uuid4().hex[:6]})
    assert r.status_code == 200, r.text
    return r.json()["id"]


async def _eval(c, eid: str, word: str, n: int = 3) -> None:
    rows = []
    for i in range(n):
        root = span({"experiment_id": eid}, input=f"{word} case {i}", output="out", scores={"Exact": i / n},
                    metrics={"start": 100.0, "end": 101.0, "prompt_tokens": 10})
        rows += [root, span({"experiment_id": eid}, root=root["root_span_id"], parent=root["span_id"],
                            scores={"Exact": 1.0})]
    r = await logs3(c, rows)
    assert r.status_code == 200, r.text


async def test_delete_experiment_purges_its_data_and_releases_its_name(dplane) -> None:
    c = dplane.client()
    pid = await _project(c)
    gone = (await c.post("/v1/experiment", json={"project_id": pid, "name": "exp"})).json()
    kept = (await c.post("/v1/experiment", json={"project_id": pid, "name": "other"})).json()
    word = "zq" + uuid.uuid4().hex[:8]
    await _eval(c, gone["id"], word)
    await _eval(c, kept["id"], word)
    await dplane.store.wait_indexed()
    assert kept["base_exp_id"] == gone["id"]

    r = await c.delete(f"/v1/experiment/{gone['id']}")
    assert r.status_code == 200, r.text
    assert r.json()["id"] == gone["id"] and r.json()["name"] == "exp" and r.json()["deleted_at"]

    assert (await c.get(f"/v1/experiment/{gone['id']}")).status_code == 404
    assert (await c.post(f"/v1/experiment/{gone['id']}/fetch", json={})).status_code == 404
    late = await logs3(c, [span({"experiment_id": gone["id"]}, input="late")])
    assert late.status_code == 404, late.text
    listed = (await c.get("/v1/experiment", params={"project_id": pid})).json()["objects"]
    assert [o["id"] for o in listed] == [kept["id"]]
    ref = ObjectRef("experiment", gone["id"])
    assert await dplane.store.count_rows(dplane.org_id, ref) == 0
    assert await dplane.store.summary_stats(dplane.org_id, ref, None) == []
    # the other experiment is whole, its search still finds its own rows and nothing of the deleted one
    assert len(await fetch_all(c, f"/v1/experiment/{kept['id']}/fetch")) == 6
    hits = await c.post("/btql", json={"query": {
        "select": [{"op": "star"}], "from": {"op": "function", "name": {"op": "ident", "name": ["experiment"]},
                                              "args": [{"op": "literal", "value": kept["id"]}]},
        "filter": {"op": "match", "left": {"op": "ident", "name": ["input"]}, "right": {"op": "literal", "value": word}},
        "limit": 100}})
    assert hits.status_code == 200, hits.text
    assert len(hits.json()["data"]) == 3
    # its summary falls back past the deleted base
    s = await c.get(f"/v1/experiment/{kept['id']}/summarize", params={"summarize_scores": "true"})
    assert s.status_code == 200 and s.json().get("comparison_experiment_name") is None
    # the name is free again at the control plane: a new experiment of that name is a new, empty one
    assert all(o["id"] != gone["id"] for o in
               dplane.control_rt.objects.list(dplane.org_id, 100, None, project_id=pid)[0])
    again = (await c.post("/v1/experiment", json={"project_id": pid, "name": "exp", "ensure_new": False})).json()
    assert again["name"] == "exp" and again["id"] != gone["id"]
    assert await fetch_all(c, f"/v1/experiment/{again['id']}/fetch") == []


async def test_delete_dataset_purges_every_version_and_keeps_attachments(dplane) -> None:
    c = dplane.client()
    pid = await _project(c)
    blobs = dplane.app.state.runtime.blobs
    kept, gone = blobs.attachment_key(dplane.org_id, "in-another"), blobs.attachment_key(dplane.org_id, "in-golden")
    for key in (kept, gone):
        await blobs.write(key, b"a file")
    ds = (await c.post("/v1/dataset", json={"project_id": pid, "name": "golden"})).json()
    other = (await c.post("/v1/dataset", json={"project_id": pid, "name": "other"})).json()
    ref = {"type": "braintrust_attachment", "filename": "f.txt", "content_type": "text/plain"}
    r = await c.post(f"/v1/dataset/{ds['id']}/insert", json={"events": [
        {"id": "a", "input": {"file": {**ref, "key": "in-golden"}}, "expected": "1"},
        {"id": "b", "input": "two", "expected": "2"}]})
    assert r.status_code == 200, r.text
    r = await c.post(f"/v1/dataset/{other['id']}/insert", json={"events": [{"input": {**ref, "key": "in-another"}}]})
    assert r.status_code == 200, r.text
    assert (await c.post(f"/v1/dataset/{ds['id']}/insert", json={"events": [
        {"id": "a", "input": "uno", "expected": "1"}]})).status_code == 200

    r = await c.delete(f"/v1/dataset/{ds['id']}")
    assert r.status_code == 200, r.text
    assert r.json()["id"] == ds["id"] and r.json()["deleted_at"]
    assert (await c.get(f"/v1/dataset/{ds['id']}")).status_code == 404
    assert (await c.post(f"/v1/dataset/{ds['id']}/fetch", json={})).status_code == 404
    ref = ObjectRef("dataset", ds["id"])
    assert await dplane.store.count_rows(dplane.org_id, ref) == 0
    assert await dplane.store.object_versions(dplane.org_id, ref) == []
    assert await dplane.store.get_row(dplane.org_id, ref, "a", version=1) is None
    assert await blobs.exists(gone) and await blobs.exists(kept)  # another object's rows may share a key
    fresh = (await c.post("/v1/dataset", json={"project_id": pid, "name": "golden"})).json()
    assert fresh["id"] != ds["id"] and await fetch_all(c, f"/v1/dataset/{fresh['id']}/fetch") == []


async def test_delete_needs_write_access_to_the_object(plane) -> None:
    c = plane.client()
    pid = await _project(c)
    exp = (await c.post("/v1/experiment", json={"project_id": pid, "name": "e"})).json()
    ds = (await c.post("/v1/dataset", json={"project_id": pid, "name": "d"})).json()
    other = await _project(c)
    assert (await plane.client(plane.new_key(read_only=True)).delete(f"/v1/experiment/{exp['id']}")).status_code == 403
    scoped = plane.client(plane.new_key(project_id=other))
    assert (await scoped.delete(f"/v1/experiment/{exp['id']}")).status_code == 404
    assert (await plane.anonymous().delete(f"/v1/experiment/{exp['id']}")).status_code == 401
    # the type must match the route; unknown ids are not found
    assert (await c.delete(f"/v1/dataset/{exp['id']}")).status_code == 404
    assert (await c.delete(f"/v1/experiment/{ds['id']}")).status_code == 404
    assert (await c.delete(f"/v1/experiment/{uuid.uuid4()}")).status_code == 404
    assert (await c.get(f"/v1/experiment/{exp['id']}")).status_code == 200


async def test_a_repeated_delete_finishes_and_answers_the_same(plane) -> None:
    c = plane.client()
    pid = await _project(c)
    exp = (await c.post("/v1/experiment", json={"project_id": pid, "name": "twice"})).json()
    first = await c.delete(f"/v1/experiment/{exp['id']}")
    second = await c.delete(f"/v1/experiment/{exp['id']}")
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()


async def test_a_delete_the_control_plane_did_not_finish_is_named_on_reuse(plane, monkeypatch) -> None:
    c = plane.client()
    pid = await _project(c)
    exp = (await c.post("/v1/experiment", json={"project_id": pid, "name": "stuck"})).json()
    control = plane.app.state.runtime.control

    async def unreachable(object_id: str) -> None:
        raise ControlUnavailable()

    monkeypatch.setattr(control, "delete_object", unreachable)
    r = await c.delete(f"/v1/experiment/{exp['id']}")
    assert r.status_code == 503 and r.headers.get("retry-after")
    assert (await c.get(f"/v1/experiment/{exp['id']}")).status_code == 404  # its data is gone already
    reuse = await c.post("/v1/experiment", json={"project_id": pid, "name": "stuck", "ensure_new": False})
    assert reuse.status_code == 409 and "repeat the delete" in reuse.json()["error"]["message"]
    monkeypatch.undo()
    assert (await c.delete(f"/v1/experiment/{exp['id']}")).status_code == 200
    reuse = await c.post("/v1/experiment", json={"project_id": pid, "name": "stuck", "ensure_new": False})
    assert reuse.status_code == 200 and reuse.json()["id"] != exp["id"]


async def test_rows_written_by_a_process_with_a_stale_record_are_purged_again(dplane, monkeypatch) -> None:
    """Another data-plane process trusts its cached record for ``CACHE_SECONDS``: what it writes meanwhile is
    removed by the repeated purge, and once its record expires it refuses the object."""
    monkeypatch.setattr(catalog, "PURGE_AGAIN_SECONDS", 0.5)
    c = dplane.client()
    pid = await _project(c)
    exp = (await c.post("/v1/experiment", json={"project_id": pid, "name": "e"})).json()
    await _eval(c, exp["id"], "before")
    owner = Principal(kind="api_key", org_id=dplane.org_id, org_name=dplane.org_name, user_id=dplane.user_id,
                      role="owner")
    elsewhere = objects.ObjectResolver(dplane.store, dplane.app.state.runtime.control)  # another process's
    assert (await elsewhere.meta(owner, "experiment", exp["id"])).id == exp["id"]

    assert (await c.delete(f"/v1/experiment/{exp['id']}")).status_code == 200
    assert (await elsewhere.meta(owner, "experiment", exp["id"])).id == exp["id"]  # its record is still fresh
    ref = ObjectRef("experiment", exp["id"])
    late = span({"experiment_id": exp["id"]}, input="late")
    await dplane.store.write_rows([RowWrite(dplane.org_id, pid, ref, late["id"], late)])  # what it accepts
    assert await dplane.store.count_rows(dplane.org_id, ref) == 1
    for _ in range(50):
        await asyncio.sleep(0.1)
        if await dplane.store.count_rows(dplane.org_id, ref) == 0:
            break
    assert await dplane.store.count_rows(dplane.org_id, ref) == 0

    monkeypatch.setattr(objects, "CACHE_SECONDS", 0.0)  # its record expired: read again, the object is gone
    with pytest.raises(NotFound):
        await elsewhere.meta(owner, "experiment", exp["id"])


async def test_delete_project_purges_its_logs_experiments_datasets_and_prompts(dplane) -> None:
    c = dplane.client()
    name = "doomed-" + uuid.uuid4().hex[:6]
    pid = (await c.post("/v1/project", json={"name": name})).json()["id"]
    other = await _project(c)
    word = "zq" + uuid.uuid4().hex[:8]
    log_rows = [span({"project_id": pid, "log_id": "g"}, input=f"{word} log {i}") for i in range(3)]
    assert (await logs3(c, log_rows)).status_code == 200
    assert (await logs3(c, [span({"project_id": other, "log_id": "g"}, input=f"{word} kept")])).status_code == 200
    exp = (await c.post("/v1/experiment", json={"project_id": pid, "name": "e"})).json()
    await _eval(c, exp["id"], word)
    ds = (await c.post("/v1/dataset", json={"project_id": pid, "name": "d"})).json()
    assert (await c.post(f"/v1/dataset/{ds['id']}/insert", json={"events": [{"input": "q"}]})).status_code == 200
    prompt = (await c.post("/v1/prompt", json={"project_id": pid, "name": "P", "slug": "p", "prompt_data": {
        "prompt": {"type": "chat", "messages": [{"role": "user", "content": "hi"}]}}})).json()
    await dplane.store.wait_indexed()

    r = await c.delete(f"/v1/project/{pid}")
    assert r.status_code == 200, r.text
    assert r.json()["id"] == pid and r.json()["name"] == name and r.json()["deleted_at"]

    assert (await c.get(f"/v1/project/{pid}")).status_code == 404
    assert (await c.post(f"/v1/project_logs/{pid}/fetch", json={})).status_code == 404
    assert (await logs3(c, [span({"project_id": pid, "log_id": "g"}, input="late")])).status_code == 404
    assert (await c.get(f"/v1/experiment/{exp['id']}")).status_code == 404
    assert (await c.get(f"/v1/dataset/{ds['id']}")).status_code == 404
    assert (await c.get(f"/v1/prompt/{prompt['id']}")).status_code == 404
    assert (await c.get("/v1/prompt", params={"project_id": pid, "slug": "p"})).json().get("objects", []) == []
    for ref in (ObjectRef("project_logs", pid), ObjectRef("project_prompts", pid), ObjectRef("experiment", exp["id"]),
                ObjectRef("dataset", ds["id"])):
        assert await dplane.store.count_rows(dplane.org_id, ref) == 0, ref
    crt = dplane.control_rt
    assert pid not in [p["id"] for p in crt.store.list_projects(dplane.org_id, 100, None)[0]]
    assert crt.objects.list(dplane.org_id, 100, None, project_id=pid)[0] == []
    # the other project is whole
    assert [r["input"] for r in await fetch_all(c, f"/v1/project_logs/{other}/fetch")] == [f"{word} kept"]
    # the name can be taken again, by a new, empty project
    again = (await c.post("/v1/project", json={"name": name})).json()
    assert again["id"] != pid and await fetch_all(c, f"/v1/project_logs/{again['id']}/fetch") == []


async def test_delete_project_needs_an_org_admin_credential(plane) -> None:
    c = plane.client()
    pid = await _project(c)
    editor = plane.add_user("ed@acme.test", "editor")
    refused = {
        "editor": plane.client(plane.new_key(user_id=editor)),
        "read-only": plane.client(plane.new_key(read_only=True)),
        "project-scoped": plane.client(plane.new_key(project_id=pid)),
    }
    for what, client in refused.items():
        r = await client.delete(f"/v1/project/{pid}")
        assert r.status_code == 403, what
    assert (await c.delete(f"/v1/project/{uuid.uuid4()}")).status_code == 404
    assert (await c.get(f"/v1/project/{pid}")).status_code == 200


async def test_a_repeated_project_delete_finishes_what_a_failed_one_left(dplane, monkeypatch) -> None:
    """The first delete marked everything deleted, then failed (say the index did not catch up in time)."""
    c = dplane.client()
    pid = await _project(c)
    exp = (await c.post("/v1/experiment", json={"project_id": pid, "name": "e"})).json()
    await _eval(c, exp["id"], "repeat")
    store = dplane.store
    real = store.purge_object
    calls: list[ObjectRef] = []

    async def failing(org_id, ref):
        calls.append(ref)
        if ref.object_type == "experiment":
            raise RuntimeError("stopped here")
        return await real(org_id, ref)

    monkeypatch.setattr(store, "purge_object", failing)
    with pytest.raises(RuntimeError):  # the in-process client re-raises what the app did not answer
        await c.delete(f"/v1/project/{pid}")
    assert ObjectRef("experiment", exp["id"]) in calls
    assert await store.count_rows(dplane.org_id, ObjectRef("experiment", exp["id"])) == 6  # left behind
    monkeypatch.setattr(store, "purge_object", real)
    assert (await c.delete(f"/v1/project/{pid}")).status_code == 200
    assert await store.count_rows(dplane.org_id, ObjectRef("experiment", exp["id"])) == 0


async def test_delete_prompt_removes_every_version_and_frees_its_slug(dplane) -> None:
    c = dplane.client()
    pid = await _project(c)
    data = {"prompt": {"type": "chat", "messages": [{"role": "user", "content": "secret recipe"}]}}
    p1 = (await c.post("/v1/prompt", json={"project_id": pid, "name": "P", "slug": "p", "prompt_data": data})).json()
    p2 = (await c.post("/v1/prompt", json={"project_id": pid, "name": "P", "slug": "p", "prompt_data": data,
                                           "tags": ["v2"]})).json()
    assert p2["id"] == p1["id"]
    assert (await dplane.client(dplane.new_key(read_only=True)).delete(f"/v1/prompt/{p1['id']}")).status_code == 403
    r = await c.delete(f"/v1/prompt/{p1['id']}")
    assert r.status_code == 200, r.text
    assert r.json()["id"] == p1["id"] and r.json()["slug"] == "p" and r.json()["deleted_at"]
    assert (await c.get(f"/v1/prompt/{p1['id']}")).status_code == 404
    assert (await c.get(f"/v1/prompt/{p1['id']}", params={"version": p1["_xact_id"]})).status_code == 404
    assert (await c.get("/v1/prompt", params={"project_id": pid, "slug": "p"})).json() == {"objects": []}
    ref = ObjectRef("project_prompts", pid)
    assert await dplane.store.row_versions(dplane.org_id, ref, p1["id"]) == []
    assert dplane.control_rt.objects.list(dplane.org_id, 100, None, project_id=pid)[0] == []
    again = (await c.post("/v1/prompt", json={"project_id": pid, "name": "P", "slug": "p", "prompt_data": data})).json()
    assert again["id"] != p1["id"]
    assert [v["_xact_id"] for v in (await c.get(f"/v1/prompt/{again['id']}/versions")).json()["versions"]] == [
        again["_xact_id"]]
    assert (await c.delete(f"/v1/prompt/{uuid.uuid4()}")).status_code == 404
