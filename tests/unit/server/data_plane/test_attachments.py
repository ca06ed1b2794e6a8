"""Attachments (wire §2.7): upload slot, signed PUT without auth, status, download URL."""

from __future__ import annotations

import uuid
from pathlib import Path


def _blob_files(root: str) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.is_file() and not p.name.endswith(".json")]


async def test_attachment_round_trip(plane) -> None:
    c = plane.client()
    key = str(uuid.uuid4())
    r = await c.post("/attachment", json={"key": key, "filename": "a.html", "content_type": "text/html",
                                          "org_id": "someone-else"})
    assert r.status_code == 200, r.text
    slot = r.json()
    assert set(slot) >= {"signedUrl", "headers"}
    up = await plane.anonymous().put(slot["signedUrl"], content=b"<script>x</script>", headers=slot["headers"])
    assert up.status_code == 200
    st = await c.post("/attachment/status", json={"key": key, "org_id": "x", "status": {"upload_status": "done"}})
    assert st.status_code == 200
    r = await c.get("/attachment", params={"key": key, "filename": "a.html", "content_type": "text/html",
                                           "org_id": "someone-else"})
    assert r.status_code == 200 and r.json()["status"] == {"upload_status": "done"}
    dl = await plane.anonymous().get(r.json()["downloadUrl"])
    assert dl.status_code == 200 and dl.content == b"<script>x</script>"
    # stored content is never rendered as a page of this origin
    assert dl.headers["content-disposition"].startswith("attachment")
    assert dl.headers["x-content-type-options"] == "nosniff" and "sandbox" in dl.headers["content-security-policy"]
    # the blob lives under this org's prefix whatever org_id the body claimed
    files = _blob_files(plane.settings.blob_dir)
    assert len(files) == 1 and files[0].parent.parent.name == plane.app.state.runtime.blobs._org_prefix(plane.org_id)


async def test_unknown_attachment_and_bad_status(plane) -> None:
    c = plane.client()
    assert (await c.get("/attachment", params={"key": "nope"})).status_code == 404
    r = await c.post("/attachment/status", json={"key": "nope", "status": {"upload_status": "weird"}})
    assert r.status_code == 400
    ro = plane.client(plane.new_key(read_only=True))
    assert (await ro.post("/attachment", json={"key": "k", "filename": "f", "content_type": "text/plain"})).status_code == 403


async def _uploaded(plane, key: str, content: bytes, filename: str = "a.txt") -> dict:
    c, anon = plane.client(), plane.anonymous()
    slot = (await c.post("/attachment", json={"key": key, "filename": filename, "content_type": "text/plain"})).json()
    assert (await anon.put(slot["signedUrl"], content=content)).status_code == 200
    assert (await c.post("/attachment/status", json={"key": key, "status": {"upload_status": "done"}})).status_code == 200
    return slot


async def test_a_non_latin1_filename_is_sent_as_utf8_and_the_server_never_logs_the_signed_path(plane, caplog) -> None:
    import logging
    from urllib.parse import quote

    key = str(uuid.uuid4())
    await _uploaded(plane, key, b"%PDF-1.7", filename='отчёт "q".pdf')
    url = (await plane.client().get("/attachment", params={"key": key})).json()["downloadUrl"]
    token = url.rsplit("/", 1)[1]
    with caplog.at_level(logging.INFO):
        dl = await plane.anonymous().get(url)
        # a failure on the signed route is logged by its template, not its path
        plane.app.state.runtime.blobs.read = None  # type: ignore[assignment]  # any crash will do
        import httpx

        crash = httpx.AsyncClient(transport=httpx.ASGITransport(app=plane.app, raise_app_exceptions=False),
                                  base_url=str(plane.anonymous().base_url))
        async with crash:
            assert (await crash.get(url)).status_code == 500
    assert dl.status_code == 200 and dl.content == b"%PDF-1.7"
    cd = dl.headers["content-disposition"]
    assert cd.startswith('attachment; filename="') and "filename*=UTF-8''" + quote('отчёт "q".pdf', safe="") in cd
    assert cd.isascii()
    server_lines = [r.getMessage() for r in caplog.records if not r.name.startswith("httpx")]
    assert not any(token in line for line in server_lines)
    assert any("/blobs/{token}" in line for line in server_lines)


async def test_content_type_must_be_a_media_type(plane) -> None:
    c = plane.client()
    for bad in ("text/plain\r\nX: y", "text", "a/b; c", "x" * 250 + "/plain"):
        r = await c.post("/attachment", json={"key": str(uuid.uuid4()), "filename": "f", "content_type": bad})
        assert r.status_code == 400, bad
    ok = await c.post("/attachment", json={"key": str(uuid.uuid4()), "filename": "f",
                                           "content_type": 'text/plain; charset="utf-8"'})
    assert ok.status_code == 200


async def test_an_upload_url_works_once_and_a_done_attachment_is_final(plane) -> None:
    c, anon = plane.client(), plane.anonymous()
    key = str(uuid.uuid4())
    slot = await _uploaded(plane, key, b"first")
    assert (await anon.put(slot["signedUrl"], content=b"second")).status_code == 409
    assert (await c.post("/attachment", json={"key": key, "filename": "b.txt"})).status_code == 409
    assert (await c.post("/attachment/status", json={"key": key, "status": {"upload_status": "error"}})).status_code == 409
    again = await c.post("/attachment/status", json={"key": key, "status": {"upload_status": "done"}})
    assert again.status_code == 200 and again.json() == {"status": {"upload_status": "done"}}  # a retry is a no-op
    dl = await anon.get((await c.get("/attachment", params={"key": key})).json()["downloadUrl"])
    assert dl.content == b"first"


async def test_an_attachment_belongs_to_the_creating_keys_project(plane) -> None:
    owner = plane.client()
    p1 = (await owner.post("/v1/project", json={"name": "att-one"})).json()["id"]
    p2 = (await owner.post("/v1/project", json={"name": "att-two"})).json()["id"]
    in_p1, in_p2 = plane.client(plane.new_key(project_id=p1)), plane.client(plane.new_key(project_id=p2))
    key = str(uuid.uuid4())
    slot = (await in_p1.post("/attachment", json={"key": key, "filename": "f", "content_type": "text/plain"})).json()
    assert (await plane.anonymous().put(slot["signedUrl"], content=b"p1")).status_code == 200
    assert (await in_p2.get("/attachment", params={"key": key})).status_code == 404
    assert (await in_p2.post("/attachment", json={"key": key, "filename": "f"})).status_code == 404
    assert (await in_p2.post("/attachment/status",
                             json={"key": key, "status": {"upload_status": "done"}})).status_code == 404
    assert (await in_p1.get("/attachment", params={"key": key})).status_code == 200
    assert (await owner.get("/attachment", params={"key": key})).status_code == 200  # org-wide keys see all
