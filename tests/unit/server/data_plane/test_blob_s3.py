"""The blob store on S3 (moto's S3 server on loopback): layout, failures, and the app end to end.

Attachments and overflow payloads go through the real data-plane app configured for S3; an
unreachable endpoint or a missing bucket is a 503 with the one JSON error body, never a 500.
"""

from __future__ import annotations

import base64
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from support.ports import free_port
from support.s3 import SECRET_KEY, moto_s3, new_bucket, object_keys, s3_client, use_test_credentials
from twinplane.server.common.errors import Conflict, NotFound, Unavailable
from twinplane.server.data_plane.blob_s3 import S3Blobs
from twinplane.server.data_plane.blobs import BlobStore, open_blob_store
from twinplane.server.settings import DataPlaneSettings

from .rows import fetch_all, overflow, span

PREFIX = "dp-one/"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with moto_s3() as endpoint:
        yield endpoint


@pytest.fixture
def bucket(s3_endpoint: str, monkeypatch) -> str:
    use_test_credentials(monkeypatch)
    return new_bucket(s3_endpoint)


@pytest.fixture
def data_overrides(s3_endpoint: str, bucket: str) -> dict[str, Any]:
    return {"blob_s3_bucket": bucket, "blob_s3_endpoint_url": s3_endpoint, "blob_s3_prefix": PREFIX,
            "blob_s3_addressing_style": "path", "blob_dir": "/nonexistent/twinplane-must-not-use-this"}


def _store(endpoint: str, bucket: str, **config: Any) -> BlobStore:
    return BlobStore(S3Blobs(s3_client(endpoint, **config), bucket, "p"), b"k" * 32)


async def test_a_missing_bucket_is_unavailable_not_not_found(s3_endpoint: str, monkeypatch, caplog) -> None:
    use_test_credentials(monkeypatch)
    blobs = _store(s3_endpoint, "tp-no-such-bucket")
    key = blobs.new_key("org-a", "attachments")
    with caplog.at_level(logging.WARNING, logger="twinplane.server.data_plane.blob_s3"):
        with pytest.raises(Unavailable):
            await blobs.read(key)
    assert blobs.backend.failures == {"GetObject": 1}
    assert "GetObject on bucket tp-no-such-bucket" in caplog.text and "NoSuchBucket" in caplog.text


async def test_an_unreachable_endpoint_is_unavailable_and_logged_without_credentials(monkeypatch, caplog) -> None:
    use_test_credentials(monkeypatch)
    blobs = _store(f"http://127.0.0.1:{free_port()}", "tp-bucket", retries={"max_attempts": 1},
                   connect_timeout=1)
    key = blobs.new_key("org-a", "attachments")
    with caplog.at_level(logging.WARNING):
        calls = (lambda: blobs.read(key), lambda: blobs.create(key, b"x"), lambda: blobs.exists(key),
                 lambda: blobs.read_meta(key), lambda: blobs.write_meta(key, {}), lambda: blobs.delete(key))
        for call in calls:  # each made when awaited: a failure leaves no coroutine never awaited
            with pytest.raises(Unavailable):
                await call()
        with pytest.raises(OSError):  # the runtime's sweep loop logs OSError and tries again later
            blobs.sweep_overflow(0)
    assert "S3 PutObject on bucket tp-bucket" in caplog.text
    assert "EndpointConnectionError" in caplog.text
    assert SECRET_KEY not in caplog.text and "AKIA" not in caplog.text


async def test_attachment_round_trip_through_the_app_lands_in_the_bucket(plane, s3_endpoint: str,
                                                                          bucket: str) -> None:
    c, anon = plane.client(), plane.anonymous()
    key = str(uuid.uuid4())
    slot = (await c.post("/attachment", json={"key": key, "filename": "a.txt", "content_type": "text/plain"})).json()
    assert (await anon.put(slot["signedUrl"], content=b"in the bucket")).status_code == 200
    assert (await anon.put(slot["signedUrl"], content=b"replaced?")).status_code == 409  # single-use, via S3
    assert (await c.post("/attachment/status", json={"key": key, "status": {"upload_status": "done"}})).status_code == 200
    r = await c.get("/attachment", params={"key": key})
    assert r.status_code == 200 and r.json()["status"] == {"upload_status": "done"}
    dl = await anon.get(r.json()["downloadUrl"])
    assert dl.status_code == 200 and dl.content == b"in the bucket"
    assert dl.headers["content-type"].startswith("text/plain") and dl.headers["content-disposition"].startswith("attachment")
    org = plane.app.state.runtime.blobs._org_prefix(plane.org_id)
    keys = object_keys(s3_endpoint, bucket)
    assert len(keys) == 2 and all(k.startswith(f"{PREFIX}{org}/attachments/") for k in keys)
    meta = s3_client(s3_endpoint).get_object(Bucket=bucket, Key=next(k for k in keys if k.endswith(".meta.json")))
    assert orjson.loads(meta["Body"].read())["filename"] == "a.txt"
    assert (await plane.anonymous().get("/readyz")).status_code == 200


