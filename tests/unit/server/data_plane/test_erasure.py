"""``/v1/erasure``: a data subject's rows leave every store of the data plane, and a receipt says so."""

from __future__ import annotations

import hashlib
import uuid

from support.fts import indexed_words
from twinplane.server.data_plane.store.base import ObjectRef
from twinplane.wire.attachments import attachment_keys

from .rows import fetch_all, logs3, span

SUBJECT = "metadata.user_id = 'u-42'"


async def _project(c) -> str:
    r = await c.post("/v1/project", json={"name": "p-" + uuid.uuid4().hex[:6]})
    assert r.status_code == 200, r.text
    return r.json()["id"]


def _conversation(ident: dict, user: str, text: str, attachment: str | None = None) -> list[dict]:
    """A root carrying the user in its metadata, and a child span with their words but no metadata."""
    root = span(ident, input=f"{text} asks", metadata={"user_id": user}, span_attributes={"name": "chat"})
    child_input: dict = {"prompt": f"{text} wrote this"}
    if attachment:
        child_input["file"] = {"type": "braintrust_attachment", "key": attachment, "filename": "cv.txt",
                               "content_type": "text/plain"}
    child = span(ident, root=root["root_span_id"], parent=root["span_id"], input=child_input,
                 span_attributes={"name": "llm"})
    return [root, child]


async def test_erasure_removes_a_subjects_rows_versions_search_entries_and_attachments(dplane, database_url) -> None:
    c = dplane.client()
    a, b = await _project(c), await _project(c)
    rt = dplane.app.state.runtime
    client_att = "att-client-1"
    att_key = rt.blobs.attachment_key(dplane.org_id, client_att)
    await rt.blobs.write(att_key, b"Ada Lovelace, curriculum vitae")
    logs_a, logs_b = {"project_id": a, "log_id": "g"}, {"project_id": b, "log_id": "g"}
    rows = (_conversation(logs_a, "u-42", "adalovelace", client_att) + _conversation(logs_a, "u-7", "charlesbabbage")
            + _conversation(logs_b, "u-42", "adalovelace"))
    assert (await logs3(c, rows)).status_code == 200
    ds = (await c.post("/v1/dataset", json={"project_id": a, "name": "golden"})).json()
    for text in ("adalovelace v1", "adalovelace v2"):
        r = await c.post(f"/v1/dataset/{ds['id']}/insert", json={"events": [
            {"id": "d-ada", "input": text, "metadata": {"user_id": "u-42"}}, {"id": "d-other", "input": "kept"}]})
        assert r.status_code == 200, r.text
    first_version = (await c.get(f"/v1/dataset/{ds['id']}/versions")).json()["versions"][0]["_xact_id"]
    exp = (await c.post("/v1/experiment", json={"project_id": a, "name": "e"})).json()
    cases = []
    for user, score in (("u-42", 0.0), ("u-7", 1.0)):
        root = span({"experiment_id": exp["id"]}, input=f"case of {user}", metadata={"user_id": user},
                    scores={"Exact": score})
        cases.append(root)
    assert (await logs3(c, cases)).status_code == 200
    await dplane.store.wait_indexed()

    r = await c.post("/v1/erasure", json={"filter": SUBJECT})
    assert r.status_code == 200, r.text
    receipt = r.json()
    assert receipt["rows"] == 2 + 2 + 1 + 1 and receipt["attachments"] == 1  # both traces whole, dataset, case
    assert {(o["object_type"], o["object_id"], o["rows"]) for o in receipt["objects"]} == {
        ("project_logs", a, 2), ("project_logs", b, 2), ("dataset", ds["id"], 1), ("experiment", exp["id"], 1)}
    assert receipt["filter_sha256"] == hashlib.sha256(SUBJECT.encode()).hexdigest()
    assert "u-42" not in str(receipt) and "adalovelace" not in str(receipt)

    # rows: only other people's are left, in every object
    assert {r["input"] for r in await fetch_all(c, f"/v1/project_logs/{a}/fetch") if r["span_attributes"]["name"] == "chat"} \
        == {"charlesbabbage asks"}
    assert await fetch_all(c, f"/v1/project_logs/{b}/fetch") == []
    assert [r["id"] for r in await fetch_all(c, f"/v1/dataset/{ds['id']}/fetch")] == ["d-other"]
    # no earlier version finds them either: every version of theirs is gone
    old = await fetch_all(c, f"/v1/dataset/{ds['id']}/fetch", version=first_version)
    assert [r["id"] for r in old] == ["d-other"]
    for ref, rid in ((ObjectRef("dataset", ds["id"]), "d-ada"), (ObjectRef("project_logs", a), rows[1]["id"])):
        assert await dplane.store.row_versions(dplane.org_id, ref, rid) == []
    # search finds nothing of them; the experiment's summary is recomputed without their case
    await dplane.store.wait_indexed()
    hits = await c.post("/v1/query", json={"object_type": "project_logs", "object_id": a, "search": "adalovelace"})
    assert hits.status_code == 200 and hits.json()["data"] == []
    summary = (await c.get(f"/v1/experiment/{exp['id']}/summarize", params={"summarize_scores": "true"})).json()
    assert summary["scores"]["Exact"]["score"] == 1.0
    # the attachment is gone from the blob store
    assert not await rt.blobs.exists(att_key)
    if database_url.startswith("sqlite"):  # and its words from the full-text side file
        words = indexed_words(database_url.removeprefix("sqlite:///"))
        assert "adalovelace" not in words and "charlesbabbage" in words

    # the receipt is kept and listed
    listed = (await c.get("/v1/erasure")).json()["objects"]
    assert [x["id"] for x in listed] == [receipt["id"]]
    assert (await c.get(f"/v1/erasure/{receipt['id']}")).json() == receipt
    assert (await c.get(f"/v1/erasure/{uuid.uuid4()}")).status_code == 404


