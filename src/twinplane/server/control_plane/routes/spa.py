"""The built single-page app: hashed assets cached forever, index.html for every other GET.

index.html carries a Content-Security-Policy without inline scripts (the main XSS defence).
Its ``connect-src`` for a signed-in user is 'self' plus the data-plane origins of that user's
orgs. Listing every registered data plane instead would publish all tenants' URLs to anyone.
An anonymous page (the sign-in page) cannot know whose data plane it will talk to, so it gets
``'self' https: http:``; every later page load is narrowed to the user's own origins. That is
why the SPA must load the page afresh after a password sign-in (contracts.md §3) instead of
carrying on with the broad policy; the OIDC callback already ends in a redirect.

index.html gets a ``<base href>`` of ``public_url``'s path (``/`` at a host's root,
``/twinplane/`` behind a proxy that serves the control plane under a path): the build's asset
URLs are relative, and the SPA builds its routes and API paths from it (``ui/src/lib/base.ts``).
"""

from __future__ import annotations

import html
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from twinplane.server.common.base_path import base_path
from twinplane.server.common.errors import NotFound
from twinplane.server.control_plane.authn import get_runtime
from twinplane.server.control_plane.runtime import Runtime
from twinplane.server.control_plane.services.sessions import SESSION_COOKIE

router = APIRouter(tags=["ui"])

_PACKAGE_STATIC = Path(__file__).resolve().parents[1] / "static"
_NOT_UI = ("api/", "internal/", ".well-known/")
_NOT_BUILT = ("<!doctype html><html><head><meta charset=utf-8><title>Twinplane</title></head>"
              "<body><h1>Twinplane control plane</h1><p>The web UI is not built. Run <code>make ui</code> "
              "(or set TWINPLANE_CONTROL_STATIC_DIR) and reload.</p></body></html>")


def static_root(rt: Runtime) -> Path:
    return Path(rt.settings.static_dir).resolve() if rt.settings.static_dir else _PACKAGE_STATIC


def content_security_policy(connect_origins: list[str] | None) -> str:
    """``connect_origins`` None means not signed in (see the module docstring)."""
    connect = " ".join(["'self'", *(connect_origins if connect_origins is not None else ["https:", "http:"])])
    return ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data: blob:; font-src 'self' data:; "
            f"connect-src {connect}; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
            "form-action 'self'")


def _index(request: Request, rt: Runtime, root: Path) -> Response:
    origins: list[str] | None = None
    session = rt.sessions.resolve(request.cookies.get(SESSION_COOKIE))
    if session is not None:
        origins = rt.data_planes.connect_origins_of(session.user["id"])
    headers = {"Cache-Control": "no-cache", "Content-Security-Policy": content_security_policy(origins)}
    index = root / "index.html"
    if not index.is_file():
        return HTMLResponse(_NOT_BUILT, headers=headers)
    return HTMLResponse(with_base(index.read_text(encoding="utf-8"), rt.settings.public_url), headers=headers)


def with_base(page: str, public_url: str) -> str:
    """The page with a ``<base href>`` (``public_url``'s path and a slash: what its relative URLs resolve
    against) as the first element of its head."""
    tag = f'<base href="{html.escape(base_path(public_url) + "/", quote=True)}" />'
    head = page.find("<head>")
    return page[:head + 6] + tag + page[head + 6:] if head >= 0 else tag + page


@router.get("/{path:path}", include_in_schema=False)
def spa(path: str, request: Request, rt: Runtime = Depends(get_runtime)) -> Response:
    if path.startswith(_NOT_UI) or path in ("api", "internal", ".well-known"):
        raise NotFound(f"no such endpoint: {request.method} /{path}")
    root = static_root(rt)
    if path and "\x00" not in path and "\\" not in path:
        candidate = (root / path).resolve()
        # a resolved path outside the root is a traversal attempt: fall through to index.html
        if candidate.is_relative_to(root) and candidate.is_file() and candidate.name != "index.html":
            cache = ("public, max-age=31536000, immutable" if path.startswith("assets/") else "no-cache")
            return FileResponse(candidate, headers={"Cache-Control": cache})
    if path.startswith("assets/"):
        raise NotFound("no such asset")
    return _index(request, rt, root)