async def test_an_overflow_batch_goes_through_the_bucket_and_is_deleted_once_ingested(plane, s3_endpoint: str,
                                                                                       bucket: str) -> None:
    c = plane.client()
    pid = (await c.post("/v1/project", json={"name": "s3-" + uuid.uuid4().hex[:6]})).json()["id"]
    eid = (await c.post("/v1/experiment", json={"project_id": pid, "name": "e", "ensure_new": True})).json()["id"]
    rows = [span({"experiment_id": eid}, input="x" * 1000) for _ in range(20)]
    slot, reference = await overflow(plane, c, rows, {"experiment_id": eid})
    assert object_keys(s3_endpoint, bucket) == [PREFIX + slot["key"]]
    r = await c.post("/logs3", content=reference)
    assert r.status_code == 200, r.text
    assert len(await fetch_all(c, f"/v1/experiment/{eid}/fetch")) == 20
    assert object_keys(s3_endpoint, bucket) == []  # committed rows leave no raw copy behind
    # an overflow key that was never uploaded is the local store's 404
    missing = plane.app.state.runtime.blobs.new_key(plane.org_id, "overflow")
    r = await c.post("/logs3", content=orjson.dumps({"rows": {"type": "logs3_overflow", "key": missing}}))
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


async def test_an_unreachable_endpoint_is_a_503_json_error(tmp_path, control_app, monkeypatch, caplog) -> None:
    from .conftest import one_plane

    use_test_credentials(monkeypatch)
    port = free_port()
    overrides = {"blob_s3_bucket": "tp-bucket", "blob_s3_endpoint_url": f"http://127.0.0.1:{port}"}
    async with one_plane(tmp_path, control_app, overrides) as p:
        with caplog.at_level(logging.WARNING):
            r = await p.client().post("/attachment", json={"key": "k", "filename": "f", "content_type": "text/plain"})
        assert r.status_code == 503, r.text
        assert r.json() == {"error": {"code": "unavailable", "message": "the blob store is unavailable; try again shortly"}}
        assert int(r.headers["Retry-After"]) >= 1
        # still ready: rows are ingested without the blob store; the failure is counted for monitoring
        assert (await p.anonymous().get("/readyz")).status_code == 200
        text = p.app.state.runtime.metrics.render().decode()
        assert 'twinplane_blob_store_failures_total{operation="GetObject"} 1.0' in text
    assert f"S3 GetObject on bucket tp-bucket at 127.0.0.1:{port} failed (EndpointConnectionError)" in caplog.text
    assert SECRET_KEY not in caplog.text and "Traceback" not in caplog.text


async def test_the_prefix_is_a_folder_and_a_missing_blob_is_not_found(s3_endpoint: str, bucket: str) -> None:
    blobs = _store(s3_endpoint, bucket)  # prefix "p": objects go under "p/"
    key = blobs.new_key("org-a", "overflow")
    with pytest.raises(NotFound):
        await blobs.read(key)
    await blobs.create(key, b"x")
    assert object_keys(s3_endpoint, bucket) == ["p/" + key]


async def test_a_retried_upload_whose_answer_was_lost_is_not_a_conflict(s3_endpoint: str, bucket: str) -> None:
    """The conditional write's retry (stored, its answer lost) meets 412: the same bytes count as written,
    other bytes are still refused (the URL is single-use)."""
    blobs = _store(s3_endpoint, bucket)
    key = blobs.new_key("org-a", "attachments")
    assert blobs.backend.put_new(blobs._name(key), b"first")
    assert blobs.backend.put_new(blobs._name(key), b"first")  # the retry
    with pytest.raises(Conflict):
        await blobs.create(key, b"other bytes")
    assert await blobs.read(key) == b"first"


async def test_the_sweep_deletes_only_keys_the_data_plane_made_and_sends_content_md5(
        s3_endpoint: str, bucket: str, request) -> None:
    settings = DataPlaneSettings(blob_s3_bucket=bucket, blob_s3_endpoint_url=s3_endpoint, blob_s3_prefix="p",
                                 blob_s3_addressing_style="path")
    blobs = open_blob_store(settings, b"k" * 32)
    request.addfinalizer(blobs.close)
    sent: list[dict[str, str]] = []
    blobs.backend._client.meta.events.register("before-send.s3.DeleteObjects",
                                               lambda request, **_: sent.append(dict(request.headers)))
    ours = blobs.new_key("org-a", "overflow")
    await blobs.write(ours, b"payload")
    client = s3_client(s3_endpoint)
    org = ours.split("/")[0]
    for foreign in (f"p/{org}/overflow/notes.txt", f"p/{org}/overflow/{'a' * 32}/nested", "p/backups/overflow/x"):
        client.put_object(Bucket=bucket, Key=foreign, Body=b"not ours")
    assert blobs.sweep_overflow(0) == 1
    assert object_keys(s3_endpoint, bucket) == sorted(
        [f"p/{org}/overflow/notes.txt", f"p/{org}/overflow/{'a' * 32}/nested", "p/backups/overflow/x"])
    assert sent and all(base64.b64decode(h["Content-MD5"]) for h in sent)  # MinIO and others require it
