"""``X-Request-Id`` on every response, so an SDK error message or a support ticket names the request.

A caller's id is kept when it is short and plain (a load balancer's, say); otherwise one is made.
It is put in ``scope["state"]["request_id"]`` for handlers that log.
"""

from __future__ import annotations

import os
import re
import uuid
from collections import deque

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_PLAIN = re.compile(rb"[A-Za-z0-9._-]{1,64}")

# Ids are uuid4s made from os.urandom in batches: ``uuid.uuid4()`` reads 16 bytes per call,
# and os.urandom releases the GIL around its syscall, so under load every request's event
# loop thread had to win the GIL back from the process's other threads (readers, the WAL
# checkpointer; until it moved to its own process, the SQLite writer), up to a switch interval.
_BATCH = 256
_ready: deque[bytes] = deque()


def new_request_id() -> bytes:
    """A fresh uuid4 as 32 hex digits (the same ids as ``uuid.uuid4().hex``)."""
    try:
        return _ready.popleft()
    except IndexError:
        pool = os.urandom(16 * _BATCH)
        _ready.extend(uuid.UUID(bytes=pool[i:i + 16], version=4).hex.encode() for i in range(16, len(pool), 16))
        return uuid.UUID(bytes=pool[:16], version=4).hex.encode()


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = next((v for k, v in scope["headers"] if k == b"x-request-id" and _PLAIN.fullmatch(v)), None)
        rid = rid or new_request_id()
        scope.setdefault("state", {})["request_id"] = rid.decode()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid)]
            await send(message)

        await self.app(scope, receive, send_with_id)
