"""CORS for the browser → data plane path: exactly the configured origins, nothing else.

A pure ASGI middleware (no response buffering). Allowed origins get
``Access-Control-Allow-Origin: <that origin>`` and every response carries
``Vary: Origin``; refused origins get no CORS header at all, so the browser blocks the
read. Preflights (OPTIONS with ``Access-Control-Request-Method``) are answered here,
before auth, since browsers send them without credentials. No cookies are used on the
data plane, so credentials are never allowed.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ALLOW_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
# x-bt-parent: the parent object of an OTLP export (routes/otel.py), for OpenTelemetry
# exporters running in a page of the allowed origins
ALLOW_HEADERS = ("Authorization", "Content-Type", "Accept", "X-Request-Id", "X-Bt-Parent")
_ALLOWED = frozenset(h.lower() for h in ALLOW_HEADERS)
MAX_AGE = "600"


class CorsMiddleware:
    def __init__(self, app: ASGIApp, origins: Iterable[str]) -> None:
        self.app = app
        self.origins = frozenset(o.rstrip("/") for o in origins if o)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        allowed = origin is not None and origin in self.origins
        if scope["method"] == "OPTIONS" and origin is not None and "access-control-request-method" in headers:
            await self._preflight(send, origin if allowed else None, headers)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                out.add_vary_header("Origin")
                if allowed:
                    out["Access-Control-Allow-Origin"] = origin  # type: ignore[assignment]
                    out["Access-Control-Expose-Headers"] = "Retry-After, X-Request-Id"
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def _preflight(self, send: Send, origin: str | None, headers: Headers) -> None:
        out = [(b"vary", b"Origin"), (b"content-length", b"0")]
        status = 204
        if origin is None:
            status = 403
        else:
            requested = {h.strip().lower() for h in headers.get("access-control-request-headers", "").split(",") if h.strip()}
            method = headers.get("access-control-request-method", "").upper()
            if not requested <= _ALLOWED or method not in ALLOW_METHODS.split(", "):
                status = 403
            else:
                out += [
                    (b"access-control-allow-origin", origin.encode("latin-1")),
                    (b"access-control-allow-methods", ALLOW_METHODS.encode()),
                    (b"access-control-allow-headers", ", ".join(ALLOW_HEADERS).encode()),
                    (b"access-control-max-age", MAX_AGE.encode()),
                ]
        await send({"type": "http.response.start", "status": status, "headers": out})
        await send({"type": "http.response.body", "body": b""})
