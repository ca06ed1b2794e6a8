"""The body-size limit: 413 with the JSON error body, by Content-Length before the app runs and
while a chunked body streams in, whatever the framework does with the refusal."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from pydantic import BaseModel

from twinplane.server.common.body_limit import BodyLimitMiddleware
from twinplane.server.common.errors import install_error_handlers

LIMIT = 1000


class Body(BaseModel):
    text: str


def _app(reached: list[str]) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/parsed")
    def parsed(body: Body) -> dict[str, int]:  # FastAPI reads and parses the body itself
        reached.append("parsed")
        return {"length": len(body.text)}

    @app.post("/raw")
    async def raw(request: Request) -> dict[str, int]:
        body = await request.body()
        reached.append("raw")
        return {"length": len(body)}

    @app.post("/stream")
    async def stream(request: Request) -> dict[str, int]:
        n = 0
        async for chunk in request.stream():
            n += len(chunk)
        reached.append("stream")
        return {"length": n}

    app.add_middleware(BodyLimitMiddleware, max_bytes=LIMIT)
    return app


@pytest.fixture
def reached() -> list[str]:
    return []


@pytest.fixture
def client(reached: list[str]) -> Iterator[TestClient]:
    with TestClient(_app(reached)) as c:
        yield c


def _chunks(total: int, size: int = 100) -> Iterator[bytes]:
    yield b'{"text": "'
    for _ in range(total // size):
        yield b"x" * size
    yield b'"}'


def _is_413(r: Any) -> None:
    assert r.status_code == 413, r.text
    assert r.json()["error"]["code"] == "payload_too_large"
    assert str(LIMIT) in r.json()["error"]["message"]
    assert r.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("path", ["/parsed", "/raw", "/stream"])
def test_a_declared_length_over_the_limit_never_reaches_the_app(client: TestClient, reached: list[str],
                                                                path: str) -> None:
    _is_413(client.post(path, content=b'{"text": "' + b"x" * LIMIT + b'"}',
                        headers={"Content-Type": "application/json"}))
    assert reached == []


@pytest.mark.parametrize("path", ["/parsed", "/raw", "/stream"])
def test_a_chunked_body_is_cut_off_as_it_passes_the_limit(client: TestClient, reached: list[str], path: str) -> None:
    _is_413(client.post(path, content=_chunks(5 * LIMIT), headers={"Content-Type": "application/json"}))
    assert reached == []  # no handler ran to completion on a truncated body


@pytest.mark.parametrize("path", ["/parsed", "/raw", "/stream"])
def test_bodies_within_the_limit_pass_untouched(client: TestClient, reached: list[str], path: str) -> None:
    r = client.post(path, json={"text": "y" * 500})
    assert r.status_code == 200, r.text
    r = client.post(path, content=_chunks(500), headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    assert len(reached) == 2


def test_exactly_the_limit_is_accepted(client: TestClient) -> None:
    body = b"z" * LIMIT
    assert client.post("/raw", content=body).json() == {"length": LIMIT}
    assert client.post("/raw", content=body + b"z").status_code == 413


def test_a_malformed_content_length_is_a_bad_request(client: TestClient, reached: list[str]) -> None:
    for value in ("ten", "-1"):
        r = client.post("/raw", content=b"x", headers={"Content-Length": value})
        assert r.status_code == 400 and r.json()["error"]["code"] == "bad_request", value
    assert reached == []


def test_the_limit_must_be_positive() -> None:
    with pytest.raises(ValueError):
        BodyLimitMiddleware(FastAPI(), max_bytes=0)
