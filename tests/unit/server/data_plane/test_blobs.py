"""Blob store: server-generated keys under an org prefix, no traversal, signed expiring URLs.

The store tests run on both backends: the local directory and S3 (moto's S3 server on loopback).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator

import pytest

from support.s3 import moto_s3, new_bucket, object_keys, use_test_credentials
from twinplane.server.common.errors import Conflict, NotFound, Unauthorized
from twinplane.server.data_plane.blob_local import LocalBlobs
from twinplane.server.data_plane.blobs import BlobStore, Grant, open_blob_store
from twinplane.server.settings import DataPlaneSettings


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with moto_s3() as endpoint:
        yield endpoint


@pytest.fixture(params=["local", "s3"])
def blobs(request, tmp_path, monkeypatch) -> Iterator[BlobStore]:
    if request.param == "local":
        settings = DataPlaneSettings(blob_dir=str(tmp_path / "blobs"))
    else:
        use_test_credentials(monkeypatch)
        endpoint = request.getfixturevalue("s3_endpoint")
        settings = DataPlaneSettings(blob_s3_bucket=new_bucket(endpoint), blob_s3_endpoint_url=endpoint,
                                     blob_s3_prefix="tp/", blob_s3_addressing_style="path")
    store = open_blob_store(settings, b"k" * 32)
    yield store
    store.close()


@pytest.fixture
def stored(blobs: BlobStore, request) -> Callable[[], list[str]]:
    """Every object the store holds, named relative to its directory or bucket prefix."""
    backend = blobs.backend
    if isinstance(backend, LocalBlobs):
        return lambda: sorted(p.relative_to(backend.root).as_posix() for p in backend.root.rglob("*") if p.is_file())
    endpoint = request.getfixturevalue("s3_endpoint")

    def keys() -> list[str]:
        found = object_keys(endpoint, backend.bucket)
        assert all(k.startswith("tp/") for k in found), found
        return [k.removeprefix("tp/") for k in found]
    return keys


async def test_round_trip_under_the_org_prefix(blobs: BlobStore, stored) -> None:
    key = blobs.new_key("org-a", "overflow")
    await blobs.write(key, b"hello")
    assert await blobs.read(key) == b"hello"
    await blobs.write(key, b"again")  # write replaces
    assert await blobs.read(key) == b"again"
    assert blobs.check_key("org-a", key, "overflow") == key
    assert stored() == [key]


def test_another_orgs_key_is_not_found(blobs: BlobStore) -> None:
    key = blobs.new_key("org-a", "overflow")
    with pytest.raises(NotFound):
        blobs.check_key("org-b", key, "overflow")
    with pytest.raises(NotFound):
        blobs.check_key("org-a", key, "attachments")


@pytest.mark.parametrize("evil", ["../../etc/passwd", "..%2F..%2Fetc", "a/../../b", "..\\..\\x", "/etc/passwd", "",
                                  "0123456789abcdef/overflow/" + "a" * 32 + "\n"])
async def test_traversal_keys_are_refused(blobs: BlobStore, stored, evil: str) -> None:
    with pytest.raises(NotFound):
        blobs.check_key("org-a", evil, "overflow")
    with pytest.raises(NotFound):
        await blobs.read(evil)
    with pytest.raises(NotFound):
        await blobs.write(evil, b"x")
    assert stored() == []


def test_client_attachment_keys_are_hashed_not_used_as_paths(blobs: BlobStore) -> None:
    k = blobs.attachment_key("org-a", "../../../etc/passwd")
    assert ".." not in k and k.split("/")[1] == "attachments"
    assert blobs.attachment_key("org-b", "../../../etc/passwd") != k


def test_signed_urls_bind_action_and_expire(blobs: BlobStore, tmp_path) -> None:
    key = blobs.new_key("org-a", "attachments")
    tok = blobs.grant("put", "org-a", key, 10)
    assert blobs.verify(tok, "put").key == key
    with pytest.raises(Unauthorized):
        blobs.verify(tok, "get")
    with pytest.raises(Unauthorized):
        blobs.verify(tok[:-2] + ("AA" if tok[-2:] != "AA" else "BB"), "put")
    expired = blobs.sign(Grant("put", "org-a", key, int(time.time()) - 1, 10))
    with pytest.raises(Unauthorized):
        blobs.verify(expired, "put")
    other = BlobStore(LocalBlobs(tmp_path / "unused"), b"z" * 32)
    with pytest.raises(Unauthorized):
        other.verify(tok, "put")


async def test_create_is_single_use_and_delete_removes_bytes_and_metadata(blobs: BlobStore, stored) -> None:
    key = blobs.new_key("org-a", "attachments")
    await blobs.create(key, b"one")
    await blobs.write_meta(key, {"filename": "f"})
    assert sorted(stored()) == [key, key + ".meta.json"]
    with pytest.raises(Conflict):
        await blobs.create(key, b"two")
    assert await blobs.read(key) == b"one"
    await blobs.delete(key)
    await blobs.delete(key)  # missing is fine
    assert stored() == []


async def test_a_missing_blob_is_not_found_and_has_no_metadata(blobs: BlobStore) -> None:
    key = blobs.new_key("org-a", "attachments")
    with pytest.raises(NotFound):
        await blobs.read(key)
    assert not await blobs.exists(key)
    assert await blobs.read_meta(key) is None


async def test_metadata_round_trips_and_is_replaced(blobs: BlobStore) -> None:
    key = blobs.attachment_key("org-a", "report.pdf")
    meta = {"filename": "отчёт.pdf", "content_type": "application/pdf", "project_id": None,
            "status": {"upload_status": "uploading"}}
    await blobs.write_meta(key, meta)
    assert await blobs.read_meta(key) == meta
    assert not await blobs.exists(key)  # metadata alone is not a blob
    await blobs.write_meta(key, {**meta, "status": {"upload_status": "done"}})
    assert (await blobs.read_meta(key) or {})["status"] == {"upload_status": "done"}


async def test_the_sweep_removes_only_overflow_payloads_past_the_age_and_is_bounded(blobs: BlobStore) -> None:
    overflow = [blobs.new_key(org, "overflow") for org in ("org-a", "org-a", "org-b")]
    attachment = blobs.new_key("org-a", "attachments")
    for k in [*overflow, attachment]:
        await blobs.write(k, b"x")
    assert blobs.sweep_overflow(3600) == 0  # all fresh
    assert blobs.sweep_overflow(0, limit=2) == 2
    assert blobs.sweep_overflow(0) == 1
    assert blobs.sweep_overflow(0) == 0
    assert await blobs.exists(attachment)
    assert not any([await blobs.exists(k) for k in overflow])


async def test_the_local_sweep_goes_by_file_age(tmp_path) -> None:
    blobs = BlobStore(LocalBlobs(tmp_path / "blobs"), b"k" * 32)
    old = [blobs.new_key("org-a", "overflow") for _ in range(3)]
    fresh, attachment = blobs.new_key("org-a", "overflow"), blobs.new_key("org-a", "attachments")
    for k in [*old, fresh, attachment]:
        await blobs.write(k, b"x")
    for k in [*old, attachment]:
        os.utime(tmp_path / "blobs" / k, (time.time() - 7200, time.time() - 7200))
    assert blobs.sweep_overflow(3600, limit=2) == 2
    assert blobs.sweep_overflow(3600) == 1
    assert await blobs.exists(fresh) and await blobs.exists(attachment)
    assert not any([await blobs.exists(k) for k in old])