async def test_erasure_can_be_limited_to_one_project(plane) -> None:
    c = plane.client()
    a, b = await _project(c), await _project(c)
    rows = _conversation({"project_id": a, "log_id": "g"}, "u-42", "x") + _conversation(
        {"project_id": b, "log_id": "g"}, "u-42", "y")
    assert (await logs3(c, rows)).status_code == 200
    receipt = (await c.post("/v1/erasure", json={"filter": SUBJECT, "project_id": a})).json()
    assert receipt["rows"] == 2 and receipt["project_id"] == a
    assert await fetch_all(c, f"/v1/project_logs/{a}/fetch") == []
    assert len(await fetch_all(c, f"/v1/project_logs/{b}/fetch")) == 2
    assert (await c.post("/v1/erasure", json={"filter": SUBJECT, "project_id": "nope"})).status_code == 404


async def test_erasure_takes_an_org_admin_and_a_subject(plane) -> None:
    c = plane.client()
    pid = await _project(c)
    editor = plane.add_user("ed@acme.test", "editor")
    for key in (plane.new_key(user_id=editor), plane.new_key(read_only=True), plane.new_key(project_id=pid)):
        r = await plane.client(key).post("/v1/erasure", json={"filter": SUBJECT})
        assert r.status_code == 403
        assert (await plane.client(key).get("/v1/erasure")).status_code == 403
    for body in ({}, {"filter": ""}, {"filter": "   "}, {"filter": "metadata.user_id ="}, {"filter": 42}):
        r = await c.post("/v1/erasure", json=body)
        assert r.status_code == 400, body
    assert (await plane.anonymous().post("/v1/erasure", json={"filter": SUBJECT})).status_code == 401


def test_attachment_keys_are_found_anywhere_in_a_row() -> None:
    row = {"input": {"files": [{"type": "braintrust_attachment", "key": "k1"}, {"type": "other", "key": "no"}]},
           "output": {"type": "braintrust_attachment", "key": "k2"}, "metadata": {"key": "k3"}}
    assert sorted(attachment_keys(row)) == ["k1", "k2"]


async def test_an_erasure_cut_short_is_finished_by_the_next_sweep(dplane) -> None:
    """The process died after deleting the rows and before removing their versions: the queue is durable."""
    c = dplane.client()
    pid = await _project(c)
    rows = _conversation({"project_id": pid, "log_id": "g"}, "u-42", "adalovelace")
    assert (await logs3(c, rows)).status_code == 200
    ref, store = ObjectRef("project_logs", pid), dplane.store
    ids = [r["id"] for r in rows]
    await store.delete_for_good(dplane.org_id, pid, ref, ids)  # what an erasure does per object ...
    assert len(await store.row_versions(dplane.org_id, ref, ids[0])) == 2  # ... and then it stopped
    await dplane.app.state.runtime.retention.sweep()
    assert await store.row_versions(dplane.org_id, ref, ids[0]) == []
    assert await store.finish_version_removal() == 0  # nothing left queued
