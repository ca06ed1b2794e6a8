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
