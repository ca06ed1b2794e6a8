"""Serving an app under a path (``https://example.com/twinplane/``) behind a reverse proxy.

A proxy may pass requests on with the prefix (``/twinplane/api/...``) or strip it
(``/api/...``); both reach the same route. ASGI's ``root_path`` carries the prefix and ``path``
the full path (what uvicorn's own ``--root-path`` does, which handles only the stripping
kind), so routing, redirects built from ``request.url`` and ``url_for`` all see the public path.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send


def base_path(public_url: str) -> str:
    """``public_url``'s path without its trailing slash: "" at a host's root, "/twinplane" under a path."""
    return urlsplit(public_url).path.rstrip("/")


class BasePathMiddleware:
    def __init__(self, app: ASGIApp, base: str) -> None:
        self.app = app
        self.base = base

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self.base:
            path = scope["path"]
            if path != self.base and not path.startswith(self.base + "/"):
                path = self.base + path  # the proxy stripped the prefix: put it back
            scope = {**scope, "root_path": self.base, "path": path,
                     "raw_path": path.encode("utf-8")}
        await self.app(scope, receive, send)
