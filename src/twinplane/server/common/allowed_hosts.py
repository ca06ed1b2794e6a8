"""The Host allow-list: a defence against DNS rebinding.

A page on ``http://evil.example:8000`` whose name an attacker re-points at 127.0.0.1 can make
a victim's browser talk to a server bound there. The browser believes it is talking to
evil.example, so the same-origin policy does not stop it. The one thing the attacker cannot
change is the ``Host`` header, which still names evil.example, so requests are answered only
for the host names the server is meant to be reached by.

Patterns: an exact name (``cp.example.com``), a subdomain wildcard (``*.example.com``, which
also matches ``example.com``), or ``*`` (any host: the check is off). Ports are ignored, names
are compared case-insensitively without a trailing dot, and IPv6 literals are written bare
(``::1``). Paths in ``exempt_paths`` (health checks from load balancers that probe by IP)
answer any host.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from twinplane.server.common.base_path import route_path
from twinplane.server.common.body_limit import json_error

__all__ = ["AllowedHostsMiddleware", "answered_hosts", "host_allowed", "hostname_of"]


def answered_hosts(public_url: str, allowed: Iterable[str]) -> list[str]:
    """A server's patterns: its ``public_url``'s host (always) and the configured ones."""
    public_host = urlsplit(public_url).hostname
    return [*([public_host] if public_host else []), *allowed]


def hostname_of(host_header: str) -> str:
    """``Example.COM.:8000`` → ``example.com``; ``[::1]:8000`` → ``::1``."""
    host = host_header.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        return host[1:end] if end > 0 else ""
    if host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


def _pattern(p: str) -> str:
    p = p.strip().lower()
    if p.startswith("[") and p.endswith("]"):
        p = p[1:-1]
    return p.rstrip(".")


def host_allowed(host: str, patterns: Iterable[str]) -> bool:
    """Whether ``host`` (a bare host name, see ``hostname_of``) matches one of ``patterns``."""
    if not host:
        return False
    for raw in patterns:
        p = _pattern(raw)
        if p == "*":
            return True
        if p.startswith("*."):
            if host == p[2:] or host.endswith(p[1:]):
                return True
        elif host == p:
            return True
    return False


class AllowedHostsMiddleware:
    def __init__(self, app: ASGIApp, allowed: Iterable[str], exempt_paths: Iterable[str] = ()) -> None:
        self.app = app
        self.allowed = tuple(_pattern(p) for p in allowed if p.strip())
        self.exempt_paths = frozenset(exempt_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # the path within the app: under a base path (``base_path.py``) the scope's path carries the prefix
        if scope["type"] not in ("http", "websocket") or route_path(scope) in self.exempt_paths:
            await self.app(scope, receive, send)
            return
        hosts = [v.decode("latin-1") for k, v in scope["headers"] if k == b"host"]
        # exactly one Host header (HTTP/1.1 requires it; two of them is a smuggling attempt)
        if len(hosts) == 1 and host_allowed(hostname_of(hosts[0]), self.allowed):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        await json_error(send, 400, "bad_host",
                         "this server does not answer for that host name; use its configured URL")
