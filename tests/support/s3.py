"""A real S3 protocol server for tests: moto's, in this process, on a free loopback port.

Tests never reach AWS: every client is given the loopback endpoint, and ``use_test_credentials``
puts fixed keys in the environment (and hides the user's AWS config) so boto3's credential
chain stops there and never probes the instance-metadata address.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from support.ports import free_port

ACCESS_KEY = "AKIATWINPLANETEST"
SECRET_KEY = "twinplane-test-secret-do-not-log"
REGION = "us-east-1"

_ENV = {
    "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_DEFAULT_REGION": REGION,
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": "/nonexistent/twinplane-test", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/twinplane-test",
}
_UNSET = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_ENDPOINT_URL",
          "AWS_ENDPOINT_URL_S3", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
          "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN")


_clients: list[Any] = []  # every client made here, closed when the moto server stops


def use_test_credentials(monkeypatch: Any) -> None:
    for name in _UNSET:
        monkeypatch.delenv(name, raising=False)
    for name, value in _ENV.items():
        monkeypatch.setenv(name, value)


@contextmanager
def moto_s3() -> Iterator[str]:
    """Run moto's S3 server on 127.0.0.1; yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        while _clients:
            _clients.pop().close()
        server.stop()


def s3_client(endpoint: str, **config: Any) -> Any:
    """A client of ``endpoint`` with the test keys given explicitly (no environment needed)."""
    import boto3
    from botocore.config import Config

    assert endpoint.startswith("http://127.0.0.1:"), endpoint
    client = boto3.session.Session().client(
        "s3", endpoint_url=endpoint, region_name=REGION, aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY, config=Config(s3={"addressing_style": "path"}, **config))
    _clients.append(client)
    return client


def new_bucket(endpoint: str) -> str:
    name = f"tp-test-{uuid.uuid4().hex[:12]}"
    s3_client(endpoint).create_bucket(Bucket=name)
    return name


def object_keys(endpoint: str, bucket: str) -> list[str]:
    pages = s3_client(endpoint).get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return sorted(o["Key"] for page in pages for o in page.get("Contents", []))
