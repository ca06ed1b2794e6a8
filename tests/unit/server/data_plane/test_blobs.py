"""Blob store: server-generated keys under an org prefix, no traversal, signed expiring URLs."""

from __future__ import annotations

import time

import pytest

from twinplane.server.common.errors import NotFound, Unauthorized
from twinplane.server.data_plane.blobs import BlobStore, Grant


@pytest.fixture
def blobs(tmp_path) -> BlobStore:
    return BlobStore(tmp_path / "blobs", b"k" * 32)


async def test_round_trip_under_the_org_prefix(blobs: BlobStore, tmp_path) -> None:
    key = blobs.new_key("org-a", "overflow")
    await blobs.write(key, b"hello")
    assert await blobs.read(key) == b"hello"
    assert blobs.check_key("org-a", key, "overflow") == key
    files = [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()]
    assert len(files) == 1 and files[0].is_relative_to(tmp_path / "blobs")


def test_another_orgs_key_is_not_found(blobs: BlobStore) -> None:
    key = blobs.new_key("org-a", "overflow")
    with pytest.raises(NotFound):
        blobs.check_key("org-b", key, "overflow")
    with pytest.raises(NotFound):
        blobs.check_key("org-a", key, "attachments")


@pytest.mark.parametrize("evil", ["../../etc/passwd", "..%2F..%2Fetc", "a/../../b", "..\\..\\x", "/etc/passwd", ""])
async def test_traversal_keys_are_refused(blobs: BlobStore, evil: str) -> None:
    with pytest.raises(NotFound):
        blobs.check_key("org-a", evil, "overflow")
    with pytest.raises(NotFound):
        await blobs.read(evil)


def test_client_attachment_keys_are_hashed_not_used_as_paths(blobs: BlobStore) -> None:
    k = blobs.attachment_key("org-a", "../../../etc/passwd")
    assert ".." not in k and k.split("/")[1] == "attachments"
    assert blobs.attachment_key("org-b", "../../../etc/passwd") != k


def test_signed_urls_bind_action_and_expire(blobs: BlobStore) -> None:
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
    other = BlobStore("/tmp/unused", b"z" * 32)
    with pytest.raises(Unauthorized):
        other.verify(tok, "put")


async def test_create_is_single_use_and_delete_removes_bytes_and_metadata(blobs: BlobStore, tmp_path) -> None:
    from twinplane.server.common.errors import Conflict

    key = blobs.new_key("org-a", "attachments")
    await blobs.create(key, b"one")
    await blobs.write_meta(key, {"filename": "f"})
    with pytest.raises(Conflict):
        await blobs.create(key, b"two")
    assert await blobs.read(key) == b"one"
    await blobs.delete(key)
    await blobs.delete(key)  # missing is fine
    assert not [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()]


async def test_the_sweep_removes_only_old_overflow_payloads_and_is_bounded(blobs: BlobStore) -> None:
    import os

    old = [blobs.new_key("org-a", "overflow") for _ in range(3)]
    fresh, attachment = blobs.new_key("org-a", "overflow"), blobs.new_key("org-a", "attachments")
    for k in [*old, fresh, attachment]:
        await blobs.write(k, b"x")
    for k in [*old, attachment]:
        os.utime(blobs.root / k, (time.time() - 7200, time.time() - 7200))
    assert blobs.sweep_overflow(3600, limit=2) == 2
    assert blobs.sweep_overflow(3600) == 1
    assert await blobs.exists(fresh) and await blobs.exists(attachment)
    assert not any([await blobs.exists(k) for k in old])
