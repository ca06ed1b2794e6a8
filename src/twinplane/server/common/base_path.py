"""Serving an app under a path (``https://example.com/twinplane/``) behind a reverse proxy.

A proxy may pass requests on with the prefix (``/twinplane/api/...``) or strip it
(``/api/...``); both reach the same route. ASGI's ``root_path`` carries the prefix and ``path``
the full path (what uvicorn's own ``--root-path`` does, which handles only the stripping
kind), so routing and URLs built from the request see the public path. The scope is changed
in place: middleware outside this one (request metrics) reads what routing wrote into it.

Because both kinds are accepted, a path that starts with the prefix is always taken as
prefixed: do not guard sub-paths with path rules at the proxy (``/twinplane/internal/`` sent
as ``/twinplane/twinplane/internal/`` to a stripping proxy arrives as ``/twinplane/internal/``),
and do not choose a prefix that is also one of the app's own top-level paths (``/api``).
The app's own credentials guard every route either way.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send


def base_path(public_url: str) -> str:
    """``public_url``'s path without its trailing slash, as written (percent-encoded): "" at a host's root."""
    return urlsplit(public_url).path.rstrip("/")


def route_path(scope: Scope) -> str:
    """The path within the app: ``path`` without ``root_path``."""
    path, root = scope.get("path", ""), scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root + "/") else path


class BasePathMiddleware:
    def __init__(self, app: ASGIApp, base: str) -> None:
        self.app = app
        self.raw_base = base.encode("ascii", "replace")  # raw_path is the encoded form
        self.base = unquote(base)  # path is decoded

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or not self.base:
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if path == self.base and scope["type"] == "http":
            # the bare prefix: a relative redirect, never one built from the Host header and scheme
            await send({"type": "http.response.start", "status": 307,
                        "headers": [(b"location", self.raw_base + b"/"), (b"content-length", b"0")]})
            await send({"type": "http.response.body", "body": b""})
            return
        if not path.startswith(self.base + "/"):  # the proxy stripped the prefix: put it back
            scope["path"] = self.base + path
            if "raw_path" in scope and scope["raw_path"] is not None:
                scope["raw_path"] = self.raw_base + scope["raw_path"]
        scope["root_path"] = self.base
        await self.app(scope, receive, send)
