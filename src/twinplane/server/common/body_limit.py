"""Refuse oversized request bodies before anything parses them: 413 with the JSON error body.

An ASGI middleware for both planes. It checks ``Content-Length`` up front, then counts bytes as
they stream in, because a chunked body has no length. Once the count passes the limit,
``receive`` raises ``BodyTooLarge``. Frameworks do different things with an exception raised
while they read the body (FastAPI turns it into a 400 "error parsing the body"). So the
middleware discards whatever response the app then starts and answers the 413 itself,
unless the app had already started its response.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from twinplane.server.common.errors import PayloadTooLarge

__all__ = ["BodyLimitMiddleware", "BodyTooLarge", "json_error"]


class BodyTooLarge(PayloadTooLarge):
    """Raised from inside ``receive`` once the body passes the limit."""


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        if max_bytes < 1:
            raise ValueError("max_bytes must be positive")
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared < 0:
                    await json_error(send, 400, "bad_request", "invalid Content-Length header")
                    return
                if declared > self.max_bytes:
                    await json_error(send, 413, "payload_too_large", self._message())
                    return
        seen = 0
        too_large = False
        started = False

        async def counting_receive() -> Message:
            nonlocal seen, too_large
            if too_large:  # the app asked again after the refusal: refuse again, read nothing more
                raise BodyTooLarge(self._message())
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    too_large = True
                    raise BodyTooLarge(self._message())
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if too_large and not started:
                return  # the app's answer to the refusal (a 400 or 500): ours replaces it below
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not too_large:
                raise
            # whatever the refusal turned into inside the app, the client gets the 413 below
        if too_large and not started:
            await json_error(send, 413, "payload_too_large", self._message())

    def _message(self) -> str:
        return f"the request body is larger than the limit of {self.max_bytes} bytes"


async def json_error(send: Send, status: int, code: str, message: str) -> None:
    """Answer ``{"error": {"code", "message"}}`` straight from a middleware, outside the app."""
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff"),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
