"""The blob store in an S3 bucket (AWS, or an S3-compatible server such as MinIO).

Objects live at ``<blob_s3_prefix><org>/<kind>/<32 hex>``, metadata beside them as
``<...>.meta.json``. Credentials come from boto3's standard chain (environment, profile,
instance or task role); this module never sees or logs them.

The single-use upload is a conditional write (``If-None-Match: *``): S3 answers 412 when the
key exists, so two racing PUTs of one signed URL store one body. The server must support
conditional writes (AWS S3 does since 2024-08; so does MinIO).

A failed call (endpoint unreachable, access denied, no such bucket, throttling past the
retries) is logged with the operation, the bucket and the error code, and raised as
``Unavailable`` (503): the client may retry, and never sees a stack trace.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from botocore.exceptions import BotoCoreError, ClientError

from twinplane.server.common.errors import Unavailable
from twinplane.server.data_plane.blobs import KEY_PATTERN
from twinplane.server.settings import DataPlaneSettings

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 5
READ_TIMEOUT_SECONDS = 30
MAX_ATTEMPTS = 3  # a request stays short: past a few retries the client is told 503 and retries itself
# asyncio.to_thread runs up to min(32, cpus + 4) calls at once; fewer pooled connections would
# make threads wait for one and botocore drop the extras.
MAX_POOL_CONNECTIONS = 32
_DELETE_BATCH = 1000  # the most DeleteObjects takes


def _code(err: ClientError) -> str:
    return str(err.response.get("Error", {}).get("Code", ""))


def _status(err: ClientError) -> int:
    return int(err.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)


def _md5(data: bytes) -> bytes:
    return hashlib.md5(data, usedforsecurity=False).digest()


def _content_md5(request: Any, **_: Any) -> None:
    """``Content-MD5`` on DeleteObjects: botocore 1.36+ sends a CRC32 checksum instead, which
    several S3-compatible servers refuse (``MissingContentMD5``); AWS accepts both."""
    if isinstance(request.body, bytes) and "Content-MD5" not in request.headers:
        request.headers["Content-MD5"] = base64.b64encode(_md5(request.body)).decode()


class S3Blobs:
    def __init__(self, client: Any, bucket: str, prefix: str = "", *, where: str = "AWS") -> None:
        self._client = client  # one client for every thread: botocore clients are thread-safe
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self._where = where  # endpoint host for log lines; never a URL that could carry user info
        self.failures: Counter[str] = Counter()  # failed calls by S3 operation (metrics)
        self._failures_lock = threading.Lock()  # calls run on worker threads

    @classmethod
    def from_settings(cls, settings: DataPlaneSettings) -> S3Blobs:
        import boto3
        from botocore.config import Config

        config = Config(
            connect_timeout=CONNECT_TIMEOUT_SECONDS, read_timeout=READ_TIMEOUT_SECONDS,
            retries={"max_attempts": MAX_ATTEMPTS, "mode": "standard"},
            max_pool_connections=MAX_POOL_CONNECTIONS,
            s3={"addressing_style": settings.blob_s3_addressing_style},
            # Checksums only where S3 requires them: several S3-compatible servers refuse the
            # CRC trailers newer botocore sends by default.
            request_checksum_calculation="when_required", response_checksum_validation="when_required",
        )
        endpoint = settings.blob_s3_endpoint_url or None
        client = boto3.session.Session().client(
            "s3", endpoint_url=endpoint, region_name=settings.blob_s3_region or None, config=config)
        where = "AWS"
        if endpoint:
            parts = urlsplit(endpoint)
            where = f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)
        client.meta.events.register("before-sign.s3.DeleteObjects", _content_md5)
        return cls(client, settings.blob_s3_bucket, settings.blob_s3_prefix, where=where)

    @contextmanager
    def _failures(self, operation: str) -> Iterator[None]:
        """Turn what S3 or the network raised into ``Unavailable``, logged without secrets."""
        try:
            yield
        except (BotoCoreError, ClientError) as err:
            code = f" {_code(err)}" if isinstance(err, ClientError) else ""
            with self._failures_lock:
                self.failures[operation] += 1
            logger.warning("blob store: S3 %s on bucket %s at %s failed (%s%s)",
                           operation, self.bucket, self._where, type(err).__name__, code)
            raise Unavailable("the blob store is unavailable; try again shortly") from None

    def put(self, name: str, data: bytes) -> None:
        with self._failures("PutObject"):
            self._client.put_object(Bucket=self.bucket, Key=self.prefix + name, Body=data)

    def put_new(self, name: str, data: bytes) -> bool:
        with self._failures("PutObject"):
            try:
                self._client.put_object(Bucket=self.bucket, Key=self.prefix + name, Body=data, IfNoneMatch="*")
            except ClientError as err:
                # 412: the key exists; 409: a concurrent conditional write to it is in flight. A retry
                # of this very put (stored, its answer lost) lands here too: the same bytes are ours.
                if _status(err) in (409, 412):
                    return self._holds(name, data)
                raise
        return True

    def _holds(self, name: str, data: bytes) -> bool:
        """Whether ``name`` holds exactly ``data`` (a single-part object's ETag is its MD5)."""
        try:
            head = self._client.head_object(Bucket=self.bucket, Key=self.prefix + name)
        except ClientError:
            return False
        return str(head.get("ETag", "")).strip('"') == _md5(data).hex()

    def get(self, name: str) -> bytes | None:
        with self._failures("GetObject"):
            try:
                response = self._client.get_object(Bucket=self.bucket, Key=self.prefix + name)
            except ClientError as err:
                if _code(err) == "NoSuchKey":  # not NoSuchBucket: that is a broken setup, a 503
                    return None
                raise
            return bytes(response["Body"].read())

    def exists(self, name: str) -> bool:
        with self._failures("HeadObject"):
            try:
                self._client.head_object(Bucket=self.bucket, Key=self.prefix + name)
            except ClientError as err:
                if _status(err) == 404:  # HEAD has no error body: a missing bucket looks the same (GetObject tells)
                    return False
                raise
        return True

    def delete(self, name: str) -> None:
        with self._failures("DeleteObject"):
            self._client.delete_object(Bucket=self.bucket, Key=self.prefix + name)

    def close(self) -> None:
        self._client.close()

    def sweep(self, kind: str, cutoff: float, limit: int) -> int:
        removed = 0
        with self._failures("ListObjectsV2"):
            for folder in self._folders(kind):
                old: list[str] = []
                pages = self._client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=folder)
                for page in pages:
                    # only keys this data plane makes: a shared bucket's other objects are never touched
                    old += [o["Key"] for o in page.get("Contents", []) if o["LastModified"].timestamp() < cutoff
                            and KEY_PATTERN.fullmatch(o["Key"].removeprefix(self.prefix))]
                    if removed + len(old) >= limit:
                        break
                removed += self._delete_many(old[: limit - removed])
                if removed >= limit:
                    break
        return removed

    def _folders(self, kind: str) -> Iterator[str]:
        """``<prefix><org>/<kind>/`` for every org folder in the bucket (a data plane serves one or few)."""
        pages = self._client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix, Delimiter="/")
        for page in pages:
            for common in page.get("CommonPrefixes", []):
                yield f"{common['Prefix']}{kind}/"

    def _delete_many(self, keys: list[str]) -> int:
        deleted = 0
        with self._failures("DeleteObjects"):
            for i in range(0, len(keys), _DELETE_BATCH):
                batch = keys[i:i + _DELETE_BATCH]
                response = self._client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True})
                errors = response.get("Errors", [])
                if errors:
                    logger.warning("blob store: S3 DeleteObjects on bucket %s left %d object(s) (%s)",
                                   self.bucket, len(errors), errors[0].get("Code", ""))
                deleted += len(batch) - len(errors)
        return deleted

